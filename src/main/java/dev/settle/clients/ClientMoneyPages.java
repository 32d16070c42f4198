package dev.settle.clients;

import dev.settle.Problem;
import dev.settle.business.DateInput;
import dev.settle.money.MoneyInput;
import dev.settle.web.Form;
import dev.settle.web.FormOnce;
import dev.settle.web.Pages;
import dev.settle.web.PathIds;
import dev.settle.web.Sessions;
import dev.settle.web.SignedIn;
import dev.settle.web.StaffAuth;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The client page's money forms: receive a payment toward the balance due, add a charge, record
 * an open payment, refund one, issue a credit, apply funds. Charges, refunds and credits above the
 * business's approval limit wait for a second manager (see {@link Approvals}).
 */
public final class ClientMoneyPages {
    /** Which form, and what it is called where people see it. */
    enum Operation {
        PAYMENT("payment", "Receive a payment toward the balance due", "Record payment"),
        CHARGE("charge", "Add a charge to the balance due", "Add charge"),
        OPEN_PAYMENT("open-payment", "Record an open payment", "Record payment"),
        REFUND("refund", "Refund open payments", "Refund"),
        CREDIT("credit", "Issue a credit", "Issue credit");

        final String path;
        final String title;
        final String button;

        Operation(String path, String title, String button) {
            this.path = path;
            this.title = title;
            this.button = button;
        }
    }

    private final Jdbi jdbi;
    private final FundsReminders reminders;
    private final Clients clients;
    private final ClientMoney money;
    private final Approvals approvals;
    private final Sessions sessions;
    private final Pages pages;

    private final dev.settle.payments.CardPayments cardPayments;

    public ClientMoneyPages(
            Jdbi jdbi,
            Clients clients,
            ClientMoney money,
            Approvals approvals,
            FundsReminders reminders,
            Sessions sessions,
            Pages pages,
            dev.settle.payments.CardPayments cardPayments) {
        this.jdbi = jdbi;
        this.cardPayments = cardPayments;
        this.reminders = reminders;
        this.clients = clients;
        this.money = money;
        this.approvals = approvals;
        this.sessions = sessions;
        this.pages = pages;
    }

    public void paymentForm(Context ctx) {
        show(ctx, Operation.PAYMENT, HttpStatus.OK, Form.of(Map.of("tender", "cash")));
    }

    public void chargeForm(Context ctx) {
        show(ctx, Operation.CHARGE, HttpStatus.OK, Form.of(Map.of()));
    }

    public void openPaymentForm(Context ctx) {
        show(ctx, Operation.OPEN_PAYMENT, HttpStatus.OK, Form.of(Map.of("tender", "cash")));
    }

    public void refundForm(Context ctx) {
        show(ctx, Operation.REFUND, HttpStatus.OK, Form.of(Map.of("tender", "cash")));
    }

    public void creditForm(Context ctx) {
        show(ctx, Operation.CREDIT, HttpStatus.OK, Form.of(Map.of("reason", "goodwill")));
    }

    public void receivePayment(Context ctx) {
        submit(ctx, Operation.PAYMENT, (signedIn, client, form) -> {
            final ClientMoney.Payment payment = payment(form, signedIn);
            return handle ->
                    done(money.receivePayment(handle, signedIn.businessId(), client.id(), payment, signedIn.actor()));
        });
    }

    public void charge(Context ctx) {
        submit(ctx, Operation.CHARGE, (signedIn, client, form) -> {
            final ClientMoney.Charge charge = ClientMoney.Charge.of(amount(form, signedIn), form.value("reason"));
            return forApproval(
                    signedIn,
                    client,
                    Approvals.Kind.CHARGE,
                    charge.amountMinor(),
                    charge.details(),
                    handle -> money.charge(handle, signedIn.businessId(), client.id(), charge, signedIn.actor()));
        });
    }

    public void receiveOpenPayment(Context ctx) {
        submit(ctx, Operation.OPEN_PAYMENT, (signedIn, client, form) -> {
            final ClientMoney.Payment payment = payment(form, signedIn);
            return handle -> done(
                    money.receiveOpenPayment(handle, signedIn.businessId(), client.id(), payment, signedIn.actor()));
        });
    }

    public void refundOpenPayment(Context ctx) {
        submit(ctx, Operation.REFUND, (signedIn, client, form) -> {
            final ClientMoney.Payment refund = payment(form, signedIn);
            return forApproval(
                    signedIn,
                    client,
                    Approvals.Kind.REFUND,
                    refund.amountMinor(),
                    refund.details(),
                    handle -> money.refundOpenPayment(
                            handle, signedIn.businessId(), client.id(), refund, signedIn.actor()));
        });
    }

    public void issueCredit(Context ctx) {
        submit(ctx, Operation.CREDIT, (signedIn, client, form) -> {
            final ClientMoney.Credit credit = ClientMoney.Credit.of(
                    amount(form, signedIn),
                    ClientMoney.CreditReason.parse(form.value("reason"), "reason"),
                    form.value("note"),
                    date(form.value("expiresOn")),
                    LocalDate.now(signedIn.formats().zone()));
            return forApproval(
                    signedIn,
                    client,
                    Approvals.Kind.CREDIT,
                    credit.amountMinor(),
                    credit.details(),
                    handle -> money.issueCredit(handle, signedIn.businessId(), client.id(), credit, signedIn.actor()));
        });
    }

    /** Hides the funds reminder until the client's balance due or funds change. */
    public void dismissReminder(Context ctx) {
        final long clientId = PathIds.of(ctx, "clientId");
        pages.afterAction(ctx, "/clients/" + clientId, "Not dismissed", signedIn -> {
            jdbi.useTransaction(handle -> {
                final Clients.Client client = clients.require(handle, signedIn.businessId(), clientId);
                reminders.dismiss(handle, client, new Households(clients).of(handle, client), signedIn.staffId());
            });
            return "Reminder dismissed. It comes back if the balance due or the funds change.";
        });
    }

    /** The reminder's one-click apply: all of the open payments or credits that the balance due can take. */
    public void applyFunds(Context ctx) {
        final Form form = Form.of(ctx);
        final long clientId = PathIds.of(ctx, "clientId");
        pages.afterAction(ctx, "/clients/" + clientId, "Nothing applied", signedIn -> {
            final ClientMoney.Funds funds = ClientMoney.Funds.parse(form.value("from"), "from");
            final ClientMoney.Outcome outcome = jdbi.inTransaction(handle -> money.applyFunds(
                    handle, signedIn.businessId(), clientId, funds, Optional.empty(), signedIn.actor()));
            final long applied = outcome.paid().stream()
                    .mapToLong(dev.settle.invoices.Invoices.Allocation::amountMinor)
                    .sum();
            return funds.label + " applied: " + signedIn.formats().money(applied) + ". " + summary(outcome, signedIn);
        });
    }

    /** What a form asks for, checked: run in the transaction that also claims the form's token. */
    private interface Change {
        Approvals.Result apply(Handle handle);
    }

    /** Reads and checks a form (refusing bad input before any transaction), giving its change. */
    private interface Submission {
        Change apply(SignedIn signedIn, Clients.Client client, Form form);
    }

    /** A manual change: carried out now, or above the approval limit and left waiting. */
    private Change forApproval(
            SignedIn signedIn,
            Clients.Client client,
            Approvals.Kind kind,
            long amountMinor,
            Map<String, String> details,
            java.util.function.Function<Handle, ClientMoney.Outcome> change) {
        return handle -> approvals.submit(
                handle,
                signedIn.businessId(),
                client.id(),
                kind,
                amountMinor,
                details,
                signedIn.actor(),
                () -> change.apply(handle));
    }

    private static Approvals.Result done(ClientMoney.Outcome outcome) {
        return new Approvals.Result.Done(outcome);
    }

    private void submit(Context ctx, Operation operation, Submission submission) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final Clients.Client client = client(ctx, signedIn);
        final Form form = Form.of(ctx);
        try {
            final Change change = submission.apply(signedIn, client, form);
            final String message = jdbi.inTransaction(handle -> FormOnce.run(
                    handle, signedIn.businessId(), form.value(FormOnce.FIELD), () -> switch (change.apply(handle)) {
                        case Approvals.Result.Done done ->
                            operation.button + ": done. " + summary(done.outcome(), signedIn);
                        case Approvals.Result.Waiting waiting ->
                            "Sent for approval: "
                                    + signedIn.formats().money(waiting.pending().amountMinor())
                                    + " is above the approval limit, so another manager must approve it."
                                    + " Nothing is recorded until then.";
                    }));
            jdbi.useHandle(handle -> sessions.flash(handle, signedIn, message));
            ctx.redirect("/clients/" + client.id(), HttpStatus.SEE_OTHER);
        } catch (Problem problem) {
            if (problem.kind() == Problem.Kind.NOT_FOUND) {
                throw problem;
            }
            show(ctx, operation, HttpStatus.UNPROCESSABLE_CONTENT, form.withError(problem));
        }
    }

    private static String summary(ClientMoney.Outcome outcome, SignedIn signedIn) {
        final Clients.Client client = outcome.client();
        final String kept = outcome.keptAsOpenPaymentMinor() > 0
                ? signedIn.formats().money(outcome.keptAsOpenPaymentMinor())
                        + " more than the balance due was kept as an open payment. "
                : "";
        return kept + client.name() + " now owes "
                + signedIn.formats().money(client.receivable().balanceMinor())
                + " and has "
                + signedIn.formats().money(client.openPayments().balanceMinor())
                + " in open payments and "
                + signedIn.formats().money(client.credits().balanceMinor())
                + " in credits.";
    }

    private void show(Context ctx, Operation operation, HttpStatus status, Form form) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final Clients.Client client = client(ctx, signedIn);
        pages.render(
                ctx,
                status,
                "clients/money.jte",
                operation.title + " · " + client.name(),
                Pages.Section.CLIENTS,
                Map.ofEntries(
                        Map.entry("client", client),
                        Map.entry("form", form),
                        Map.entry("operation", operation.path),
                        Map.entry("heading", operation.title),
                        Map.entry("button", operation.button),
                        Map.entry("tenders", ClientMoney.Tender.values()),
                        Map.entry("reasons", ClientMoney.CreditReason.values()),
                        Map.entry("formToken", FormOnce.tokenFor(form)),
                        // Money coming in may instead be charged to a card the client saved.
                        Map.entry(
                                "savedCards",
                                (operation == Operation.PAYMENT || operation == Operation.OPEN_PAYMENT)
                                                && !client.archived()
                                        ? jdbi.withHandle(handle ->
                                                cardPayments.savedCards(handle, signedIn.businessId(), client.id()))
                                        : List.of())));
    }

    private Clients.Client client(Context ctx, SignedIn signedIn) {
        final long clientId = PathIds.of(ctx, "clientId");
        return jdbi.withHandle(handle -> clients.require(handle, signedIn.businessId(), clientId));
    }

    private static ClientMoney.Payment payment(Form form, SignedIn signedIn) {
        return ClientMoney.Payment.of(
                amount(form, signedIn),
                ClientMoney.Tender.parse(form.value("tender"), "tender"),
                form.value("reference"),
                form.value("note"));
    }

    private static long amount(Form form, SignedIn signedIn) {
        return MoneyInput.parse(form.value("amountMinor"), signedIn.formats().currency(), "amountMinor", "Amount");
    }

    private static Optional<LocalDate> date(String text) {
        if (text.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(DateInput.parse(text, "expiresOn"));
    }
}

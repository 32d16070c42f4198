package dev.settle.clients;

import dev.settle.Problem;
import dev.settle.business.DateInput;
import dev.settle.money.MoneyInput;
import dev.settle.web.Form;
import dev.settle.web.Pages;
import dev.settle.web.PathIds;
import dev.settle.web.Sessions;
import dev.settle.web.SignedIn;
import dev.settle.web.StaffAuth;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The client page's money forms: record an open payment, refund one, issue a credit. */
public final class ClientMoneyPages {
    /** Which form, and what it is called where people see it. */
    enum Operation {
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
    private final Clients clients;
    private final ClientMoney money;
    private final Sessions sessions;
    private final Pages pages;

    public ClientMoneyPages(Jdbi jdbi, Clients clients, ClientMoney money, Sessions sessions, Pages pages) {
        this.jdbi = jdbi;
        this.clients = clients;
        this.money = money;
        this.sessions = sessions;
        this.pages = pages;
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

    public void receiveOpenPayment(Context ctx) {
        submit(ctx, Operation.OPEN_PAYMENT, (signedIn, client, form) -> {
            final ClientMoney.Payment payment = payment(form, signedIn);
            return jdbi.inTransaction(handle ->
                    money.receiveOpenPayment(handle, signedIn.businessId(), client.id(), payment, signedIn.actor()));
        });
    }

    public void refundOpenPayment(Context ctx) {
        submit(ctx, Operation.REFUND, (signedIn, client, form) -> {
            final ClientMoney.Payment payment = payment(form, signedIn);
            return jdbi.inTransaction(handle ->
                    money.refundOpenPayment(handle, signedIn.businessId(), client.id(), payment, signedIn.actor()));
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
            return jdbi.inTransaction(
                    handle -> money.issueCredit(handle, signedIn.businessId(), client.id(), credit, signedIn.actor()));
        });
    }

    private interface Submission {
        ClientMoney.Outcome apply(SignedIn signedIn, Clients.Client client, Form form);
    }

    private void submit(Context ctx, Operation operation, Submission submission) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final Clients.Client client = client(ctx, signedIn);
        final Form form = Form.of(ctx);
        try {
            final ClientMoney.Outcome outcome = submission.apply(signedIn, client, form);
            jdbi.useHandle(handle ->
                    sessions.flash(handle, signedIn, operation.button + ": done. " + summary(outcome, signedIn)));
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
        return client.name() + " now has "
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
                Map.of(
                        "client",
                        client,
                        "form",
                        form,
                        "operation",
                        operation.path,
                        "heading",
                        operation.title,
                        "button",
                        operation.button,
                        "tenders",
                        ClientMoney.Tender.values(),
                        "reasons",
                        ClientMoney.CreditReason.values()));
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

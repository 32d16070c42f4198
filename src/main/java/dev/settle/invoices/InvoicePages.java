package dev.settle.invoices;

import dev.settle.Problem;
import dev.settle.business.BusinessSettings;
import dev.settle.clients.ClientMoney;
import dev.settle.clients.Clients;
import dev.settle.clients.Households;
import dev.settle.giftcards.GiftCardCodes;
import dev.settle.giftcards.GiftCardPages;
import dev.settle.giftcards.GiftCards;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The desk's ticket: write the lines ({@code /invoices/new}), then check out on one screen
 * ({@code /invoices/{id}/checkout}) where the order summary follows every amount typed (htmx), then
 * the receipt ({@code /invoices/{id}}).
 */
public final class InvoicePages {
    /** Blank line rows on a new ticket: enough for a visit, no script needed to add more. */
    static final int LINE_ROWS = 6;

    /** A tender's fields on the checkout form, and where the domain's field names point on it. */
    enum TenderField {
        CASH("cash", "Cash", "cashAmount"),
        CHECK("check", "Check", "checkAmount"),
        CARD("card", "Card (recorded by hand)", "cardAmount"),
        EXTERNAL("external", "Other", "externalAmount"),
        CREDIT("credit", "Client credit", "creditAmount"),
        OPEN_PAYMENT("open_payment", "Open payment", "openPaymentAmount");

        final String tender;
        final String label;
        final String amountField;

        TenderField(String tender, String label, String amountField) {
            this.tender = tender;
            this.label = label;
            this.amountField = amountField;
        }
    }

    /** Where a problem the checkout names lands on the form. */
    private static final Map<String, String> FORM_FIELDS = Map.ofEntries(
            Map.entry("payOffMinor", "payOff"),
            Map.entry("payLaterMinor", "payLater"),
            Map.entry("cash.amountMinor", "cashAmount"),
            Map.entry("cash.tenderedMinor", "cashTendered"),
            Map.entry("check.amountMinor", "checkAmount"),
            Map.entry("check.reference", "checkNumber"),
            Map.entry("card.amountMinor", "cardAmount"),
            Map.entry("card.cardLast4", "cardLast4"),
            Map.entry("external.amountMinor", "externalAmount"),
            Map.entry("external.reference", "externalReference"),
            Map.entry("credit.amountMinor", "creditAmount"),
            Map.entry("open_payment.amountMinor", "openPaymentAmount"),
            Map.entry("giftCard1.code", "giftCard1Code"),
            Map.entry("giftCard1.amountMinor", "giftCard1Amount"),
            Map.entry("giftCard2.code", "giftCard2Code"),
            Map.entry("giftCard2.amountMinor", "giftCard2Amount"));

    /** Gift cards one checkout screen takes (the API takes any number). */
    static final int GIFT_CARD_ROWS = 2;

    /** What the order summary shows while amounts are typed. */
    public record Summary(
            List<Invoices.Line> lines,
            long payOffMinor,
            long dueMinor,
            List<Map.Entry<String, Long>> tenders,
            long payLaterMinor,
            long remainingMinor,
            long changeMinor,
            Optional<String> problem) {}

    private final Jdbi jdbi;
    private final Clients clients;
    private final Invoices invoices;
    private final Checkouts checkouts;
    private final ClientMoney money;
    private final Households households;
    private final Receipts receipts;
    private final GiftCardPages giftCardPages;
    private final Sessions sessions;
    private final Pages pages;

    private final dev.settle.payments.CardPayments cardPayments;

    public InvoicePages(
            Jdbi jdbi,
            Clients clients,
            Invoices invoices,
            Checkouts checkouts,
            ClientMoney money,
            Receipts receipts,
            GiftCardPages giftCardPages,
            Sessions sessions,
            Pages pages,
            dev.settle.payments.CardPayments cardPayments) {
        this.jdbi = jdbi;
        this.cardPayments = cardPayments;
        this.giftCardPages = giftCardPages;
        this.receipts = receipts;
        this.money = money;
        this.clients = clients;
        this.invoices = invoices;
        this.checkouts = checkouts;
        this.households = new Households(clients);
        this.sessions = sessions;
        this.pages = pages;
    }

    public void newForm(Context ctx) {
        final Map<String, String> values = new LinkedHashMap<>();
        values.put("clientId", Optional.ofNullable(ctx.queryParam("clientId")).orElse(""));
        // A preset gift card amount, one click from the page: the first line sells it.
        Optional.ofNullable(ctx.queryParam("giftCard")).ifPresent(amount -> {
            values.put("kind0", "gift_card");
            values.put("description0", "Gift card");
            values.put("price0", amount);
        });
        showNew(ctx, HttpStatus.OK, Form.of(values));
    }

    /** Writes the draft from the rows filled in, then goes to checkout. */
    public void create(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final Form form = Form.of(ctx);
        try {
            final Optional<Long> clientId = clientId(form);
            final List<Invoices.Line> lines = new ArrayList<>();
            for (int row = 0; row < LINE_ROWS; row++) {
                final String description = form.value("description" + row);
                final String price = form.value("price" + row);
                if (description.isBlank() && price.isBlank()) {
                    continue;
                }
                final long unit = MoneyInput.parse(price, signedIn.formats().currency(), "price" + row, "Price");
                final Integer quantity = form.value("quantity" + row).isBlank()
                        ? 1
                        : quantity(form.value("quantity" + row), "quantity" + row);
                lines.add(Invoices.Line.typed(form.value("kind" + row), description, quantity, unit, "row" + row));
            }
            if (lines.isEmpty()) {
                throw Problem.validation("description0", "Add at least one line: what was done or sold, and its price");
            }
            final Invoices.Detail draft = jdbi.inTransaction(
                    handle -> checkouts.draft(handle, signedIn.businessId(), clientId, lines, signedIn.actor()));
            ctx.redirect("/invoices/" + draft.invoice().id() + "/checkout", HttpStatus.SEE_OTHER);
        } catch (Problem problem) {
            if (problem.kind() == Problem.Kind.NOT_FOUND) {
                throw problem;
            }
            showNew(ctx, HttpStatus.UNPROCESSABLE_CONTENT, form.withError(rowProblem(problem)));
        }
    }

    public void checkoutForm(Context ctx) {
        showCheckout(ctx, HttpStatus.OK, Form.of(Map.of()));
    }

    /** The order summary for what is typed so far (htmx, on every change). */
    public void summary(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final long invoiceId = PathIds.of(ctx, "invoiceId");
        final Form form = Form.of(ctx);
        pages.fragment(
                ctx,
                "invoices/summary.jte",
                Map.of("summary", summarize(signedIn, invoiceId, form), "formats", signedIn.formats()));
    }

    /** Completes the checkout: one entry, then the receipt. */
    public void complete(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final long invoiceId = PathIds.of(ctx, "invoiceId");
        final Form form = Form.of(ctx);
        try {
            final Checkouts.Request request = request(form, signedIn);
            // The cards the ticket sold, with their codes: known to the first send of the form only.
            final List<GiftCards.Issued> sold = new ArrayList<>();
            final String message = jdbi.inTransaction(handle ->
                    FormOnce.run(handle, signedIn.businessId(), form.value(FormOnce.FIELD), () -> {
                        final Checkouts.Result result =
                                checkouts.checkout(handle, signedIn.businessId(), invoiceId, request, signedIn.actor());
                        sold.addAll(result.giftCardsSold());
                        return "Checked out."
                                + (result.changeMinor() > 0
                                        ? " Change due: " + signedIn.formats().money(result.changeMinor()) + "."
                                        : "")
                                + (result.keptAsOpenPaymentMinor() > 0
                                        ? " " + signedIn.formats().money(result.keptAsOpenPaymentMinor())
                                                + " kept as an open payment."
                                        : "");
                    }));
            jdbi.useHandle(handle -> sessions.flash(handle, signedIn, message));
            if (!sold.isEmpty()) {
                giftCardPages.showIssued(ctx, signedIn, sold, "/invoices/" + invoiceId);
                return;
            }
            ctx.redirect("/invoices/" + invoiceId, HttpStatus.SEE_OTHER);
        } catch (Problem problem) {
            if (problem.kind() == Problem.Kind.NOT_FOUND) {
                throw problem;
            }
            final String field = problem.field().orElse("");
            showCheckout(
                    ctx,
                    HttpStatus.UNPROCESSABLE_CONTENT,
                    form.withError(new Problem(
                            problem.kind(),
                            // A tender the checkout names by its place in the list is shown with the totals.
                            field.startsWith("tenders[")
                                    ? "tenders"
                                    : FORM_FIELDS.getOrDefault(
                                            field, problem.field().orElse(null)),
                            problem.detail())));
        }
    }

    /** The invoice as a receipt: lines, how it was paid, what is still unpaid. Printable. */
    public void show(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final Optional<String> clientEmail =
                jdbi.withHandle(handle -> invoices.find(handle, signedIn.businessId(), PathIds.of(ctx, "invoiceId"))
                        .flatMap(Invoices.Invoice::clientId)
                        .flatMap(id -> clients.find(handle, signedIn.businessId(), id))
                        .flatMap(Clients.Client::email));
        showInvoice(ctx, HttpStatus.OK, Form.of(Map.of("tender", "cash", "to", clientEmail.orElse(""))));
    }

    /** Sends the receipt by email, through the outbox; a bad address is shown beside its field. */
    public void emailReceipt(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final long invoiceId = PathIds.of(ctx, "invoiceId");
        final Form form = Form.of(ctx);
        try {
            final Receipts.Queued queued = jdbi.inTransaction(handle -> receipts.email(
                    handle,
                    signedIn.businessId(),
                    invoiceId,
                    Optional.of(form.value("to")),
                    Optional.of(signedIn.staffId())));
            jdbi.useHandle(handle -> sessions.flash(
                    handle,
                    signedIn,
                    receipts.canSend()
                            ? "Receipt sent to " + queued.to() + "."
                            : "No mail server is set up, so the receipt to " + queued.to()
                                    + " waits in the Outbox (Settings › Outbox)."));
            ctx.redirect("/invoices/" + invoiceId, HttpStatus.SEE_OTHER);
        } catch (Problem problem) {
            if (problem.kind() == Problem.Kind.NOT_FOUND) {
                throw problem;
            }
            showInvoice(ctx, HttpStatus.UNPROCESSABLE_CONTENT, form.withError(problem));
        }
    }

    /** A payment on this open invoice (Time To Pet's "Add Payment"). */
    public void pay(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final long invoiceId = PathIds.of(ctx, "invoiceId");
        final Form form = Form.of(ctx);
        try {
            final ClientMoney.Payment payment = ClientMoney.Payment.of(
                    MoneyInput.parse(
                            form.value("amountMinor"), signedIn.formats().currency(), "amountMinor", "Amount"),
                    ClientMoney.Tender.parse(form.value("tender"), "tender"),
                    form.value("reference"),
                    form.value("note"));
            final String message = jdbi.inTransaction(handle -> FormOnce.run(
                    handle,
                    signedIn.businessId(),
                    form.value(FormOnce.FIELD),
                    () -> "Payment recorded: " + signedIn.formats().money(payment.amountMinor()) + ". "
                            + unpaidNow(
                                    handle,
                                    signedIn,
                                    money.payInvoice(
                                            handle, signedIn.businessId(), invoiceId, payment, signedIn.actor()),
                                    invoiceId)));
            jdbi.useHandle(handle -> sessions.flash(handle, signedIn, message));
            ctx.redirect("/invoices/" + invoiceId, HttpStatus.SEE_OTHER);
        } catch (Problem problem) {
            if (problem.kind() == Problem.Kind.NOT_FOUND) {
                throw problem;
            }
            showInvoice(ctx, HttpStatus.UNPROCESSABLE_CONTENT, form.withError(problem));
        }
    }

    /** Gives back some or all of a payment (manager). */
    public void refund(Context ctx) {
        final long invoiceId = PathIds.of(ctx, "invoiceId");
        final long paymentId = PathIds.of(ctx, "paymentId");
        final Form form = Form.of(ctx);
        pages.afterAction(ctx, "/invoices/" + invoiceId, "Not refunded", signedIn -> {
            final Checkouts.RefundTo to = Checkouts.RefundTo.parse(form.value("to"), "to");
            final Optional<Long> amount = form.value("amountMinor").isBlank()
                    ? Optional.empty()
                    : Optional.of(MoneyInput.parse(
                            form.value("amountMinor"), signedIn.formats().currency(), "amountMinor", "Amount"));
            if (jdbi.withHandle(handle -> invoices.payments(handle, signedIn.businessId(), invoiceId).stream()
                    .noneMatch(payment -> payment.id() == paymentId))) {
                throw Problem.notFound("paymentId", "invoice " + invoiceId + " has no payment " + paymentId);
            }
            // The form's token names this refund: sent twice, it is refunded once (here and at the processor).
            final String token = form.value(FormOnce.FIELD).isBlank()
                    ? dev.settle.business.Secrets.random256()
                    : form.value(FormOnce.FIELD);
            return jdbi.inTransaction(handle -> FormOnce.run(handle, signedIn.businessId(), token, () -> {
                final dev.settle.payments.CardPayments.Refunded refunded = cardPayments.refund(
                        handle, signedIn.businessId(), paymentId, amount, to, signedIn.actor(), "form-" + token);
                return (refunded.throughProcessor() ? "Refunded to the card through the processor." : "Refunded.")
                        + " Invoice " + invoiceId + " now has "
                        + signedIn.formats().money(refunded.refund().invoice().unpaidMinor()) + " unpaid.";
            }));
        });
    }

    /** Moves part of what was paid on this invoice to another open invoice of the client (manager). */
    public void moveFunds(Context ctx) {
        final long invoiceId = PathIds.of(ctx, "invoiceId");
        final Form form = Form.of(ctx);
        pages.afterAction(ctx, "/invoices/" + invoiceId, "Not moved", signedIn -> {
            final long to;
            try {
                to = Long.parseLong(form.value("toInvoiceId"));
            } catch (NumberFormatException e) {
                throw Problem.validation("toInvoiceId", "Choose the invoice to move the payment to");
            }
            final long amount = MoneyInput.parse(
                    form.value("amountMinor"), signedIn.formats().currency(), "amountMinor", "Amount");
            jdbi.useTransaction(handle ->
                    checkouts.moveFunds(handle, signedIn.businessId(), invoiceId, to, amount, signedIn.actor()));
            return "Moved " + signedIn.formats().money(amount) + " of what was paid here to invoice " + to + ".";
        });
    }

    /** Voids an invoice nothing has paid (manager). */
    public void voidInvoice(Context ctx) {
        final long invoiceId = PathIds.of(ctx, "invoiceId");
        pages.afterAction(ctx, "/invoices/" + invoiceId, "Not voided", signedIn -> {
            jdbi.useTransaction(
                    handle -> checkouts.voidInvoice(handle, signedIn.businessId(), invoiceId, signedIn.actor()));
            return "Invoice " + invoiceId + " is void; whatever it had put on the balance due is taken off.";
        });
    }

    /** The reminder's one-click apply: the client's funds, as much as this invoice can take. */
    public void applyFunds(Context ctx) {
        final long invoiceId = PathIds.of(ctx, "invoiceId");
        final Form form = Form.of(ctx);
        pages.afterAction(ctx, "/invoices/" + invoiceId, "Nothing applied", signedIn -> {
            final ClientMoney.Funds funds = ClientMoney.Funds.parse(form.value("from"), "from");
            return jdbi.inTransaction(handle -> funds.label + " applied. "
                    + unpaidNow(
                            handle,
                            signedIn,
                            money.applyFundsToInvoice(
                                    handle,
                                    signedIn.businessId(),
                                    invoiceId,
                                    funds,
                                    Optional.empty(),
                                    signedIn.actor()),
                            invoiceId));
        });
    }

    private String unpaidNow(
            org.jdbi.v3.core.Handle handle, SignedIn signedIn, ClientMoney.Outcome outcome, long invoiceId) {
        final long unpaid = invoices.find(handle, signedIn.businessId(), invoiceId)
                .orElseThrow()
                .unpaidMinor();
        return (unpaid == 0
                        ? "Invoice " + invoiceId + " is paid."
                        : signedIn.formats().money(unpaid) + " is still unpaid.")
                + " " + outcome.client().name() + " owes "
                + signedIn.formats().money(outcome.client().receivable().balanceMinor())
                + " in all.";
    }

    private void showInvoice(Context ctx, HttpStatus status, Form form) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final long invoiceId = PathIds.of(ctx, "invoiceId");
        jdbi.useHandle(handle -> {
            final Invoices.Invoice invoice = require(handle, signedIn, invoiceId);
            final Optional<Clients.Client> client =
                    invoice.clientId().flatMap(id -> clients.find(handle, signedIn.businessId(), id));
            pages.render(
                    ctx,
                    status,
                    "invoices/show.jte",
                    "Invoice " + invoiceId,
                    Pages.Section.CLIENTS,
                    Map.ofEntries(
                            Map.entry("invoice", invoice),
                            Map.entry("lines", invoices.lines(handle, signedIn.businessId(), invoiceId)),
                            Map.entry("payments", invoices.payments(handle, signedIn.businessId(), invoiceId)),
                            Map.entry("client", client),
                            Map.entry("household", client.map(found -> households.of(handle, found))),
                            Map.entry(
                                    "otherUnpaid",
                                    client.map(found ->
                                                    invoices.unpaid(handle, signedIn.businessId(), found.id()).stream()
                                                            .filter(other -> other.id() != invoiceId)
                                                            .toList())
                                            .orElse(List.of())),
                            Map.entry("form", form),
                            Map.entry("tenders", ClientMoney.Tender.values()),
                            Map.entry("formToken", FormOnce.tokenFor(form)),
                            Map.entry(
                                    "savedCards",
                                    client.map(found ->
                                                    cardPayments.savedCards(handle, signedIn.businessId(), found.id()))
                                            .orElse(List.of()))));
        });
    }

    private void showNew(Context ctx, HttpStatus status, Form form) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final Optional<Clients.Client> client = jdbi.withHandle(handle -> {
            try {
                return clientId(form).flatMap(id -> clients.find(handle, signedIn.businessId(), id));
            } catch (Problem problem) {
                return Optional.empty();
            }
        });
        final BusinessSettings.Settings business =
                jdbi.withHandle(handle -> new BusinessSettings().find(handle, signedIn.businessId()));
        pages.render(
                ctx,
                status,
                "invoices/new.jte",
                client.map(found -> "New ticket · " + found.name()).orElse("New ticket"),
                Pages.Section.CHECKOUT,
                Map.of(
                        "form",
                        form,
                        "client",
                        client,
                        "rows",
                        LINE_ROWS,
                        "taxRates",
                        business.taxRates(),
                        "giftCards",
                        business.giftCardsEnabled(),
                        "giftCardPresets",
                        business.giftCards().presetsMinor()));
    }

    private void showCheckout(Context ctx, HttpStatus status, Form form) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final long invoiceId = PathIds.of(ctx, "invoiceId");
        jdbi.useHandle(handle -> {
            final Invoices.Invoice invoice = require(handle, signedIn, invoiceId);
            if (invoice.status() != Invoices.Status.DRAFT) {
                ctx.redirect("/invoices/" + invoiceId, HttpStatus.SEE_OTHER);
                return;
            }
            final Optional<Clients.Client> client =
                    invoice.clientId().flatMap(id -> clients.find(handle, signedIn.businessId(), id));
            final BusinessSettings.Settings business = new BusinessSettings().find(handle, signedIn.businessId());
            pages.render(
                    ctx,
                    status,
                    "invoices/checkout.jte",
                    "Checkout · invoice " + invoiceId,
                    Pages.Section.CHECKOUT,
                    Map.of(
                            "invoice",
                            invoice,
                            "client",
                            client,
                            "household",
                            client.map(found -> households.of(handle, found)),
                            "form",
                            form,
                            "summary",
                            summarize(signedIn, invoiceId, form),
                            "formToken",
                            FormOnce.tokenFor(form),
                            "giftCards",
                            business.giftCardsEnabled(),
                            "giftCardExpiryMonths",
                            business.giftCards().expiryMonths()));
        });
    }

    /** The order summary: what the typed amounts come to, leniently (a half-typed amount counts as 0). */
    private Summary summarize(SignedIn signedIn, long invoiceId, Form form) {
        final List<Invoices.Line> lines =
                jdbi.withHandle(handle -> invoices.lines(handle, signedIn.businessId(), invoiceId));
        final long payOff = lenient(form, "payOff", signedIn);
        final long due = lines.stream().mapToLong(Invoices.Line::amountMinor).sum() + payOff;
        final List<Map.Entry<String, Long>> tenders = new ArrayList<>();
        long paid = 0;
        for (TenderField field : TenderField.values()) {
            final long amount = lenient(form, field.amountField, signedIn);
            if (amount > 0) {
                tenders.add(Map.entry(field.label, amount));
                paid += amount;
            }
        }
        for (int card = 1; card <= GIFT_CARD_ROWS; card++) {
            final long amount = lenient(form, "giftCard" + card + "Amount", signedIn);
            if (amount > 0) {
                tenders.add(Map.entry(
                        GiftCardCodes.normalize(form.value("giftCard" + card + "Code"))
                                .map(code -> "Gift card ending " + code.substring(code.length() - 4))
                                .orElse("Gift card"),
                        amount));
                paid += amount;
            }
        }
        final long payLater = lenient(form, "payLater", signedIn);
        final long cash = lenient(form, "cashAmount", signedIn);
        final long tendered = lenient(form, "cashTendered", signedIn);
        final Optional<String> problem = form.error("tenders").or(() -> form.error(Form.WHOLE_FORM));
        return new Summary(
                lines,
                payOff,
                due,
                tenders,
                payLater,
                due - paid - payLater,
                tendered > cash ? tendered - cash : 0,
                problem);
    }

    private Checkouts.Request request(Form form, SignedIn signedIn) {
        final List<Checkouts.Payment> tenders = new ArrayList<>();
        for (TenderField field : TenderField.values()) {
            final long amount = optional(form, field.amountField, signedIn);
            if (amount == 0) {
                continue;
            }
            final Long tendered =
                    field == TenderField.CASH && !form.value("cashTendered").isBlank()
                            ? optional(form, "cashTendered", signedIn)
                            : null;
            final String reference = switch (field) {
                case CHECK -> form.value("checkNumber");
                case EXTERNAL -> form.value("externalReference");
                default -> null;
            };
            tenders.add(Checkouts.Payment.of(
                    field.tender,
                    amount,
                    tendered,
                    reference,
                    field == TenderField.CARD ? form.value("cardLast4") : null,
                    null,
                    field.tender));
        }
        for (int card = 1; card <= GIFT_CARD_ROWS; card++) {
            final String code = form.value("giftCard" + card + "Code");
            final long amount = optional(form, "giftCard" + card + "Amount", signedIn);
            if (amount > 0 || !code.isBlank()) {
                tenders.add(Checkouts.Payment.of(
                        "gift_card", amount, null, null, null, code.isBlank() ? null : code, "giftCard" + card));
            }
        }
        return new Checkouts.Request(
                optional(form, "payOff", signedIn),
                tenders,
                optional(form, "payLater", signedIn),
                form.checked("keepOverpayment"));
    }

    /** An amount typed on the form, or 0 when left empty. */
    private static long optional(Form form, String field, SignedIn signedIn) {
        final String typed = form.value(field);
        return typed.isBlank() ? 0 : MoneyInput.parse(typed, signedIn.formats().currency(), field, "Amount");
    }

    private static long lenient(Form form, String field, SignedIn signedIn) {
        try {
            return Math.max(0, optional(form, field, signedIn));
        } catch (Problem problem) {
            return 0;
        }
    }

    private Invoices.Invoice require(org.jdbi.v3.core.Handle handle, SignedIn signedIn, long invoiceId) {
        return invoices.find(handle, signedIn.businessId(), invoiceId)
                .orElseThrow(() -> Problem.notFound("invoiceId", "no invoice has id " + invoiceId));
    }

    private static Optional<Long> clientId(Form form) {
        final String text = form.value("clientId");
        if (text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            throw Problem.validation("clientId", "Choose a client, or leave it empty for a walk-in");
        }
    }

    private static int quantity(String text, String field) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw Problem.validation(field, "Quantity is a whole number, 1 to 10000");
        }
    }

    /** A line's problem ("row2.kind") beside that row's field ("kind2"). */
    private static Problem rowProblem(Problem problem) {
        final String field = problem.field().orElse("");
        if (!field.startsWith("row") && !field.startsWith("lines[")) {
            return problem;
        }
        // "row2.unitMinor" from the form's own rows, "lines[2].unitMinor" from the ticket's checks
        // (the filled rows, in order: rows are filled from the top).
        final String row = field.startsWith("row")
                ? field.substring(3, field.indexOf('.'))
                : field.substring("lines[".length(), field.indexOf(']'));
        final String name = field.substring(field.indexOf('.') + 1).replace("unitMinor", "price");
        return new Problem(problem.kind(), name + row, problem.detail());
    }
}

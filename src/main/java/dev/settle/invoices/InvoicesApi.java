package dev.settle.invoices;

import dev.settle.Problem;
import dev.settle.business.ApiKeys;
import dev.settle.clients.ClientMoney;
import dev.settle.clients.ClientsApi;
import dev.settle.ledger.Actor;
import dev.settle.web.ApiAuth;
import dev.settle.web.ApiWrites;
import dev.settle.web.Json;
import dev.settle.web.PathIds;
import io.javalin.http.Context;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** {@code /api/v1/invoices}: draft an invoice, read it, check it out. */
public final class InvoicesApi {
    private final Jdbi jdbi;
    private final Receipts receipts;
    private final Invoices invoices;
    private final Checkouts checkouts;
    private final ClientMoney money;
    private final ApiWrites writes;

    private final dev.settle.payments.CardPayments cardPayments;

    public InvoicesApi(
            Jdbi jdbi,
            Invoices invoices,
            Checkouts checkouts,
            ClientMoney money,
            Receipts receipts,
            ApiWrites writes,
            dev.settle.payments.CardPayments cardPayments) {
        this.jdbi = jdbi;
        this.cardPayments = cardPayments;
        this.receipts = receipts;
        this.invoices = invoices;
        this.checkouts = checkouts;
        this.money = money;
        this.writes = writes;
    }

    record LineBody(String kind, String description, Integer quantity, Long unitMinor) {}

    record InvoiceBody(Long clientId, String currency, List<LineBody> lines) {}

    record TenderBody(
            String tender, Long amountMinor, Long tenderedMinor, String reference, String cardLast4, String code) {}

    record CheckoutBody(
            String currency,
            Long payOffMinor,
            List<TenderBody> tenders,
            Long payLaterMinor,
            Boolean keepOverpaymentAsOpenPayment) {}

    record LineJson(String kind, String description, int quantity, long unitMinor, long amountMinor) {}

    record PaymentJson(
            long id,
            long entryId,
            String tender,
            long amountMinor,
            Optional<Long> tenderedMinor,
            long changeMinor,
            Optional<String> reference,
            Optional<String> cardLast4,
            Optional<Long> giftCardId,
            long refundedMinor) {}

    record RefundBody(String to, Long amountMinor, String currency) {}

    record MoveBody(Long toInvoiceId, Long amountMinor, String currency) {}

    record InvoiceJson(
            long id,
            Optional<Long> clientId,
            String status,
            String currency,
            long totalMinor,
            long paidMinor,
            long unpaidMinor,
            Optional<OffsetDateTime> issuedAt,
            Optional<OffsetDateTime> voidedAt,
            List<LineJson> lines,
            List<PaymentJson> payments) {}

    record AllocationJson(long invoiceId, long amountMinor) {}

    record PaymentBody(Long amountMinor, String currency, String tender, String reference, String note) {}

    record ApplyFundsBody(String from, Long amountMinor, String currency) {}

    record ReceiptEmailBody(String to) {}

    record InvoiceOutcomeJson(long entryId, InvoiceJson invoice, ClientsApi.ClientJson client) {}

    record CheckoutJson(
            long entryId,
            InvoiceJson invoice,
            long changeMinor,
            long keptAsOpenPaymentMinor,
            List<AllocationJson> paidOff,
            Optional<ClientsApi.ClientJson> client,
            List<SoldGiftCardJson> giftCardsSold) {}

    /** A gift card the ticket sold, with its code: shown in this answer only. */
    record SoldGiftCardJson(long id, String code, String last4, long amountMinor) {}

    /** A draft: lines for a client or a walk-in, nothing charged until checkout. */
    public void create(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final InvoiceBody body = Json.read(ctx, InvoiceBody.class);
        ClientMoney.checkCurrency(body.currency(), caller.currency());
        if (body.lines() == null || body.lines().isEmpty() || body.lines().size() > Invoices.LINES_MAX) {
            throw Problem.validation("lines", "An invoice has 1 to " + Invoices.LINES_MAX + " lines");
        }
        final List<Invoices.Line> lines = new ArrayList<>();
        for (int index = 0; index < body.lines().size(); index++) {
            final LineBody line = body.lines().get(index);
            if (line == null) {
                throw Problem.validation("lines[" + index + "]", "a line is an object");
            }
            lines.add(Invoices.Line.typed(
                    line.kind(), line.description(), line.quantity(), line.unitMinor(), "lines[" + index + "]"));
        }
        final Optional<Long> clientId = Optional.ofNullable(body.clientId());
        writes.submit(
                ctx,
                caller,
                List.of(),
                201,
                // Read back in the write's own transaction: another connection would not see it yet.
                handle -> json(checkouts.draft(handle, caller.businessId(), clientId, lines, actor(caller)), caller),
                json -> json);
    }

    public void get(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long invoiceId = PathIds.of(ctx, "invoiceId");
        ctx.json(jdbi.withHandle(handle -> json(
                invoices.detail(handle, caller.businessId(), invoiceId)
                        .orElseThrow(() -> Problem.notFound("invoiceId", "no invoice has id " + invoiceId)),
                caller)));
    }

    /** Settles a draft in one entry: tenders, pay later, pay off; all or nothing. */
    public void checkout(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long invoiceId = PathIds.of(ctx, "invoiceId");
        final CheckoutBody body = Json.read(ctx, CheckoutBody.class);
        ClientMoney.checkCurrency(body.currency(), caller.currency());
        final List<Checkouts.Payment> tenders = new ArrayList<>();
        final List<TenderBody> sent = body.tenders() == null ? List.of() : body.tenders();
        if (sent.size() > 20) {
            throw Problem.validation("tenders", "A checkout takes at most 20 tenders");
        }
        for (int index = 0; index < sent.size(); index++) {
            final TenderBody tender = sent.get(index);
            if (tender == null) {
                throw Problem.validation("tenders[" + index + "]", "a tender is an object");
            }
            tenders.add(Checkouts.Payment.of(
                    tender.tender(),
                    tender.amountMinor(),
                    tender.tenderedMinor(),
                    tender.reference(),
                    tender.cardLast4(),
                    tender.code(),
                    "tenders[" + index + "]"));
        }
        final Checkouts.Request request = new Checkouts.Request(
                optionalAmount(body.payOffMinor(), "payOffMinor"),
                tenders,
                optionalAmount(body.payLaterMinor(), "payLaterMinor"),
                Boolean.TRUE.equals(body.keepOverpaymentAsOpenPayment()));
        writes.submit(
                ctx,
                caller,
                accounts(caller, invoiceId),
                201,
                handle -> {
                    final Checkouts.Result result =
                            checkouts.checkout(handle, caller.businessId(), invoiceId, request, actor(caller));
                    return new CheckoutJson(
                            result.entryId(),
                            json(result.invoice(), caller),
                            result.changeMinor(),
                            result.keptAsOpenPaymentMinor(),
                            result.paidOff().stream()
                                    .map(paid -> new AllocationJson(paid.invoiceId(), paid.amountMinor()))
                                    .toList(),
                            result.client().map(client -> ClientsApi.json(client, caller.currency())),
                            result.giftCardsSold().stream()
                                    .map(sold -> new SoldGiftCardJson(
                                            sold.card().id(),
                                            sold.groupedCode(),
                                            sold.card().last4(),
                                            sold.card().amountMinor()))
                                    .toList());
                },
                json -> json);
    }

    /** Moves part of what was paid on this invoice to another open invoice of the same client. */
    public void moveFunds(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long invoiceId = PathIds.of(ctx, "invoiceId");
        final MoveBody body = Json.read(ctx, MoveBody.class);
        ClientMoney.checkCurrency(body.currency(), caller.currency());
        if (body.toInvoiceId() == null) {
            throw Problem.validation("toInvoiceId", "toInvoiceId is required: the invoice the payment moves to");
        }
        final long amountMinor = ClientMoney.requiredAmount(body.amountMinor());
        writes.submit(
                ctx,
                caller,
                accounts(caller, invoiceId),
                201,
                handle -> json(
                        handle,
                        checkouts.moveFunds(
                                handle, caller.businessId(), invoiceId, body.toInvoiceId(), amountMinor, actor(caller)),
                        caller),
                json -> json);
    }

    /** Voids an invoice nothing has paid, by reversing the entry that charged it. */
    public void voidInvoice(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long invoiceId = PathIds.of(ctx, "invoiceId");
        writes.submit(
                ctx,
                caller,
                accounts(caller, invoiceId),
                200,
                handle -> json(
                        handle, checkouts.voidInvoice(handle, caller.businessId(), invoiceId, actor(caller)), caller),
                json -> json);
    }

    /** Emails the receipt: to the address given, else the client's; sent once the outbox job runs. */
    public void emailReceipt(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long invoiceId = PathIds.of(ctx, "invoiceId");
        final ReceiptEmailBody body = Json.read(ctx, ReceiptEmailBody.class);
        writes.submit(
                ctx,
                caller,
                List.of(),
                202,
                handle -> receipts.email(
                        handle, caller.businessId(), invoiceId, Optional.ofNullable(body.to()), Optional.empty()),
                json -> json);
    }

    /** Gives back some or all of a payment: to its tender, or to the client as an open payment or credit. */
    public void refund(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long paymentId = PathIds.of(ctx, "paymentId");
        final RefundBody body = Json.read(ctx, RefundBody.class);
        final Checkouts.RefundTo to = Checkouts.RefundTo.parse(body.to(), "to");
        if (body.amountMinor() != null) {
            ClientMoney.checkCurrency(body.currency(), caller.currency());
        }
        final long invoiceId = jdbi.withHandle(handle -> handle.createQuery(
                        "select invoice_id from invoice_payments where business_id = :business_id and id = :id")
                .bind("business_id", caller.businessId())
                .bind("id", paymentId)
                .mapTo(Long.class)
                .findOne()
                .orElse(0L));
        // A retry with the same Idempotency-Key is answered from its record, and is the same refund
        // at the processor if one is made; without a key each request is a refund of its own.
        final String key = "api-" + caller.apiKeyId() + "-"
                + Optional.ofNullable(ctx.header(dev.settle.web.ApiWrites.IDEMPOTENCY_HEADER))
                        .orElseGet(dev.settle.business.Secrets::random256);
        writes.submit(
                ctx,
                caller,
                accounts(caller, invoiceId),
                201,
                handle -> {
                    final Checkouts.Refund refund = cardPayments
                            .refund(
                                    handle,
                                    caller.businessId(),
                                    paymentId,
                                    Optional.ofNullable(body.amountMinor()),
                                    to,
                                    actor(caller),
                                    key)
                            .refund();
                    return new RefundJson(
                            refund.entryId(),
                            json(handle, refund.invoice(), caller),
                            refund.client().map(client -> ClientsApi.json(client, caller.currency())));
                },
                json -> json);
    }

    record RefundJson(long entryId, InvoiceJson invoice, Optional<ClientsApi.ClientJson> client) {}

    /** A payment on this open invoice, partial or whole; never more than is unpaid on it. */
    public void pay(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long invoiceId = PathIds.of(ctx, "invoiceId");
        final PaymentBody body = Json.read(ctx, PaymentBody.class);
        ClientMoney.checkCurrency(body.currency(), caller.currency());
        final long amountMinor = ClientMoney.requiredAmount(body.amountMinor());
        final ClientMoney.Payment payment = ClientMoney.Payment.of(
                amountMinor, ClientMoney.Tender.parse(body.tender(), "tender"), body.reference(), body.note());
        submitOnInvoice(
                ctx,
                caller,
                invoiceId,
                handle -> money.payInvoice(handle, caller.businessId(), invoiceId, payment, actor(caller)));
    }

    /** The client's open payments or credits applied to this invoice: all it can take, or an amount. */
    public void applyFunds(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long invoiceId = PathIds.of(ctx, "invoiceId");
        final ApplyFundsBody body = Json.read(ctx, ApplyFundsBody.class);
        final ClientMoney.Funds funds = ClientMoney.Funds.parse(body.from(), "from");
        if (body.amountMinor() != null) {
            ClientMoney.checkCurrency(body.currency(), caller.currency());
        }
        submitOnInvoice(
                ctx,
                caller,
                invoiceId,
                handle -> money.applyFundsToInvoice(
                        handle,
                        caller.businessId(),
                        invoiceId,
                        funds,
                        Optional.ofNullable(body.amountMinor()),
                        actor(caller)));
    }

    private void submitOnInvoice(
            Context ctx,
            ApiKeys.Caller caller,
            long invoiceId,
            java.util.function.Function<Handle, ClientMoney.Outcome> operation) {
        writes.submit(
                ctx,
                caller,
                accounts(caller, invoiceId),
                201,
                handle -> {
                    final ClientMoney.Outcome outcome = operation.apply(handle);
                    return new InvoiceOutcomeJson(
                            outcome.entryId(),
                            json(
                                    handle,
                                    invoices.find(handle, caller.businessId(), invoiceId)
                                            .orElseThrow(),
                                    caller),
                            ClientsApi.json(outcome.client(), caller.currency()));
                },
                json -> json);
    }

    /** The accounts a checkout of this invoice may lock, declared so the group-commit batcher takes them in order. */
    private List<Long> accounts(ApiKeys.Caller caller, long invoiceId) {
        return jdbi.withHandle(handle -> checkouts.accountsItMayLock(handle, caller.businessId(), invoiceId));
    }

    private InvoiceJson json(Handle handle, Invoices.Invoice invoice, ApiKeys.Caller caller) {
        return json(invoices.detail(handle, invoice.businessId(), invoice.id()).orElseThrow(), caller);
    }

    private static InvoiceJson json(Invoices.Detail detail, ApiKeys.Caller caller) {
        final Invoices.Invoice invoice = detail.invoice();
        return new InvoiceJson(
                invoice.id(),
                invoice.clientId(),
                invoice.status().name().toLowerCase(java.util.Locale.ROOT),
                caller.currency(),
                invoice.totalMinor(),
                invoice.paidMinor(),
                invoice.unpaidMinor(),
                invoice.issuedAt(),
                invoice.voidedAt(),
                detail.lines().stream()
                        .map(line -> new LineJson(
                                line.kind().dbName,
                                line.description(),
                                line.quantity(),
                                line.unitMinor(),
                                line.amountMinor()))
                        .toList(),
                detail.payments().stream()
                        .map(payment -> new PaymentJson(
                                payment.id(),
                                payment.entryId(),
                                payment.tender(),
                                payment.amountMinor(),
                                payment.tenderedMinor(),
                                payment.changeMinor(),
                                payment.reference(),
                                payment.cardLast4(),
                                payment.giftCardId(),
                                payment.refundedMinor()))
                        .toList());
    }

    private static long optionalAmount(Long amountMinor, String field) {
        if (amountMinor == null || amountMinor == 0) {
            return 0;
        }
        if (amountMinor < 0 || amountMinor > ClientMoney.AMOUNT_MINOR_MAX) {
            throw Problem.validation(field, field + " must be 0 to " + ClientMoney.AMOUNT_MINOR_MAX);
        }
        return amountMinor;
    }

    private static Actor actor(ApiKeys.Caller caller) {
        return Actor.apiKey(caller.apiKeyId());
    }
}

package dev.settle.clients;

import dev.settle.business.ApiKeys;
import dev.settle.business.DateInput;
import dev.settle.ledger.Actor;
import dev.settle.web.ApiAuth;
import dev.settle.web.ApiWrites;
import dev.settle.web.Json;
import dev.settle.web.PathIds;
import io.javalin.http.Context;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code /api/v1/clients/{id}/payments}, {@code .../charges}, {@code .../apply-funds},
 * {@code .../open-payments}, {@code .../open-payments/refunds} and {@code .../credits}.
 */
public final class ClientMoneyApi {
    private final Jdbi jdbi;
    private final ClientMoney money;
    private final Approvals approvals;
    private final ApiWrites writes;

    public ClientMoneyApi(Jdbi jdbi, ClientMoney money, Approvals approvals, ApiWrites writes) {
        this.jdbi = jdbi;
        this.money = money;
        this.approvals = approvals;
        this.writes = writes;
    }

    record PaymentBody(Long amountMinor, String currency, String tender, String reference, String note) {}

    record ChargeBody(Long amountMinor, String currency, String reason) {}

    record ApplyFundsBody(String from, Long amountMinor, String currency) {}

    record CreditBody(Long amountMinor, String currency, String reason, String note, String expiresOn) {}

    record AllocationJson(long invoiceId, long amountMinor) {}

    record OutcomeJson(
            long entryId, ClientsApi.ClientJson client, List<AllocationJson> paid, long keptAsOpenPaymentMinor) {}

    record PendingJson(
            long id,
            String status,
            String kind,
            long amountMinor,
            String currency,
            java.util.Map<String, String> details,
            String requestedBy,
            java.time.OffsetDateTime requestedAt) {}

    record WaitingJson(PendingJson pendingApproval) {}

    /** Money toward the balance due, oldest invoice first; any more is kept as an open payment. */
    public void receivePayment(Context ctx) {
        receive(ctx, money::receivePayment);
    }

    public void receiveOpenPayment(Context ctx) {
        receive(ctx, money::receiveOpenPayment);
    }

    private interface Receipt {
        ClientMoney.Outcome record(
                org.jdbi.v3.core.Handle handle,
                long businessId,
                long clientId,
                ClientMoney.Payment payment,
                Actor actor);
    }

    /** Money received: never held for approval (it is in hand). */
    private void receive(Context ctx, Receipt receipt) {
        final Request<ClientMoney.Payment> request = payment(ctx);
        writes.submit(
                ctx,
                request.caller(),
                accounts(request.caller(), request.clientId()),
                201,
                handle -> receipt.record(
                        handle, request.businessId(), request.clientId(), request.body(), request.actor()),
                outcome -> json(outcome, request.caller()));
    }

    public void refundOpenPayment(Context ctx) {
        final Request<ClientMoney.Payment> request = payment(ctx);
        final ClientMoney.Payment refund = request.body();
        submitForApproval(
                ctx,
                request,
                Approvals.Kind.REFUND,
                refund.amountMinor(),
                refund.details(),
                handle -> money.refundOpenPayment(
                        handle, request.businessId(), request.clientId(), refund, request.actor()));
    }

    /** A manual charge onto the balance due, as a one-line invoice. */
    public void charge(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long clientId = PathIds.of(ctx, "clientId");
        final ChargeBody body = Json.read(ctx, ChargeBody.class);
        ClientMoney.checkCurrency(body.currency(), caller.currency());
        final ClientMoney.Charge charge =
                ClientMoney.Charge.of(ClientMoney.requiredAmount(body.amountMinor()), body.reason());
        final Request<ClientMoney.Charge> request = new Request<>(caller, clientId, charge);
        submitForApproval(
                ctx,
                request,
                Approvals.Kind.CHARGE,
                charge.amountMinor(),
                charge.details(),
                handle -> money.charge(handle, caller.businessId(), clientId, charge, request.actor()));
    }

    /** Open payments or credits applied to the balance due, oldest invoice first. */
    public void applyFunds(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long clientId = PathIds.of(ctx, "clientId");
        final ApplyFundsBody body = Json.read(ctx, ApplyFundsBody.class);
        final ClientMoney.Funds funds = ClientMoney.Funds.parse(body.from(), "from");
        if (body.amountMinor() != null) {
            ClientMoney.checkCurrency(body.currency(), caller.currency());
        }
        writes.submit(
                ctx,
                caller,
                accounts(caller, clientId),
                201,
                handle -> money.applyFunds(
                        handle,
                        caller.businessId(),
                        clientId,
                        funds,
                        Optional.ofNullable(body.amountMinor()),
                        Actor.apiKey(caller.apiKeyId())),
                outcome -> json(outcome, caller));
    }

    public void issueCredit(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long clientId = PathIds.of(ctx, "clientId");
        final CreditBody body = Json.read(ctx, CreditBody.class);
        ClientMoney.checkCurrency(body.currency(), caller.currency());
        final LocalDate today = LocalDate.now(zone(caller));
        final ClientMoney.Credit credit = ClientMoney.Credit.of(
                ClientMoney.requiredAmount(body.amountMinor()),
                ClientMoney.CreditReason.parse(body.reason(), "reason"),
                body.note(),
                Optional.ofNullable(body.expiresOn()).map(ClientMoneyApi::date),
                today);
        final Request<ClientMoney.Credit> request = new Request<>(caller, clientId, credit);
        submitForApproval(
                ctx,
                request,
                Approvals.Kind.CREDIT,
                credit.amountMinor(),
                credit.details(),
                handle -> money.issueCredit(handle, caller.businessId(), clientId, credit, request.actor()));
    }

    /** One client money request, read and checked: who asks, for which client, and what. */
    private record Request<T>(ApiKeys.Caller caller, long clientId, T body) {
        long businessId() {
            return caller.businessId();
        }

        Actor actor() {
            return Actor.apiKey(caller.apiKeyId());
        }
    }

    private Request<ClientMoney.Payment> payment(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long clientId = PathIds.of(ctx, "clientId");
        final PaymentBody body = Json.read(ctx, PaymentBody.class);
        ClientMoney.checkCurrency(body.currency(), caller.currency());
        return new Request<>(
                caller,
                clientId,
                ClientMoney.Payment.of(
                        ClientMoney.requiredAmount(body.amountMinor()),
                        ClientMoney.Tender.parse(body.tender(), "tender"),
                        body.reference(),
                        body.note()));
    }

    /** A manual change: carried out (201), or above the approval limit and waiting (202). */
    private void submitForApproval(
            Context ctx,
            Request<?> request,
            Approvals.Kind kind,
            long amountMinor,
            java.util.Map<String, String> details,
            java.util.function.Function<org.jdbi.v3.core.Handle, ClientMoney.Outcome> change) {
        final ApiKeys.Caller caller = request.caller();
        writes.submit(
                ctx,
                caller,
                accounts(caller, request.clientId()),
                result -> result instanceof Approvals.Result.Waiting ? 202 : 201,
                handle -> approvals.submit(
                        handle,
                        caller.businessId(),
                        request.clientId(),
                        kind,
                        amountMinor,
                        details,
                        request.actor(),
                        () -> change.apply(handle)),
                result -> switch (result) {
                    case Approvals.Result.Done done -> json(done.outcome(), caller);
                    case Approvals.Result.Waiting waiting -> new WaitingJson(pending(waiting.pending(), caller));
                });
    }

    static PendingJson pending(Approvals.Pending pending, ApiKeys.Caller caller) {
        return new PendingJson(
                pending.id(),
                "pending_approval",
                pending.kind().dbName,
                pending.amountMinor(),
                caller.currency(),
                pending.details(),
                pending.requestedBy(),
                pending.requestedAt());
    }

    /**
     * The accounts the write will lock, declared so the group-commit batcher takes them in order
     * (see WriteBatcher): the client's own and their household's, and the business's tender,
     * promotions and adjustments accounts.
     */
    private List<Long> accounts(ApiKeys.Caller caller, long clientId) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        select id from accounts
                        where business_id = :business_id
                          and (client_id = :client_id
                               or client_id in (select m.id from clients c
                                                join clients m on m.business_id = c.business_id
                                                              and m.household_id = c.household_id
                                                where c.business_id = :business_id and c.id = :client_id)
                               or (client_id is null and gift_card_id is null
                                   and kind in ('cash', 'check', 'card', 'external', 'promotions', 'adjustments')))
                        """)
                .bind("business_id", caller.businessId())
                .bind("client_id", clientId)
                .mapTo(Long.class)
                .list());
    }

    private static LocalDate date(String text) {
        return DateInput.parse(text, "expiresOn");
    }

    private ZoneId zone(ApiKeys.Caller caller) {
        return ZoneId.of(jdbi.withHandle(handle -> handle.createQuery("select time_zone from businesses where id = :id")
                .bind("id", caller.businessId())
                .mapTo(String.class)
                .one()));
    }

    private static OutcomeJson json(ClientMoney.Outcome outcome, ApiKeys.Caller caller) {
        return new OutcomeJson(
                outcome.entryId(),
                ClientsApi.json(outcome.client(), caller.currency()),
                outcome.paid().stream()
                        .map(allocation -> new AllocationJson(allocation.invoiceId(), allocation.amountMinor()))
                        .toList(),
                outcome.keptAsOpenPaymentMinor());
    }
}

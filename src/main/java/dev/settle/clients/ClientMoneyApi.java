package dev.settle.clients;

import dev.settle.Problem;
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

/** {@code /api/v1/clients/{id}/open-payments}, {@code .../refunds} and {@code .../credits}. */
public final class ClientMoneyApi {
    private final Jdbi jdbi;
    private final ClientMoney money;
    private final ApiWrites writes;

    public ClientMoneyApi(Jdbi jdbi, ClientMoney money, ApiWrites writes) {
        this.jdbi = jdbi;
        this.money = money;
        this.writes = writes;
    }

    record PaymentBody(Long amountMinor, String currency, String tender, String reference, String note) {}

    record CreditBody(Long amountMinor, String currency, String reason, String note, String expiresOn) {}

    record OutcomeJson(long entryId, ClientsApi.ClientJson client) {}

    public void receiveOpenPayment(Context ctx) {
        submitPayment(
                ctx,
                (handle, caller, clientId, payment) -> money.receiveOpenPayment(
                        handle, caller.businessId(), clientId, payment, Actor.apiKey(caller.apiKeyId())));
    }

    public void refundOpenPayment(Context ctx) {
        submitPayment(
                ctx,
                (handle, caller, clientId, payment) -> money.refundOpenPayment(
                        handle, caller.businessId(), clientId, payment, Actor.apiKey(caller.apiKeyId())));
    }

    public void issueCredit(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long clientId = PathIds.of(ctx, "clientId");
        final CreditBody body = Json.read(ctx, CreditBody.class);
        ClientMoney.checkCurrency(body.currency(), caller.currency());
        final LocalDate today = LocalDate.now(zone(caller));
        final ClientMoney.Credit credit = ClientMoney.Credit.of(
                amount(body.amountMinor()),
                ClientMoney.CreditReason.parse(body.reason(), "reason"),
                body.note(),
                Optional.ofNullable(body.expiresOn()).map(ClientMoneyApi::date),
                today);
        writes.submit(
                ctx,
                caller,
                accounts(caller, clientId),
                201,
                handle -> money.issueCredit(
                        handle, caller.businessId(), clientId, credit, Actor.apiKey(caller.apiKeyId())),
                outcome -> json(outcome, caller));
    }

    private interface PaymentOperation {
        ClientMoney.Outcome apply(
                org.jdbi.v3.core.Handle handle, ApiKeys.Caller caller, long clientId, ClientMoney.Payment payment);
    }

    private void submitPayment(Context ctx, PaymentOperation operation) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long clientId = PathIds.of(ctx, "clientId");
        final PaymentBody body = Json.read(ctx, PaymentBody.class);
        ClientMoney.checkCurrency(body.currency(), caller.currency());
        final ClientMoney.Payment payment = ClientMoney.Payment.of(
                amount(body.amountMinor()),
                ClientMoney.Tender.parse(body.tender(), "tender"),
                body.reference(),
                body.note());
        writes.submit(
                ctx,
                caller,
                accounts(caller, clientId),
                201,
                handle -> operation.apply(handle, caller, clientId, payment),
                outcome -> json(outcome, caller));
    }

    /**
     * The accounts the write will lock, declared so the group-commit batcher takes them in order
     * (see WriteBatcher): the client's own, and the business's tender and promotions accounts.
     */
    private List<Long> accounts(ApiKeys.Caller caller, long clientId) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        select id from accounts
                        where business_id = :business_id
                          and (client_id = :client_id
                               or (client_id is null and gift_card_id is null
                                   and kind in ('cash', 'check', 'card', 'external', 'promotions')))
                        """)
                .bind("business_id", caller.businessId())
                .bind("client_id", clientId)
                .mapTo(Long.class)
                .list());
    }

    private static long amount(Long amountMinor) {
        if (amountMinor == null) {
            throw Problem.validation("amountMinor", "amountMinor is required: an integer of minor units, e.g. 2500");
        }
        return amountMinor;
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
        return new OutcomeJson(outcome.entryId(), ClientsApi.json(outcome.client(), caller.currency()));
    }
}

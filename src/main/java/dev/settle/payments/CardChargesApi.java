package dev.settle.payments;

import dev.settle.Problem;
import dev.settle.business.ApiKeys;
import dev.settle.clients.ClientMoney;
import dev.settle.clients.Clients;
import dev.settle.ledger.Actor;
import dev.settle.web.ApiAuth;
import dev.settle.web.ApiWrites;
import dev.settle.web.Json;
import dev.settle.web.PathIds;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Charging a card a client kept with the processor, over the API: towards one invoice, or towards
 * the balance due (the rest kept as an open payment). The processor is called outside any
 * database transaction, so an Idempotency-Key is required: a retry with it reaches the same
 * charge at the processor and is answered from it, never charged again.
 */
public final class CardChargesApi {
    /** Short enough that Settle's prefix keeps it within Stripe's 255 characters. */
    private static final int KEY_LENGTH_MAX = 200;

    private final Jdbi jdbi;
    private final Clients clients;
    private final CardPayments payments;

    public CardChargesApi(Jdbi jdbi, Clients clients, CardPayments payments) {
        this.jdbi = jdbi;
        this.clients = clients;
        this.payments = payments;
    }

    record ChargeBody(Long savedCardId, Long amountMinor, String currency, String as) {}

    public void savedCards(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long clientId = PathIds.of(ctx, "clientId");
        ctx.json(Map.of(
                "savedCards",
                jdbi
                        .withHandle(handle -> {
                            clients.require(handle, caller.businessId(), clientId);
                            return payments.savedCards(handle, caller.businessId(), clientId);
                        })
                        .stream()
                        .map(CardChargesApi::json)
                        .toList()));
    }

    public void chargeInvoice(Context ctx) {
        charge(ctx, Optional.of(PathIds.of(ctx, "invoiceId")), Optional.empty());
    }

    public void chargeClient(Context ctx) {
        charge(ctx, Optional.empty(), Optional.of(PathIds.of(ctx, "clientId")));
    }

    private void charge(Context ctx, Optional<Long> invoiceId, Optional<Long> clientId) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final String key = Optional.ofNullable(ctx.header(ApiWrites.IDEMPOTENCY_HEADER))
                .filter(text -> !text.isBlank() && text.length() <= KEY_LENGTH_MAX)
                .orElseThrow(() -> Problem.validation(
                        ApiWrites.IDEMPOTENCY_HEADER,
                        "A card charge needs an Idempotency-Key header (1 to " + KEY_LENGTH_MAX
                                + " characters), so a retry never charges twice"));
        final ChargeBody body = Json.read(ctx, ChargeBody.class);
        ClientMoney.checkCurrency(body.currency(), caller.currency());
        final long amountMinor = ClientMoney.requiredAmount(body.amountMinor());
        if (body.savedCardId() == null) {
            throw Problem.validation("savedCardId", "savedCardId is required");
        }
        clientId.ifPresent(id -> jdbi.useHandle(handle -> clients.require(handle, caller.businessId(), id)));
        final CardPayments.Purpose purpose =
                invoiceId.isPresent() ? CardPayments.Purpose.INVOICE : CardPayments.Purpose.forClient(body.as(), "as");
        final CardPayments.Settled settled = payments.chargeSaved(
                caller.businessId(),
                clientId,
                body.savedCardId(),
                purpose,
                invoiceId,
                amountMinor,
                Actor.apiKey(caller.apiKeyId()),
                "api-" + caller.apiKeyId() + "-" + key);
        if (settled.state() == CardProcessor.State.DECLINED) {
            throw new Problem(
                    Problem.Kind.CARD_DECLINED,
                    "savedCardId",
                    settled.declineReason().orElse("The card was declined") + " Nothing was charged.");
        }
        final Map<String, Object> json = new LinkedHashMap<>();
        json.put("state", settled.state().name().toLowerCase(java.util.Locale.ROOT));
        json.put("amountMinor", amountMinor);
        json.put("currency", caller.currency());
        settled.invoiceId().ifPresent(id -> json.put("invoiceId", id));
        settled.cardLast4().ifPresent(last4 -> json.put("cardLast4", last4));
        ctx.status(settled.state() == CardProcessor.State.SUCCEEDED ? 201 : 202).json(json);
    }

    private static Map<String, Object> json(CardPayments.SavedCard card) {
        final Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", card.id());
        json.put("brand", card.brand());
        json.put("last4", card.last4());
        card.expMonth().ifPresent(month -> json.put("expMonth", month));
        card.expYear().ifPresent(year -> json.put("expYear", year));
        return json;
    }
}

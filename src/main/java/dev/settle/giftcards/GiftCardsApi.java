package dev.settle.giftcards;

import dev.settle.Problem;
import dev.settle.business.ApiKeys;
import dev.settle.business.BusinessSettings;
import dev.settle.clients.ClientMoney;
import dev.settle.clients.ClientsApi;
import dev.settle.ledger.AccountKind;
import dev.settle.ledger.Actor;
import dev.settle.web.ApiAuth;
import dev.settle.web.ApiWrites;
import dev.settle.web.Json;
import dev.settle.web.PathIds;
import io.javalin.http.Context;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** {@code /api/v1/gift-cards}: issue, read, look up by code, redeem, load onto a client, void. */
public final class GiftCardsApi {
    private final Jdbi jdbi;
    private final GiftCards giftCards;
    private final GiftCardLookups lookups;
    private final ApiWrites writes;
    private final BusinessSettings settings = new BusinessSettings();

    public GiftCardsApi(Jdbi jdbi, GiftCards giftCards, GiftCardLookups lookups, ApiWrites writes) {
        this.jdbi = jdbi;
        this.giftCards = giftCards;
        this.lookups = lookups;
        this.writes = writes;
    }

    record PromotionBody(Long amountMinor, String currency, String reason, String recipientName) {}

    record LookupBody(String code) {}

    record RedemptionBody(Long invoiceId, Long amountMinor, String currency) {}

    record LoadBody(Long clientId) {}

    record VoidBody(String refundTo) {}

    record MovementJson(
            long entryId,
            OffsetDateTime at,
            String kind,
            Optional<String> memo,
            long amountMinor,
            long balanceAfterMinor,
            Optional<Long> invoiceId,
            Optional<Long> clientId) {}

    record CardJson(
            long id,
            String last4,
            String status,
            String currency,
            long amountMinor,
            long balanceMinor,
            String fundedBy,
            Optional<Long> invoiceId,
            Optional<String> reason,
            Optional<String> recipientName,
            Optional<LocalDate> expiresOn,
            OffsetDateTime createdAt,
            Optional<OffsetDateTime> voidedAt,
            Optional<List<MovementJson>> history) {}

    /** A new card with its code, which is shown in this answer only. */
    record IssuedJson(String code, CardJson giftCard) {}

    record LoadedJson(CardJson giftCard, ClientsApi.ClientJson client, long loadedMinor) {}

    /** Issues a promotional card (not paid for: funded by the promotions account). Sold cards are ticket lines. */
    public void create(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final PromotionBody body = Json.read(ctx, PromotionBody.class);
        final long amountMinor = ClientMoney.requiredAmount(body.amountMinor());
        ClientMoney.checkCurrency(body.currency(), caller.currency());
        writes.submit(
                ctx,
                caller,
                List.of(),
                201,
                handle -> {
                    final GiftCards.Issued issued = giftCards.promote(
                            handle,
                            caller.businessId(),
                            amountMinor,
                            body.reason(),
                            Optional.ofNullable(body.recipientName()),
                            actor(caller));
                    return new IssuedJson(issued.groupedCode(), json(handle, issued.card(), caller, false));
                },
                json -> json);
    }

    public void get(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long cardId = PathIds.of(ctx, "giftCardId");
        ctx.json(jdbi.withHandle(
                handle -> json(handle, giftCards.require(handle, caller.businessId(), cardId), caller, true)));
    }

    /**
     * The card with this code, for a balance check. Wrong codes are counted against the caller's
     * address and the code's first characters; too many answer 429 until the window passes.
     */
    public void lookup(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final LookupBody body = Json.read(ctx, LookupBody.class);
        if (body.code() == null || body.code().isBlank()) {
            throw Problem.validation("code", "code is required: the 16 characters on the card");
        }
        final GiftCards.Card card = lookups.find(caller.businessId(), body.code(), "api:" + caller.apiKeyId());
        ctx.json(jdbi.withHandle(handle -> json(handle, card, caller, false)));
    }

    /** Pays part or all of an open invoice from the card. */
    public void redeem(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long cardId = PathIds.of(ctx, "giftCardId");
        final RedemptionBody body = Json.read(ctx, RedemptionBody.class);
        final long amountMinor = ClientMoney.requiredAmount(body.amountMinor());
        ClientMoney.checkCurrency(body.currency(), caller.currency());
        if (body.invoiceId() == null) {
            throw Problem.validation("invoiceId", "invoiceId is required: the open invoice the card pays");
        }
        writes.submit(
                ctx,
                caller,
                cardAccount(caller, cardId),
                201,
                handle -> json(
                        handle,
                        giftCards.redeemOnInvoice(
                                handle, caller.businessId(), cardId, body.invoiceId(), amountMinor, actor(caller)),
                        caller,
                        false),
                json -> json);
    }

    /** Everything the card holds onto the client's account as an open payment. */
    public void loadToClient(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long cardId = PathIds.of(ctx, "giftCardId");
        final LoadBody body = Json.read(ctx, LoadBody.class);
        if (body.clientId() == null) {
            throw Problem.validation("clientId", "clientId is required: the client whose account takes the value");
        }
        writes.submit(
                ctx,
                caller,
                cardAccount(caller, cardId),
                201,
                handle -> {
                    final GiftCards.Loaded loaded =
                            giftCards.loadToClient(handle, caller.businessId(), cardId, body.clientId(), actor(caller));
                    return new LoadedJson(
                            json(handle, loaded.card(), caller, false),
                            ClientsApi.json(loaded.client(), caller.currency()),
                            loaded.amountMinor());
                },
                json -> json);
    }

    /** Voids the card; what it holds goes back to promotions, or to the buyer by {@code refundTo}. */
    public void voidCard(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long cardId = PathIds.of(ctx, "giftCardId");
        final VoidBody body = ctx.body().isBlank() ? new VoidBody(null) : Json.read(ctx, VoidBody.class);
        final Optional<AccountKind> refundTo =
                Optional.ofNullable(body.refundTo()).map(GiftCardsApi::tender);
        writes.submit(
                ctx,
                caller,
                cardAccount(caller, cardId),
                200,
                handle -> json(
                        handle,
                        giftCards.voidCard(handle, caller.businessId(), cardId, refundTo, actor(caller)),
                        caller,
                        false),
                json -> json);
    }

    static AccountKind tender(String text) {
        return GiftCards.REFUND_TENDERS.stream()
                .filter(kind -> kind.dbName.equals(text))
                .findFirst()
                .orElseThrow(() -> Problem.validation("refundTo", "refundTo must be cash, card, check or external"));
    }

    private List<Long> cardAccount(ApiKeys.Caller caller, long cardId) {
        return jdbi.withHandle(
                handle -> giftCards.find(handle, caller.businessId(), cardId).map(GiftCards.Card::accountId).stream()
                        .toList());
    }

    CardJson json(Handle handle, GiftCards.Card card, ApiKeys.Caller caller, boolean withHistory) {
        final LocalDate today =
                LocalDate.now(settings.find(handle, caller.businessId()).timeZone());
        return new CardJson(
                card.id(),
                card.last4(),
                card.status(today).dbName,
                caller.currency(),
                card.amountMinor(),
                card.balanceMinor(),
                card.fundedBy(),
                card.invoiceId(),
                card.reason(),
                card.recipientName(),
                card.expiresOn(),
                card.createdAt(),
                card.voidedAt(),
                withHistory
                        ? Optional.of(giftCards.history(handle, card).stream()
                                .map(movement -> new MovementJson(
                                        movement.entryId(),
                                        movement.at(),
                                        movement.kind(),
                                        movement.memo(),
                                        movement.amountMinor(),
                                        movement.balanceAfterMinor(),
                                        movement.invoiceId(),
                                        movement.clientId()))
                                .toList())
                        : Optional.empty());
    }

    private static Actor actor(ApiKeys.Caller caller) {
        return Actor.apiKey(caller.apiKeyId());
    }
}

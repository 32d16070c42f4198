package dev.settle.giftcards;

import dev.settle.Problem;
import dev.settle.business.BusinessSettings;
import dev.settle.business.Businesses;
import dev.settle.business.TextInput;
import dev.settle.clients.ClientMoney;
import dev.settle.clients.Clients;
import dev.settle.clients.CreditGrants;
import dev.settle.invoices.Invoices;
import dev.settle.ledger.AccountKind;
import dev.settle.ledger.Actor;
import dev.settle.ledger.EntryRequest;
import dev.settle.ledger.Ledger;
import dev.settle.ledger.PostedEntry;
import dev.settle.ledger.PostingRequest;
import dev.settle.money.Money;
import dev.settle.web.Formats;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Gift cards (decision 0013): each a liability held in its own account, moved only by entries. Sold
 * on a ticket (see {@code Checkouts}) or issued as a promotion (funded by the promotions account,
 * not paid for); redeemed in part at checkout or on an open invoice; loaded onto a client's account
 * as an open payment; voided by a manager, the unused value going back where it came from.
 */
public final class GiftCards {

    public enum Status {
        ACTIVE("active", "Active"),
        EMPTY("empty", "Empty"),
        EXPIRED("expired", "Expired"),
        VOID("void", "Void");

        public final String dbName;
        public final String label;

        Status(String dbName, String label) {
            this.dbName = dbName;
            this.label = label;
        }

        public static Optional<Status> parse(String text, String field) {
            if (text == null || text.isBlank()) {
                return Optional.empty();
            }
            return Optional.of(Arrays.stream(values())
                    .filter(status -> status.dbName.equals(text))
                    .findFirst()
                    .orElseThrow(() -> Problem.validation(field, "status must be active, empty, expired or void")));
        }
    }

    public record Card(
            long businessId,
            long id,
            long accountId,
            String last4,
            long amountMinor,
            long balanceMinor,
            String fundedBy,
            Optional<Long> invoiceId,
            Optional<String> reason,
            Optional<String> recipientName,
            Optional<LocalDate> expiresOn,
            OffsetDateTime createdAt,
            Optional<OffsetDateTime> voidedAt) {

        public Status status(LocalDate today) {
            if (voidedAt.isPresent()) {
                return Status.VOID;
            }
            if (balanceMinor == 0) {
                return Status.EMPTY;
            }
            return expiresOn.filter(last -> last.isBefore(today)).isPresent() ? Status.EXPIRED : Status.ACTIVE;
        }

        /** "Gift card ending WXYZ": how staff and receipts name it (the code is never shown again). */
        public String label() {
            return "Gift card ending " + last4;
        }

        public boolean promotional() {
            return fundedBy.equals("promotion");
        }
    }

    /** A card just made, with its code: shown this once, never stored. */
    public record Issued(Card card, String code) {
        public String groupedCode() {
            return GiftCardCodes.grouped(code);
        }
    }

    /** One movement of a card's value. */
    public record Movement(
            long entryId,
            OffsetDateTime at,
            String kind,
            Optional<String> memo,
            long amountMinor,
            long balanceAfterMinor,
            Optional<Long> invoiceId,
            Optional<Long> clientId) {}

    private final Ledger ledger;
    private final Businesses businesses;
    private final Clients clients;
    private final BusinessSettings settings = new BusinessSettings();

    public GiftCards(Ledger ledger, Businesses businesses, Clients clients) {
        this.ledger = ledger;
        this.businesses = businesses;
        this.clients = clients;
    }

    /**
     * Checks a card may be sold or issued for {@code amountMinor}: gift cards on, the amount within
     * the business's range.
     */
    public BusinessSettings.Settings checkSale(Handle handle, long businessId, long amountMinor, String field) {
        final BusinessSettings.Settings business = settings.find(handle, businessId);
        if (!business.giftCardsEnabled()) {
            throw Problem.validation(field, "Gift cards are turned off in Settings");
        }
        final BusinessSettings.GiftCardPolicy policy = business.giftCards();
        if (amountMinor < policy.minMinor() || amountMinor > policy.maxMinor()) {
            throw Problem.validation(
                    field,
                    "A gift card is " + shown(business, policy.minMinor()) + " to "
                            + shown(business, policy.maxMinor()));
        }
        return business;
    }

    /**
     * Writes a card and its account, with a fresh code; the caller posts the entry that puts its
     * value on it (a sale's checkout, or {@link #promote}).
     */
    public Issued create(
            Handle handle,
            long businessId,
            long amountMinor,
            Optional<Long> invoiceId,
            Optional<String> reason,
            Optional<String> recipientName,
            Actor actor) {
        final BusinessSettings.Settings business = checkSale(handle, businessId, amountMinor, "amountMinor");
        final String code = GiftCardCodes.random();
        final Optional<LocalDate> expiresOn = business.giftCards()
                .expiryMonths()
                .map(months -> LocalDate.now(business.timeZone()).plusMonths(months));
        final long cardId = handle.createQuery("""
                insert into gift_cards (business_id, code_hash, last4, amount_minor, funded_by, invoice_id, reason,
                                        recipient_name, expires_on, created_by_staff_id, created_by_api_key_id,
                                        created_at)
                values (:business_id, :code_hash, :last4, :amount, :funded_by, :invoice_id, :reason, :recipient,
                        :expires_on, :staff_id, :api_key_id,
                        coalesce(nullif(current_setting('settle.effective_at', true), '')::timestamptz,
                                 clock_timestamp()))
                returning id
                """)
                .bind("business_id", businessId)
                .bind("code_hash", GiftCardCodes.hash(businessId, code))
                .bind("last4", GiftCardCodes.last4(code))
                .bind("amount", amountMinor)
                .bind("funded_by", invoiceId.isPresent() ? "sale" : "promotion")
                .bind("invoice_id", invoiceId.orElse(null))
                .bind("reason", reason.orElse(null))
                .bind("recipient", recipientName.orElse(null))
                .bind("expires_on", expiresOn.orElse(null))
                .bind("staff_id", actor.staffUserId().orElse(null))
                .bind("api_key_id", actor.apiKeyId().orElse(null))
                .mapTo(Long.class)
                .one();
        handle.createUpdate(
                        "insert into accounts (business_id, kind, gift_card_id) values (:business_id, 'gift_card', :id)")
                .bind("business_id", businessId)
                .bind("id", cardId)
                .execute();
        return new Issued(find(handle, businessId, cardId).orElseThrow(), code);
    }

    /** A card given away (a promotion, a make-good): its value comes from the promotions account. */
    public Issued promote(
            Handle handle,
            long businessId,
            long amountMinor,
            String reason,
            Optional<String> recipientName,
            Actor actor) {
        final String why = TextInput.required(reason, "reason", "Reason", 500);
        final Optional<String> recipient =
                TextInput.optional(recipientName.orElse(null), "recipientName", "Recipient", 200);
        final Issued issued =
                create(handle, businessId, amountMinor, Optional.empty(), Optional.of(why), recipient, actor);
        ledger.post(
                handle,
                new EntryRequest(
                        businessId,
                        "gift_card_promotion",
                        Optional.of(issued.card().label() + " issued as a promotion: " + why),
                        actor,
                        Optional.empty(),
                        Optional.empty(),
                        List.of(
                                PostingRequest.debit(
                                        businesses.accountId(handle, businessId, AccountKind.PROMOTIONS), amountMinor),
                                PostingRequest.credit(issued.card().accountId(), amountMinor))));
        return new Issued(find(handle, businessId, issued.card().id()).orElseThrow(), issued.code());
    }

    /** Names who a card is for (a card bought in the portal is sold before its recipient is set). */
    public void nameRecipient(Handle handle, long businessId, long cardId, String recipientName) {
        handle.createUpdate(
                        "update gift_cards set recipient_name = :name where business_id = :business_id and id = :id")
                .bind("name", recipientName)
                .bind("business_id", businessId)
                .bind("id", cardId)
                .execute();
    }

    /** The email that gives a card to its recipient: amount, message, code and how to use it. */
    public static String emailText(
            BusinessSettings.Settings business, GiftCards.Card card, String code, String message) {
        final Formats formats = new Formats(business.locale(), business.timeZone(), business.currency());
        final StringBuilder text = new StringBuilder();
        card.recipientName().ifPresent(name -> text.append("Dear ").append(name).append(",\n\n"));
        text.append("You have a ")
                .append(formats.money(card.amountMinor()))
                .append(" gift card from ")
                .append(business.name())
                .append(".\n\n");
        if (!message.isBlank()) {
            text.append(message.strip()).append("\n\n");
        }
        text.append("Your code: ").append(code).append("\n\n");
        text.append(card.expiresOn()
                .map(last -> "Use it by " + formats.day(last) + ", ")
                .orElse("It never expires. Use it "));
        text.append("in part or in full: show this code at the desk, and what is left stays on the card.\n");
        return text.toString();
    }

    public Optional<Card> find(Handle handle, long businessId, long cardId) {
        return handle.createQuery(SELECT + "where g.business_id = :business_id and g.id = :id")
                .bind("business_id", businessId)
                .bind("id", cardId)
                .map(GiftCards::card)
                .findOne();
    }

    public Card require(Handle handle, long businessId, long cardId) {
        return find(handle, businessId, cardId)
                .orElseThrow(() -> Problem.notFound("giftCardId", "no gift card has id " + cardId));
    }

    /** The business's card with this code, if the code is one; never another business's. */
    public Optional<Card> byCode(Handle handle, long businessId, String typed) {
        return GiftCardCodes.normalize(typed)
                .flatMap(code -> handle.createQuery(
                                SELECT + "where g.business_id = :business_id and g.code_hash = :code_hash")
                        .bind("business_id", businessId)
                        .bind("code_hash", GiftCardCodes.hash(businessId, code))
                        .map(GiftCards::card)
                        .findOne());
    }

    /**
     * The card, refused if it cannot give {@code amountMinor} now: void, expired, or holding less.
     * The caller holds the card's account lock, so the balance cannot change before it posts.
     */
    public Card spendable(Handle handle, Card card, long amountMinor, String field) {
        final BusinessSettings.Settings business = settings.find(handle, card.businessId());
        final Status status = card.status(LocalDate.now(business.timeZone()));
        if (status == Status.VOID || status == Status.EXPIRED) {
            throw new Problem(
                    Problem.Kind.CONFLICT,
                    field,
                    card.label() + " is " + status.label.toLowerCase(java.util.Locale.ROOT) + " and cannot be used");
        }
        if (amountMinor > card.balanceMinor()) {
            throw new Problem(
                    Problem.Kind.INSUFFICIENT_FUNDS,
                    field,
                    card.label() + " holds " + shown(business, card.balanceMinor()) + ", not "
                            + shown(business, amountMinor));
        }
        return card;
    }

    /** Pays part or all of an open invoice from the card, in one entry, recorded as its payment. */
    public Card redeemOnInvoice(
            Handle handle, long businessId, long cardId, long invoiceId, long amountMinor, Actor actor) {
        ClientMoney.checkAmount(amountMinor);
        final Card unlocked = require(handle, businessId, cardId);
        final Invoices invoices = new Invoices();
        final Invoices.Invoice unlockedInvoice = invoices.find(handle, businessId, invoiceId)
                .orElseThrow(() -> Problem.validation("invoiceId", "No invoice has id " + invoiceId));
        if (unlockedInvoice.status() != Invoices.Status.OPEN) {
            throw new Problem(
                    Problem.Kind.CONFLICT,
                    "invoiceId",
                    "Invoice " + invoiceId + " is "
                            + unlockedInvoice.status().label.toLowerCase(java.util.Locale.ROOT)
                            + ": only an open invoice can be paid");
        }
        final Clients.Client client =
                clients.require(handle, businessId, unlockedInvoice.clientId().orElseThrow());
        ledger.lock(
                handle,
                businessId,
                List.of(unlocked.accountId(), client.receivable().id()));
        final Card card = spendable(handle, require(handle, businessId, cardId), amountMinor, "amountMinor");
        final Invoices.Invoice invoice =
                invoices.find(handle, businessId, invoiceId).orElseThrow();
        if (amountMinor > invoice.unpaidMinor()) {
            throw new Problem(
                    Problem.Kind.OVERPAID,
                    "amountMinor",
                    "Invoice " + invoiceId + " has only "
                            + shown(settings.find(handle, businessId), invoice.unpaidMinor()) + " unpaid");
        }
        final PostedEntry entry = ledger.post(
                handle,
                new EntryRequest(
                                businessId,
                                "gift_card_redemption",
                                Optional.of(card.label() + " paid invoice " + invoiceId),
                                actor,
                                Optional.of(client.id()),
                                Optional.empty(),
                                List.of(
                                        PostingRequest.debit(card.accountId(), amountMinor),
                                        PostingRequest.credit(
                                                        client.receivable().id(), amountMinor)
                                                .onInvoice(invoiceId)))
                        .aboutInvoice(invoiceId));
        invoices.recordPayments(
                handle,
                businessId,
                invoiceId,
                entry.id(),
                List.of(new Invoices.Payment(
                        0,
                        entry.id(),
                        "gift_card",
                        amountMinor,
                        Optional.empty(),
                        0,
                        Optional.of(card.last4()),
                        Optional.empty(),
                        0,
                        Optional.of(card.id()))));
        return require(handle, businessId, cardId);
    }

    /** What loading a card did: the emptied card and the client it now belongs to. */
    public record Loaded(Card card, Clients.Client client, long amountMinor) {}

    /**
     * Moves everything the card holds onto the client's account, in one entry: a sold card's value
     * becomes an open payment (money the client paid), a promotional card's a credit (value the
     * business gave, which is never refunded as money). The card is empty after.
     */
    public Loaded loadToClient(Handle handle, long businessId, long cardId, long clientId, Actor actor) {
        final Card unlocked = require(handle, businessId, cardId);
        final Clients.Client client = clients.find(handle, businessId, clientId)
                .orElseThrow(() -> Problem.validation("clientId", "No client has id " + clientId));
        if (client.archived()) {
            throw new Problem(Problem.Kind.CLIENT_ARCHIVED, "clientId", client.name() + " is archived");
        }
        final long target = unlocked.promotional()
                ? client.credits().id()
                : client.openPayments().id();
        ledger.lock(handle, businessId, List.of(unlocked.accountId(), target));
        final Card card = require(handle, businessId, cardId);
        if (card.balanceMinor() == 0) {
            throw new Problem(Problem.Kind.CONFLICT, "giftCardId", card.label() + " is empty: nothing to load");
        }
        spendable(handle, card, card.balanceMinor(), "giftCardId");
        final long amount = card.balanceMinor();
        final PostedEntry entry = ledger.post(
                handle,
                new EntryRequest(
                        businessId,
                        "gift_card_load",
                        Optional.of(card.label() + " loaded onto " + client.name() + "'s account as "
                                + (card.promotional() ? "a credit" : "an open payment")),
                        actor,
                        Optional.of(client.id()),
                        Optional.empty(),
                        List.of(
                                PostingRequest.debit(card.accountId(), amount),
                                PostingRequest.credit(target, amount))));
        if (card.promotional()) {
            new CreditGrants().grant(handle, businessId, client.id(), entry.id(), amount, card.expiresOn());
        }
        return new Loaded(
                require(handle, businessId, cardId),
                clients.find(handle, businessId, clientId).orElseThrow(),
                amount);
    }

    /** How a sold card's unused value is given back when it is voided. */
    public static final List<AccountKind> REFUND_TENDERS =
            List.of(AccountKind.CASH, AccountKind.CARD, AccountKind.CHECK, AccountKind.EXTERNAL);

    /**
     * Voids a card: whatever it still holds goes back where it came from, in one entry — a
     * promotional card's to the promotions account, a sold card's to the buyer by {@code refundTo}.
     * Nothing is deleted; a void card is never used or reactivated.
     */
    public Card voidCard(Handle handle, long businessId, long cardId, Optional<AccountKind> refundTo, Actor actor) {
        final Card unlocked = require(handle, businessId, cardId);
        final long back = businesses.accountId(
                handle,
                businessId,
                unlocked.promotional()
                        ? AccountKind.PROMOTIONS
                        : refundTo.filter(REFUND_TENDERS::contains)
                                .orElseThrow(
                                        () -> Problem.validation(
                                                "refundTo",
                                                "Say how the buyer gets the unused value back: cash, card, check or external")));
        ledger.lock(handle, businessId, List.of(unlocked.accountId(), back));
        final Card card = require(handle, businessId, cardId);
        if (card.voidedAt().isPresent()) {
            throw new Problem(Problem.Kind.CONFLICT, "giftCardId", card.label() + " is already void");
        }
        if (card.balanceMinor() > 0) {
            ledger.post(
                    handle,
                    new EntryRequest(
                            businessId,
                            "gift_card_void",
                            Optional.of("Void of " + card.label()
                                    + (card.promotional() ? ": back to promotions" : ": refunded to the buyer")),
                            actor,
                            Optional.empty(),
                            Optional.empty(),
                            List.of(
                                    PostingRequest.debit(card.accountId(), card.balanceMinor()),
                                    PostingRequest.credit(back, card.balanceMinor()))));
        }
        handle.createUpdate(
                        "update gift_cards set voided_at = clock_timestamp() where business_id = :business_id and id = :id")
                .bind("business_id", businessId)
                .bind("id", cardId)
                .execute();
        return require(handle, businessId, cardId);
    }

    /** Cards newest first, of one status or all; at most {@code limit}. */
    public List<Card> list(Handle handle, long businessId, Optional<Status> status, ZoneId zone, int limit) {
        final String where = switch (status.orElse(null)) {
            case null -> "";
            case ACTIVE ->
                "and g.voided_at is null and a.balance_minor > 0"
                        + " and (g.expires_on is null or g.expires_on >= :today)";
            case EMPTY -> "and g.voided_at is null and a.balance_minor = 0";
            case EXPIRED -> "and g.voided_at is null and a.balance_minor > 0 and g.expires_on < :today";
            case VOID -> "and g.voided_at is not null";
        };
        return handle.createQuery(
                        SELECT + "where g.business_id = :business_id " + where + " order by g.id desc limit :limit")
                .bind("business_id", businessId)
                .bind("today", LocalDate.now(zone))
                .bind("limit", limit)
                .map(GiftCards::card)
                .list();
    }

    /** What all the business's cards still hold: the gift card liability. */
    public long outstandingMinor(Handle handle, long businessId) {
        return handle.createQuery("""
                select coalesce(sum(balance_minor), 0) from accounts
                where business_id = :business_id and kind = 'gift_card'
                """)
                .bind("business_id", businessId)
                .mapTo(Long.class)
                .one();
    }

    /** Every movement of the card's value, oldest first. */
    public List<Movement> history(Handle handle, Card card) {
        return handle.createQuery("""
                select e.id, e.effective_at, e.kind, e.memo, -p.amount_minor as amount_minor,
                       p.balance_after_minor, e.invoice_id, e.client_id
                from postings p
                join journal_entries e on e.business_id = p.business_id and e.id = p.entry_id
                where p.business_id = :business_id and p.account_id = :account_id
                order by p.account_version
                """)
                .bind("business_id", card.businessId())
                .bind("account_id", card.accountId())
                .map((rs, ctx) -> new Movement(
                        rs.getLong("id"),
                        rs.getObject("effective_at", OffsetDateTime.class),
                        rs.getString("kind"),
                        Optional.ofNullable(rs.getString("memo")),
                        rs.getLong("amount_minor"),
                        rs.getLong("balance_after_minor"),
                        Optional.ofNullable(rs.getObject("invoice_id", Long.class)),
                        Optional.ofNullable(rs.getObject("client_id", Long.class))))
                .list();
    }

    /** The cards a ticket sold. */
    public List<Card> soldOn(Handle handle, long businessId, long invoiceId) {
        return handle.createQuery(
                        SELECT + "where g.business_id = :business_id and g.invoice_id = :invoice_id order by g.id")
                .bind("business_id", businessId)
                .bind("invoice_id", invoiceId)
                .map(GiftCards::card)
                .list();
    }

    private static String shown(BusinessSettings.Settings business, long amountMinor) {
        return new Money(amountMinor, business.currency()).format(business.locale());
    }

    private static final String SELECT = """
            select g.business_id, g.id, a.id as account_id, g.last4, g.amount_minor, a.balance_minor, g.funded_by,
                   g.invoice_id, g.reason, g.recipient_name, g.expires_on, g.created_at, g.voided_at
            from gift_cards g
            join accounts a on a.business_id = g.business_id and a.gift_card_id = g.id
            """;

    private static Card card(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws java.sql.SQLException {
        return new Card(
                rs.getLong("business_id"),
                rs.getLong("id"),
                rs.getLong("account_id"),
                rs.getString("last4"),
                rs.getLong("amount_minor"),
                rs.getLong("balance_minor"),
                rs.getString("funded_by"),
                Optional.ofNullable(rs.getObject("invoice_id", Long.class)),
                Optional.ofNullable(rs.getString("reason")),
                Optional.ofNullable(rs.getString("recipient_name")),
                Optional.ofNullable(rs.getObject("expires_on", LocalDate.class)),
                rs.getObject("created_at", OffsetDateTime.class),
                Optional.ofNullable(rs.getObject("voided_at", OffsetDateTime.class)));
    }
}

package dev.settle.payments;

import dev.settle.Problem;
import dev.settle.business.BusinessSettings;
import dev.settle.business.Businesses;
import dev.settle.business.TextInput;
import dev.settle.clients.ClientMoney;
import dev.settle.clients.Clients;
import dev.settle.giftcards.GiftCardCodes;
import dev.settle.giftcards.GiftCards;
import dev.settle.invoices.Checkouts;
import dev.settle.invoices.Invoices;
import dev.settle.ledger.AccountKind;
import dev.settle.ledger.Actor;
import dev.settle.ledger.EntryRequest;
import dev.settle.ledger.Ledger;
import dev.settle.ledger.PostedEntry;
import dev.settle.ledger.PostingRequest;
import dev.settle.mail.Outbox;
import dev.settle.money.Money;
import dev.settle.notices.ClientNotices;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Card payments through the business's processor: of one invoice, of the whole balance due, or of
 * a gift card bought in the portal; on the processor's page, or by charging a card the client kept
 * there. The amount is decided here, never by a form. The ledger entry is posted only when the
 * processor confirms, exactly once however often that is asked (the payer's return and the
 * processor's webhook both ask): the payment's row is locked and settled in one transaction.
 */
public final class CardPayments {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CardPayments.class);

    /** What a card payment pays for. */
    public enum Purpose {
        INVOICE("invoice"),
        BALANCE("balance"),
        OPEN_PAYMENT("open_payment"),
        GIFT_CARD("gift_card");

        final String dbName;

        Purpose(String dbName) {
            this.dbName = dbName;
        }

        /** What staff may charge a saved card for, from the client's payment screens. */
        public static Purpose forClient(String text, String field) {
            if ("open_payment".equals(text)) {
                return OPEN_PAYMENT;
            }
            if (text == null || text.isBlank() || "balance".equals(text)) {
                return BALANCE;
            }
            throw Problem.validation(field, field + " must be balance or open_payment");
        }

        static Purpose of(String dbName) {
            for (Purpose purpose : values()) {
                if (purpose.dbName.equals(dbName)) {
                    return purpose;
                }
            }
            throw new IllegalArgumentException(dbName);
        }
    }

    /** Where a payment stands after asking the processor. */
    public record Settled(
            CardProcessor.State state,
            Purpose purpose,
            Optional<Long> invoiceId,
            Optional<String> cardLast4,
            Optional<String> declineReason) {}

    /** A card the client kept with the processor, as staff and the client see it. */
    public record SavedCard(
            long id,
            long clientId,
            String processor,
            String brand,
            String last4,
            Optional<Integer> expMonth,
            Optional<Integer> expYear) {
        public String label() {
            return brand + " ending " + last4
                    + expMonth.flatMap(month -> expYear.map(year -> String.format(" (expires %02d/%d)", month, year)))
                            .orElse("");
        }
    }

    /** A gift card a client buys in the portal, for someone they name. */
    public record GiftPurchase(
            long amountMinor, String recipientName, String recipientEmail, Optional<String> message) {
        public static GiftPurchase of(long amountMinor, String name, String email, String message) {
            return new GiftPurchase(
                    amountMinor,
                    TextInput.required(name, "recipientName", "Recipient's name", 200),
                    TextInput.email(email, "recipientEmail"),
                    TextInput.optional(message, "message", "Message", 500));
        }
    }

    private final Jdbi jdbi;
    private final Ledger ledger;
    private final Businesses businesses;
    private final Clients clients;
    private final Invoices invoices;
    private final ClientMoney money;
    private final Checkouts checkouts;
    private final GiftCards giftCards;
    private final Outbox outbox;
    private final Map<String, CardProcessor> processors;
    private final BusinessSettings settings = new BusinessSettings();

    public CardPayments(
            Jdbi jdbi,
            Ledger ledger,
            Businesses businesses,
            Clients clients,
            Invoices invoices,
            ClientMoney money,
            Checkouts checkouts,
            GiftCards giftCards,
            Outbox outbox,
            List<CardProcessor> processors) {
        this.jdbi = jdbi;
        this.ledger = ledger;
        this.businesses = businesses;
        this.clients = clients;
        this.invoices = invoices;
        this.money = money;
        this.checkouts = checkouts;
        this.giftCards = giftCards;
        this.outbox = outbox;
        this.processors = processors.stream()
                .collect(java.util.stream.Collectors.toMap(CardProcessor::name, processor -> processor));
    }

    /** Whether the business has connected a processor. */
    public boolean connected(Handle handle, long businessId) {
        return !settings.find(handle, businessId).cardProcessor().equals("none");
    }

    private CardProcessor processor(Handle handle, long businessId, String field) {
        final String name = settings.find(handle, businessId).cardProcessor();
        if (name.equals("none")) {
            throw new Problem(Problem.Kind.CONFLICT, field, "Card payments are not set up here");
        }
        return processors.get(name);
    }

    /** Starts paying what the client's open invoice owes; returns where the payer enters their card. */
    public String startForInvoice(long businessId, long clientId, long invoiceId, String returnUrl, boolean saveCard) {
        final Invoices.Invoice invoice = jdbi.withHandle(handle -> invoices.find(handle, businessId, invoiceId)
                .filter(found -> found.clientId().equals(Optional.of(clientId)))
                .filter(found -> found.status() == Invoices.Status.OPEN)
                .orElseThrow(() -> Problem.notFound("invoiceId", "no open invoice has id " + invoiceId)));
        return start(
                businessId,
                clientId,
                Purpose.INVOICE,
                Optional.of(invoiceId),
                invoice.unpaidMinor(),
                "Invoice " + invoiceId,
                returnUrl,
                saveCard,
                Optional.empty());
    }

    /** Starts paying the client's whole balance due: the oldest invoices first. */
    public String startForBalance(long businessId, long clientId, String returnUrl, boolean saveCard) {
        final long owed = jdbi.withHandle(handle ->
                clients.require(handle, businessId, clientId).receivable().balanceMinor());
        if (owed <= 0) {
            throw Problem.validation("amount", "Nothing is owed now");
        }
        return start(
                businessId,
                clientId,
                Purpose.BALANCE,
                Optional.empty(),
                owed,
                "Balance due",
                returnUrl,
                saveCard,
                Optional.empty());
    }

    /** Starts buying a gift card; the card is made and emailed to its recipient once paid. */
    public String startGiftCard(long businessId, long clientId, GiftPurchase purchase, String returnUrl) {
        jdbi.useHandle(handle -> giftCards.checkSale(handle, businessId, purchase.amountMinor(), "amount"));
        return start(
                businessId,
                clientId,
                Purpose.GIFT_CARD,
                Optional.empty(),
                purchase.amountMinor(),
                "Gift card for " + purchase.recipientName(),
                returnUrl,
                false,
                Optional.of(purchase));
    }

    private String start(
            long businessId,
            long clientId,
            Purpose purpose,
            Optional<Long> invoiceId,
            long amountMinor,
            String description,
            String returnUrl,
            boolean saveCard,
            Optional<GiftPurchase> gift) {
        final CardProcessor processor = jdbi.withHandle(handle -> {
            money.active(handle, businessId, clientId);
            return processor(handle, businessId, "amount");
        });
        final Optional<String> customer =
                saveCard ? Optional.of(customer(processor, businessId, clientId)) : Optional.empty();
        final CardProcessor.Checkout checkout = new CardProcessor.Checkout(
                amountMinor,
                jdbi.withHandle(handle -> settings.find(handle, businessId)).currency(),
                description,
                returnUrl,
                customer);
        final CardProcessor.Intent intent;
        try {
            intent = processor.create(businessId, checkout);
        } catch (CardProcessor.Unavailable down) {
            // No payment page was made, so no card can have been charged.
            throw new Problem(
                    Problem.Kind.UNAVAILABLE,
                    "processor",
                    down.getMessage() + ". Nothing was charged, and this can still be paid later:"
                            + " try again in a few minutes.");
        } catch (CardProcessor.Refused refused) {
            throw new Problem(Problem.Kind.CONFLICT, "processor", refused.getMessage() + ". Nothing was charged.");
        }
        jdbi.useHandle(handle -> insert(
                handle,
                businessId,
                processor.name(),
                intent.id(),
                clientId,
                purpose,
                invoiceId,
                amountMinor,
                saveCard,
                Optional.empty(),
                Actor.system(),
                Optional.empty(),
                gift));
        return intent.payUrl();
    }

    /** The processor's customer for this client, made the first time they keep a card. */
    private String customer(CardProcessor processor, long businessId, long clientId) {
        final Optional<String> known = jdbi.withHandle(handle -> handle.createQuery("""
                        select customer_ref from processor_customers
                        where business_id = :business_id and client_id = :client_id and processor = :processor
                          and account_ref = {account}
                        """.replace("{account}", ACCOUNT))
                .bind("business_id", businessId)
                .bind("client_id", clientId)
                .bind("processor", processor.name())
                .mapTo(String.class)
                .findOne());
        if (known.isPresent()) {
            return known.get();
        }
        final Clients.Client client = jdbi.withHandle(handle -> clients.require(handle, businessId, clientId));
        final String made = processor.newCustomer(businessId, clientId, client.name(), client.email());
        return jdbi.withHandle(handle -> handle.createQuery("""
                        insert into processor_customers (business_id, client_id, processor, account_ref, customer_ref)
                        values (:business_id, :client_id, :processor, {account}, :customer)
                        on conflict (business_id, client_id, processor, account_ref)
                        do update set customer_ref = processor_customers.customer_ref
                        returning customer_ref
                        """.replace("{account}", ACCOUNT))
                .bind("business_id", businessId)
                .bind("client_id", clientId)
                .bind("processor", processor.name())
                .bind("customer", made)
                .mapTo(String.class)
                .one());
    }

    private static void insert(
            Handle handle,
            long businessId,
            String processor,
            String intentId,
            long clientId,
            Purpose purpose,
            Optional<Long> invoiceId,
            long amountMinor,
            boolean saveCard,
            Optional<Long> savedCardId,
            Actor chargedBy,
            Optional<String> chargeKey,
            Optional<GiftPurchase> gift) {
        handle.createUpdate("""
                        insert into card_payments (business_id, processor, intent_id, client_id, purpose, invoice_id,
                                                   amount_minor, save_card, saved_card_id, charged_by_staff_id,
                                                   charged_by_api_key_id, charge_key, gift_recipient_name,
                                                   gift_recipient_email, gift_message)
                        values (:business_id, :processor, :intent_id, :client_id, :purpose, :invoice_id, :amount,
                                :save_card, :saved_card_id, :staff_id, :api_key_id, :charge_key, :gift_name,
                                :gift_email, :gift_message)
                        on conflict do nothing
                        """)
                .bind("charge_key", chargeKey.orElse(null))
                .bind("business_id", businessId)
                .bind("processor", processor)
                .bind("intent_id", intentId)
                .bind("client_id", clientId)
                .bind("purpose", purpose.dbName)
                .bind("invoice_id", invoiceId.orElse(null))
                .bind("amount", amountMinor)
                .bind("save_card", saveCard)
                .bind("saved_card_id", savedCardId.orElse(null))
                .bind("staff_id", chargedBy.staffUserId().orElse(null))
                .bind("api_key_id", chargedBy.apiKeyId().orElse(null))
                .bind("gift_name", gift.map(GiftPurchase::recipientName).orElse(null))
                .bind("gift_email", gift.map(GiftPurchase::recipientEmail).orElse(null))
                .bind("gift_message", gift.flatMap(GiftPurchase::message).orElse(null))
                .execute();
    }

    /**
     * Staff charge a card the client kept: {@code amountMinor} towards one open invoice (never more
     * than it owes), or with no invoice towards the balance due, any rest kept as an open payment.
     * The same {@code idempotencyKey} never charges twice.
     */
    public Settled chargeSaved(
            long businessId,
            Optional<Long> forClient,
            long savedCardId,
            Purpose purpose,
            Optional<Long> invoiceId,
            long amountMinor,
            Actor actor,
            String idempotencyKey) {
        ClientMoney.checkAmount(amountMinor);
        if ((purpose == Purpose.INVOICE) != invoiceId.isPresent() || purpose == Purpose.GIFT_CARD) {
            throw new IllegalArgumentException("a saved card pays an invoice, the balance due or an open payment");
        }
        final String chargeKey = "settle-charge-" + businessId + "-" + idempotencyKey;
        final Optional<String> charged = jdbi.withHandle(handle -> handle.createQuery("""
                        select intent_id from card_payments
                        where business_id = :business_id and charge_key = :key
                          and saved_card_id = :card and amount_minor = :amount and purpose = :purpose
                          and invoice_id is not distinct from :invoice_id
                        """)
                .bind("business_id", businessId)
                .bind("key", chargeKey)
                .bind("purpose", purpose.dbName)
                .bind("card", savedCardId)
                .bind("amount", amountMinor)
                .bind("invoice_id", invoiceId.orElse(null))
                .mapTo(String.class)
                .findOne());
        if (charged.isPresent()) {
            return settleOrPending(businessId, charged.get());
        }
        final SavedCard card = jdbi.withHandle(handle -> savedCard(handle, businessId, savedCardId)
                .filter(found -> forClient.isEmpty() || forClient.get() == found.clientId())
                .orElseThrow(() -> Problem.validation("savedCardId", "The client has no saved card " + savedCardId)));
        final CardProcessor processor = jdbi.withHandle(handle -> {
            if (handle.createQuery(
                            "select exists (select 1 from card_payments where business_id = :b and charge_key = :k)")
                    .bind("b", businessId)
                    .bind("k", chargeKey)
                    .mapTo(Boolean.class)
                    .one()) {
                throw new Problem(
                        Problem.Kind.IDEMPOTENCY_MISMATCH,
                        "Idempotency-Key",
                        "This key was used for a different charge; use a new key for a new charge");
            }
            // An archived client's payment could not be recorded: refuse before charging.
            money.active(handle, businessId, card.clientId());
            final CardProcessor connected = processor(handle, businessId, "savedCardId");
            if (!connected.name().equals(card.processor())) {
                throw Problem.validation(
                        "savedCardId", "That card was saved with another processor: ask the client for a new one");
            }
            if (invoiceId.isPresent()) {
                final Invoices.Invoice invoice = invoices.find(handle, businessId, invoiceId.get())
                        .filter(found -> found.clientId().equals(Optional.of(card.clientId())))
                        .filter(found -> found.status() == Invoices.Status.OPEN)
                        .orElseThrow(() -> Problem.validation(
                                "invoiceId", "The card's client has no open invoice " + invoiceId.get()));
                if (amountMinor > invoice.unpaidMinor()) {
                    final BusinessSettings.Settings business = settings.find(handle, businessId);
                    throw Problem.validation(
                            "amountMinor",
                            "The invoice owes "
                                    + new Money(invoice.unpaidMinor(), business.currency()).format(business.locale())
                                    + "; charge at most that");
                }
            }
            return connected;
        });
        final CardProcessor.CardOnFile onFile = jdbi.withHandle(handle -> onFile(handle, businessId, savedCardId));
        final String intentId = chargeOrExplain(
                processor,
                () -> processor.charge(
                        businessId,
                        onFile,
                        amountMinor,
                        jdbi.withHandle(handle -> settings.find(handle, businessId))
                                .currency(),
                        invoiceId
                                .map(id -> "Invoice " + id)
                                .orElse(purpose == Purpose.OPEN_PAYMENT ? "Paid ahead" : "Balance due"),
                        chargeKey));
        jdbi.useHandle(handle -> insert(
                handle,
                businessId,
                processor.name(),
                intentId,
                card.clientId(),
                purpose,
                invoiceId,
                amountMinor,
                false,
                Optional.of(savedCardId),
                actor,
                Optional.of(chargeKey),
                Optional.empty()));
        return settleOrPending(businessId, intentId);
    }

    /** A charge whose answer never came may still have been made: the desk must not simply retry. */
    private static String chargeOrExplain(CardProcessor processor, java.util.function.Supplier<String> charge) {
        try {
            return charge.get();
        } catch (CardProcessor.Unavailable noAnswer) {
            throw new Problem(
                    Problem.Kind.UNAVAILABLE,
                    "processor",
                    noAnswer.getMessage() + ". Settle cannot tell whether the card was charged: check the "
                            + processor.name() + " dashboard before charging again.");
        } catch (CardProcessor.Refused refused) {
            throw new Problem(Problem.Kind.CONFLICT, "processor", refused.getMessage() + ". Nothing was charged.");
        }
    }

    /**
     * Asks again about payments still pending after a few minutes (a webhook lost, a payer who
     * never came back), for a day after they started. Returns how many it settled either way.
     */
    public int recheckPending() {
        final List<Map.Entry<Long, String>> waiting = jdbi.withHandle(handle -> handle.createQuery("""
                        select business_id, intent_id from card_payments
                        where status = 'pending'
                          and created_at between clock_timestamp() - interval '1 day'
                                             and clock_timestamp() - interval '5 minutes'
                        order by created_at limit 200
                        """)
                .map((rs, ctx) -> Map.entry(rs.getLong("business_id"), rs.getString("intent_id")))
                .list());
        int settled = 0;
        for (Map.Entry<Long, String> payment : waiting) {
            try {
                if (settle(payment.getKey(), payment.getValue()).state() != CardProcessor.State.PENDING) {
                    settled++;
                }
            } catch (RuntimeException stillUnknown) {
                log.warn(
                        "card payment {} of business {} could not be checked yet: {}",
                        payment.getValue(),
                        payment.getKey(),
                        stillUnknown.getMessage());
            }
        }
        return settled;
    }

    /**
     * Settles a charge the processor has taken; if it cannot be asked now, the charge stays pending
     * (its webhook settles it later), never reported as not made.
     */
    public Settled settleOrPending(long businessId, String intentId) {
        try {
            return settle(businessId, intentId);
        } catch (CardProcessor.Unavailable notAnswering) {
            return jdbi.withHandle(handle -> handle.createQuery(
                            "select purpose, invoice_id from card_payments where business_id = :b and intent_id = :i")
                    .bind("b", businessId)
                    .bind("i", intentId)
                    .map((rs, ctx) -> new Settled(
                            CardProcessor.State.PENDING,
                            Purpose.of(rs.getString("purpose")),
                            Optional.ofNullable(rs.getObject("invoice_id", Long.class)),
                            Optional.empty(),
                            Optional.empty()))
                    .one());
        }
    }

    /**
     * Asks the processor how the payment went and records it if it succeeded — once: a second call
     * (the webhook after the return, or a repeated webhook) finds it settled and changes nothing.
     */
    public Settled settle(long businessId, String intentId) {
        return jdbi.inTransaction(handle -> {
            final Payment payment = handle.createQuery("""
                            select id, processor, client_id, purpose, invoice_id, amount_minor, status, card_last4,
                                   decline_reason, save_card, charged_by_staff_id, charged_by_api_key_id,
                                   gift_recipient_name,
                                   gift_recipient_email, gift_message
                            from card_payments
                            where business_id = :business_id and intent_id = :intent_id
                            for update
                            """)
                    .bind("business_id", businessId)
                    .bind("intent_id", intentId)
                    .map((rs, ctx) -> payment(rs))
                    .findOne()
                    .orElseThrow(() -> Problem.notFound("intent", "no card payment has that id"));
            if (!payment.status().equals("pending")) {
                return new Settled(
                        payment.status().equals("succeeded")
                                ? CardProcessor.State.SUCCEEDED
                                : CardProcessor.State.DECLINED,
                        payment.purpose(),
                        payment.invoiceId(),
                        payment.cardLast4(),
                        payment.declineReason());
            }
            final CardProcessor.Outcome outcome =
                    processors.get(payment.processor()).outcome(businessId, intentId);
            switch (outcome.state()) {
                case PENDING -> {
                    return new Settled(
                            CardProcessor.State.PENDING,
                            payment.purpose(),
                            payment.invoiceId(),
                            Optional.empty(),
                            Optional.empty());
                }
                case DECLINED ->
                    handle.createUpdate("""
                                update card_payments set status = 'declined', decline_reason = :reason,
                                                         card_last4 = :last4, settled_at = clock_timestamp()
                                where business_id = :business_id and id = :id
                                """)
                            .bind("reason", outcome.declineReason().orElse("The card was declined"))
                            .bind("last4", outcome.cardLast4().orElse(null))
                            .bind("business_id", businessId)
                            .bind("id", payment.id())
                            .execute();
                case SUCCEEDED -> {
                    final Actor actor = payment.chargedBy();
                    final ClientMoney.Payment byCard = new ClientMoney.Payment(
                            payment.amountMinor(),
                            ClientMoney.Tender.CARD,
                            Optional.of(cardMemo(outcome.cardLast4(), payment)),
                            Optional.empty());
                    final long entryId = switch (payment.purpose()) {
                        case INVOICE -> payInvoice(handle, businessId, payment, outcome.cardLast4(), actor);
                        case BALANCE ->
                            money.receivePayment(handle, businessId, payment.clientId(), byCard, actor)
                                    .entryId();
                        case OPEN_PAYMENT ->
                            money.receiveOpenPayment(handle, businessId, payment.clientId(), byCard, actor)
                                    .entryId();
                        case GIFT_CARD ->
                            giftCardOrOpenPayment(handle, businessId, payment, outcome.cardLast4(), actor);
                    };
                    handle.createUpdate("""
                                    update card_payments set status = 'succeeded', entry_id = :entry_id,
                                                             card_last4 = :last4, settled_at = clock_timestamp()
                                    where business_id = :business_id and id = :id
                                    """)
                            .bind("entry_id", entryId)
                            .bind("last4", outcome.cardLast4().orElse(null))
                            .bind("business_id", businessId)
                            .bind("id", payment.id())
                            .execute();
                    if (payment.saveCard()) {
                        outcome.kept().ifPresent(kept -> keep(handle, businessId, payment, kept));
                    }
                }
            }
            return new Settled(
                    outcome.state(),
                    payment.purpose(),
                    payment.invoiceId(),
                    outcome.cardLast4(),
                    outcome.declineReason());
        });
    }

    private record Payment(
            long id,
            String processor,
            long clientId,
            Purpose purpose,
            Optional<Long> invoiceId,
            long amountMinor,
            String status,
            Optional<String> cardLast4,
            Optional<String> declineReason,
            boolean saveCard,
            Actor chargedBy,
            Optional<GiftPurchase> gift) {}

    private static Payment payment(java.sql.ResultSet rs) throws java.sql.SQLException {
        final Optional<String> giftEmail = Optional.ofNullable(rs.getString("gift_recipient_email"));
        final Optional<GiftPurchase> gift = giftEmail.isEmpty()
                ? Optional.empty()
                : Optional.of(new GiftPurchase(
                        rs.getLong("amount_minor"),
                        rs.getString("gift_recipient_name"),
                        giftEmail.get(),
                        Optional.ofNullable(rs.getString("gift_message"))));
        return new Payment(
                rs.getLong("id"),
                rs.getString("processor"),
                rs.getLong("client_id"),
                Purpose.of(rs.getString("purpose")),
                Optional.ofNullable(rs.getObject("invoice_id", Long.class)),
                rs.getLong("amount_minor"),
                rs.getString("status"),
                Optional.ofNullable(rs.getString("card_last4")),
                Optional.ofNullable(rs.getString("decline_reason")),
                rs.getBoolean("save_card"),
                new Actor(
                        Optional.ofNullable(rs.getObject("charged_by_staff_id", Long.class)),
                        Optional.ofNullable(rs.getObject("charged_by_api_key_id", Long.class))),
                gift);
    }

    private static String cardMemo(Optional<String> last4, Payment payment) {
        return "Card" + last4.map(digits -> " ending " + digits).orElse("")
                + (payment.chargedBy().staffUserId().isPresent()
                        ? ", charged by staff"
                        : payment.chargedBy().apiKeyId().isPresent()
                                ? ", charged through the API"
                                : ", in the client portal");
    }

    /**
     * The invoice's card payment. If it was paid another way while the card payment was pending,
     * what it no longer owes is kept as the client's open payment, never lost.
     */
    private long payInvoice(Handle handle, long businessId, Payment payment, Optional<String> last4, Actor actor) {
        final long invoiceId = payment.invoiceId().orElseThrow();
        final Clients.Client unlocked = clients.require(handle, businessId, payment.clientId());
        final long cardAccount = businesses.accountId(handle, businessId, AccountKind.CARD);
        ledger.lock(
                handle,
                businessId,
                List.of(
                        cardAccount,
                        unlocked.receivable().id(),
                        unlocked.openPayments().id()));
        final long owed = invoices.find(handle, businessId, invoiceId)
                .filter(invoice -> invoice.status() == Invoices.Status.OPEN)
                .map(Invoices.Invoice::unpaidMinor)
                .orElse(0L);
        final long toInvoice = Math.min(owed, payment.amountMinor());
        final List<PostingRequest> postings = new ArrayList<>();
        postings.add(PostingRequest.debit(cardAccount, payment.amountMinor()));
        if (toInvoice > 0) {
            postings.add(
                    PostingRequest.credit(unlocked.receivable().id(), toInvoice).onInvoice(invoiceId));
        }
        if (payment.amountMinor() > toInvoice) {
            postings.add(PostingRequest.credit(unlocked.openPayments().id(), payment.amountMinor() - toInvoice));
        }
        final PostedEntry entry = ledger.post(
                handle,
                new EntryRequest(
                                businessId,
                                "card_payment",
                                Optional.of(cardMemo(last4, payment) + ", for invoice " + invoiceId),
                                actor,
                                Optional.of(payment.clientId()),
                                Optional.empty(),
                                postings)
                        .aboutInvoice(invoiceId));
        if (toInvoice > 0) {
            invoices.recordPayments(
                    handle,
                    businessId,
                    invoiceId,
                    entry.id(),
                    List.of(new Invoices.Payment(
                            0,
                            entry.id(),
                            "card",
                            toInvoice,
                            Optional.empty(),
                            0,
                            Optional.empty(),
                            last4,
                            0,
                            Optional.empty())));
        }
        return entry.id();
    }

    /**
     * The card is sold as the buyer asked; if it no longer can be (gift cards turned off, or the
     * range changed, while they paid), the money they paid is kept as their open payment, never lost.
     */
    private long giftCardOrOpenPayment(
            Handle handle, long businessId, Payment payment, Optional<String> last4, Actor actor) {
        handle.savepoint("gift_card_sale");
        try {
            final long entryId = sellGiftCard(handle, businessId, payment, last4, actor);
            handle.releaseSavepoint("gift_card_sale");
            return entryId;
        } catch (Problem cannotSell) {
            handle.rollbackToSavepoint("gift_card_sale");
            return money.receiveOpenPayment(
                            handle,
                            businessId,
                            payment.clientId(),
                            new ClientMoney.Payment(
                                    payment.amountMinor(),
                                    ClientMoney.Tender.CARD,
                                    Optional.of(cardMemo(last4, payment)),
                                    Optional.of("Paid for a gift card for "
                                            + payment.gift().orElseThrow().recipientName() + " that could not be sold: "
                                            + cannotSell.detail())),
                            actor)
                    .entryId();
        }
    }

    /**
     * A gift card bought in the portal: a paid ticket for the buyer sells it (so it is a sale like
     * one at the desk), and the card is emailed to its recipient with the buyer's message.
     */
    private long sellGiftCard(Handle handle, long businessId, Payment payment, Optional<String> last4, Actor actor) {
        final GiftPurchase gift = payment.gift().orElseThrow();
        final Invoices.Invoice ticket = checkouts
                .draft(
                        handle,
                        businessId,
                        Optional.of(payment.clientId()),
                        List.of(new Invoices.Line(
                                Invoices.LineKind.GIFT_CARD,
                                "Gift card for " + gift.recipientName(),
                                1,
                                payment.amountMinor())),
                        actor)
                .invoice();
        final Checkouts.Result sold = checkouts.checkout(
                handle,
                businessId,
                ticket.id(),
                new Checkouts.Request(
                        0,
                        List.of(new Checkouts.Payment(
                                Checkouts.Tender.CARD,
                                payment.amountMinor(),
                                Optional.empty(),
                                Optional.empty(),
                                last4,
                                Optional.empty())),
                        0,
                        false),
                actor);
        final GiftCards.Issued issued = sold.giftCardsSold().getFirst();
        giftCards.nameRecipient(handle, businessId, issued.card().id(), gift.recipientName());
        final BusinessSettings.Settings business = settings.find(handle, businessId);
        final Clients.Client buyer = clients.require(handle, businessId, payment.clientId());
        outbox.queue(
                handle,
                businessId,
                Outbox.Kind.GIFT_CARD,
                gift.recipientEmail(),
                "A gift card from " + buyer.name() + " at " + business.name(),
                GiftCards.emailText(
                        business,
                        giftCards.require(handle, businessId, issued.card().id()),
                        GiftCardCodes.grouped(issued.code()),
                        gift.message().map(text -> text + "\n— " + buyer.name()).orElse("From " + buyer.name())),
                Optional.of(ticket.id()),
                Optional.empty());
        ClientNotices.noteGiftCardDelivered(
                handle, businessId, buyer.id(), sold.entryId(), issued.card().amountMinor(), gift.recipientEmail());
        handle.createUpdate("update card_payments set gift_card_id = :card where business_id = :b and id = :id")
                .bind("card", issued.card().id())
                .bind("b", businessId)
                .bind("id", payment.id())
                .execute();
        return sold.entryId();
    }

    /** A refund, and whether its money went back to the card through the processor. */
    public record Refunded(Checkouts.Refund refund, boolean throughProcessor) {}

    /**
     * Refunds an invoice payment, in the caller's transaction. A card payment a processor took,
     * refunded to its tender, is refunded there too, after the ledger refund is written (locked and
     * checked) and before it commits: if the processor says no or does not answer, nothing is
     * recorded; a second refund of the same payment waits on the first's locks, then sees what is
     * left. {@code key} (a form's one-time token, an API Idempotency-Key) makes a repeat the same
     * refund at the processor.
     */
    public Refunded refund(
            Handle handle,
            long businessId,
            long paymentId,
            Optional<Long> amountMinor,
            Checkouts.RefundTo to,
            Actor actor,
            String key) {
        record Taken(String processor, String intentId, long refundableMinor) {}
        final Optional<Taken> taken = to != Checkouts.RefundTo.TENDER
                ? Optional.empty()
                : handle.createQuery("""
                                select cp.processor, cp.intent_id, ip.amount_minor - ip.refunded_minor as refundable
                                from invoice_payments ip
                                join card_payments cp on cp.business_id = ip.business_id
                                 and cp.entry_id = ip.entry_id and cp.status = 'succeeded'
                                where ip.business_id = :business_id and ip.id = :id and ip.tender = 'card'
                                """)
                        .bind("business_id", businessId)
                        .bind("id", paymentId)
                        .map((rs, ctx) -> new Taken(
                                rs.getString("processor"), rs.getString("intent_id"), rs.getLong("refundable")))
                        .findOne();
        if (taken.isEmpty()) {
            return new Refunded(checkouts.refund(handle, businessId, paymentId, amountMinor, to, actor), false);
        }
        final String connected = settings.find(handle, businessId).cardProcessor();
        if (!connected.equals(taken.get().processor())) {
            throw new Problem(
                    Problem.Kind.CONFLICT,
                    "to",
                    "This card payment was taken through " + taken.get().processor()
                            + ", which is no longer connected: refund it there, or refund it here as an open payment or credit");
        }
        // The ledger refund checks the amount against what is left, under its locks.
        final long amount = amountMinor.orElse(taken.get().refundableMinor());
        final Checkouts.Refund refund = checkouts.refund(handle, businessId, paymentId, Optional.of(amount), to, actor);
        try {
            processors
                    .get(connected)
                    .refund(
                            businessId,
                            taken.get().intentId(),
                            amount,
                            "settle-refund-" + businessId + "-"
                                    + java.util.HexFormat.of()
                                            .formatHex(dev.settle.business.Secrets.sha256(paymentId + ":" + key)));
        } catch (CardProcessor.Unavailable down) {
            throw new Problem(
                    Problem.Kind.UNAVAILABLE,
                    "processor",
                    down.getMessage() + ". Nothing was refunded; try again in a few minutes.");
        } catch (CardProcessor.Refused refused) {
            throw new Problem(Problem.Kind.CONFLICT, "processor", refused.getMessage() + ". Nothing was refunded.");
        }
        return new Refunded(refund, true);
    }

    /** The card the payer asked to keep, now the processor has it. */
    private static void keep(Handle handle, long businessId, Payment payment, CardProcessor.CardOnFile card) {
        handle.createUpdate("""
                        insert into saved_cards (business_id, client_id, processor, account_ref, customer_ref,
                                                 payment_method_ref, brand, last4, exp_month, exp_year)
                        values (:business_id, :client_id, :processor, {account}, :customer, :method,
                                :brand, :last4, :month, :year)
                        on conflict (business_id, processor, payment_method_ref) do nothing
                        """.replace("{account}", ACCOUNT))
                .bind("business_id", businessId)
                .bind("client_id", payment.clientId())
                .bind("processor", payment.processor())
                .bind("customer", card.customerRef())
                .bind("method", card.paymentMethodRef())
                .bind("brand", card.brand())
                .bind("last4", card.last4())
                .bind("month", card.expMonth().orElse(null))
                .bind("year", card.expYear().orElse(null))
                .execute();
    }

    /** Whether a gift card bought with this payment was made (else its money was kept as an open payment). */
    public boolean giftCardMade(long businessId, String intentId) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        select gift_card_id is not null from card_payments
                        where business_id = :business_id and intent_id = :intent_id
                        """)
                .bind("business_id", businessId)
                .bind("intent_id", intentId)
                .mapTo(Boolean.class)
                .findOne()
                .orElse(false));
    }

    /** The client's cards kept with the processor now connected (others cannot be charged). */
    public List<SavedCard> savedCards(Handle handle, long businessId, long clientId) {
        return handle.createQuery(
                        SAVED_CARD + " s.business_id = :business_id and s.client_id = :client_id" + " order by s.id")
                .bind("business_id", businessId)
                .bind("client_id", clientId)
                .map((rs, ctx) -> savedCard(rs))
                .list();
    }

    /** The client no longer wants the card kept: it can no longer be charged from Settle. */
    public void removeSavedCard(Handle handle, long businessId, long clientId, long savedCardId) {
        final int removed = handle.createUpdate("""
                        update saved_cards set removed_at = clock_timestamp()
                        where business_id = :business_id and client_id = :client_id and id = :id and removed_at is null
                        """)
                .bind("business_id", businessId)
                .bind("client_id", clientId)
                .bind("id", savedCardId)
                .execute();
        if (removed == 0) {
            throw Problem.notFound("savedCardId", "no saved card has id " + savedCardId);
        }
    }

    /**
     * The processor account a customer or card belongs to: the connected Stripe account, or empty
     * for the test processor. Binds {@code :business_id} and {@code :processor}.
     */
    private static final String ACCOUNT = """
            coalesce((select account_id from stripe_connections
                      where business_id = :business_id and :processor = 'stripe'), '')""";

    /**
     * Saved cards that can be charged: not removed, and kept with the processor (and Stripe
     * account) connected now. Callers add their own {@code where}.
     */
    private static final String SAVED_CARD = """
            select s.id, s.client_id, s.processor, s.brand, s.last4, s.exp_month, s.exp_year
            from saved_cards s
            join businesses b on b.id = s.business_id and b.card_processor = s.processor
            left join stripe_connections c on c.business_id = s.business_id and s.processor = 'stripe'
            where s.removed_at is null and s.account_ref = coalesce(c.account_id, '') and
            """;

    private static Optional<SavedCard> savedCard(Handle handle, long businessId, long savedCardId) {
        return handle.createQuery(SAVED_CARD + " s.business_id = :business_id and s.id = :id")
                .bind("business_id", businessId)
                .bind("id", savedCardId)
                .map((rs, ctx) -> savedCard(rs))
                .findOne();
    }

    private static SavedCard savedCard(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new SavedCard(
                rs.getLong("id"),
                rs.getLong("client_id"),
                rs.getString("processor"),
                rs.getString("brand"),
                rs.getString("last4"),
                Optional.ofNullable(rs.getObject("exp_month", Integer.class)),
                Optional.ofNullable(rs.getObject("exp_year", Integer.class)));
    }

    private static CardProcessor.CardOnFile onFile(Handle handle, long businessId, long savedCardId) {
        return handle.createQuery("""
                        select customer_ref, payment_method_ref, brand, last4 from saved_cards
                        where business_id = :business_id and id = :id
                        """)
                .bind("business_id", businessId)
                .bind("id", savedCardId)
                .map((rs, ctx) -> new CardProcessor.CardOnFile(
                        rs.getString("customer_ref"),
                        rs.getString("payment_method_ref"),
                        rs.getString("brand"),
                        rs.getString("last4"),
                        Optional.empty(),
                        Optional.empty()))
                .one();
    }
}

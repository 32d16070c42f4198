package dev.settle.notices;

import dev.settle.business.BusinessSettings;
import dev.settle.clients.ClientMoney;
import dev.settle.clients.Clients;
import dev.settle.invoices.Receipts;
import dev.settle.mail.Outbox;
import dev.settle.web.ClientWords;
import dev.settle.web.Formats;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.ResourceBundle;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Notices to clients: a receipt after checkout, a new credit or open payment, a credit about to
 * expire, a gift card they bought delivered. Rows are written with what they tell (the entry's at
 * commit, by the database; the others here); {@link #sendDue} words each in the business's locale
 * and queues the email in the outbox. A notice of a kind turned off since, or for a client without
 * an email address, is kept as skipped, with why.
 */
public final class ClientNotices {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ClientNotices.class);
    /** Notices worded in one transaction: under PostgreSQL's 64 cached subtransactions (one savepoint each). */
    private static final int BATCH = 32;

    public enum Kind {
        RECEIPT("receipt", "Receipt after checkout"),
        NEW_CREDIT("new_credit", "New credit"),
        NEW_OPEN_PAYMENT("new_open_payment", "New open payment"),
        CREDIT_EXPIRING("credit_expiring", "Credit expiring soon"),
        GIFT_CARD_DELIVERED("gift_card_delivered", "Gift card delivered");

        public final String dbName;
        public final String label;

        Kind(String dbName, String label) {
            this.dbName = dbName;
            this.label = label;
        }

        static Kind of(String dbName) {
            return java.util.Arrays.stream(values())
                    .filter(kind -> kind.dbName.equals(dbName))
                    .findFirst()
                    .orElseThrow();
        }

        boolean on(BusinessSettings.Notices notices) {
            return switch (this) {
                case RECEIPT -> notices.receipts();
                case NEW_CREDIT, NEW_OPEN_PAYMENT -> notices.newFunds();
                case CREDIT_EXPIRING -> notices.creditExpiring();
                case GIFT_CARD_DELIVERED -> notices.giftCardDelivered();
            };
        }
    }

    /** One notice, as the log shows it. */
    public record Notice(
            long id,
            Kind kind,
            long clientId,
            String clientName,
            OffsetDateTime createdAt,
            String status,
            Optional<String> skippedReason,
            Optional<Long> emailId) {}

    private final Outbox outbox;
    private final Receipts receipts;
    private final Clients clients;
    private final BusinessSettings settings = new BusinessSettings();

    public ClientNotices(Outbox outbox, Receipts receipts, Clients clients) {
        this.outbox = outbox;
        this.receipts = receipts;
        this.clients = clients;
    }

    /** Tells the buyer their gift card went to its recipient, if the business sends that notice. */
    public static void noteGiftCardDelivered(
            Handle handle, long businessId, long buyerClientId, long entryId, long amountMinor, String recipient) {
        if (!new BusinessSettings().find(handle, businessId).notices().giftCardDelivered()) {
            return;
        }
        handle.createUpdate("""
                insert into client_notices (business_id, kind, client_id, entry_id, details)
                values (:business_id, 'gift_card_delivered', :client_id, :entry_id,
                        jsonb_build_object('amount_minor', :amount, 'recipient', cast(:recipient as text)))
                on conflict do nothing
                """)
                .bind("business_id", businessId)
                .bind("client_id", buyerClientId)
                .bind("entry_id", entryId)
                .bind("amount", amountMinor)
                .bind("recipient", recipient)
                .execute();
    }

    /**
     * Writes a credit-expiring notice, once, for each credit with something left whose last day is
     * within each business's notice days; returns how many.
     */
    public int noteExpiringCredits(Jdbi jdbi, Instant now) {
        return jdbi.withHandle(handle -> handle.createUpdate("""
                        insert into client_notices (business_id, kind, client_id, grant_id)
                        select g.business_id, 'credit_expiring', g.client_id, g.id
                        from credit_grants g
                        join businesses b on b.id = g.business_id
                        where g.remaining_minor > 0 and b.notify_credit_expiring
                          and g.expires_on >= (cast(:now as timestamptz) at time zone b.time_zone)::date
                          and g.expires_on <= (cast(:now as timestamptz) at time zone b.time_zone)::date
                                              + b.credit_expiring_notice_days
                        on conflict do nothing
                        """)
                .bind("now", OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                .execute());
    }

    /**
     * Words and queues every pending notice, {@link #BATCH} to a transaction; returns how many it
     * handled. A receipt follows every checkout: one commit each made a burst of commits every few
     * seconds that the desk's own checkouts queued behind.
     */
    public int sendDue(Jdbi jdbi) {
        int handled = 0;
        int sent;
        do {
            sent = jdbi.inTransaction(this::sendBatch);
            handled += sent;
        } while (sent == BATCH);
        return handled;
    }

    public List<Notice> recent(Handle handle, long businessId, int limit) {
        return handle.createQuery("""
                        select n.id, n.kind, n.client_id, c.name, n.created_at, n.status, n.skipped_reason, n.email_id
                        from client_notices n
                        join clients c on c.business_id = n.business_id and c.id = n.client_id
                        where n.business_id = :business_id
                        order by n.id desc
                        limit :limit
                        """)
                .bind("business_id", businessId)
                .bind("limit", limit)
                .map((rs, ctx) -> new Notice(
                        rs.getLong("id"),
                        Kind.of(rs.getString("kind")),
                        rs.getLong("client_id"),
                        rs.getString("name"),
                        rs.getObject("created_at", OffsetDateTime.class),
                        rs.getString("status"),
                        Optional.ofNullable(rs.getString("skipped_reason")),
                        Optional.ofNullable(rs.getObject("email_id", Long.class))))
                .list();
    }

    /** A notice to word; {@code unsendable} is why its client cannot get it now, if so. */
    private record Pending(
            long businessId,
            long id,
            Kind kind,
            long clientId,
            Long entryId,
            Long grantId,
            String details,
            Optional<String> unsendable) {}

    private int sendBatch(Handle handle) {
        // The client is looked at again: archived, or their address removed, since the notice was written.
        final List<Pending> due = handle.createQuery("""
                        select n.business_id, n.id, n.kind, n.client_id, n.entry_id, n.grant_id, n.details,
                               client_notice_unsendable(c.archived_at, c.email) as unsendable
                        from client_notices n
                        join clients c on c.business_id = n.business_id and c.id = n.client_id
                        where n.status = 'pending'
                        order by n.created_at limit :batch for update of n skip locked
                        """)
                .bind("batch", BATCH)
                .map((rs, ctx) -> new Pending(
                        rs.getLong("business_id"),
                        rs.getLong("id"),
                        Kind.of(rs.getString("kind")),
                        rs.getLong("client_id"),
                        rs.getObject("entry_id", Long.class),
                        rs.getObject("grant_id", Long.class),
                        rs.getString("details"),
                        Optional.ofNullable(rs.getString("unsendable"))))
                .list();
        due.forEach(notice -> sendOne(handle, notice));
        return due.size();
    }

    private void sendOne(Handle handle, Pending notice) {
        final BusinessSettings.Settings business = settings.find(handle, notice.businessId());
        if (!notice.kind().on(business.notices())) {
            skip(handle, notice, "turned off in Settings before it was sent");
        } else if (notice.unsendable().isPresent()) {
            skip(handle, notice, notice.unsendable().get());
        } else {
            final Clients.Client client =
                    clients.find(handle, notice.businessId(), notice.clientId()).orElseThrow();
            // A notice that can't be worded is kept as skipped with why; it must not stay first in
            // line and hold up every other business's notices.
            handle.savepoint("notice");
            try {
                final Optional<Long> emailId = send(handle, business, client, notice);
                handle.releaseSavepoint("notice");
                if (emailId.isPresent()) {
                    mark(handle, notice, "queued", null, emailId.get());
                } else {
                    skip(handle, notice, "nothing was added to the account");
                }
            } catch (RuntimeException e) {
                handle.rollbackToSavepoint("notice");
                log.warn("notice {} of business {} not sent", notice.id(), notice.businessId(), e);
                skip(handle, notice, "could not be written: " + abbreviated(String.valueOf(e.getMessage())));
            }
        }
    }

    /** Queues the notice's email; empty when there is nothing to tell (no money was added after all). */
    private Optional<Long> send(
            Handle handle, BusinessSettings.Settings business, Clients.Client client, Pending notice) {
        if (notice.kind() == Kind.RECEIPT) {
            final long invoiceId = handle.createQuery(
                            "select invoice_id from journal_entries where business_id = :business_id and id = :id")
                    .bind("business_id", notice.businessId())
                    .bind("id", notice.entryId())
                    .mapTo(Long.class)
                    .one();
            return Optional.of(
                    receipts.email(handle, notice.businessId(), invoiceId, Optional.empty(), Optional.empty())
                            .emailId());
        }
        if ((notice.kind() == Kind.NEW_CREDIT
                        && credited(handle, notice, client.credits().id()) <= 0)
                || (notice.kind() == Kind.NEW_OPEN_PAYMENT
                        && credited(handle, notice, client.openPayments().id()) <= 0)) {
            return Optional.empty();
        }
        final Formats formats = new Formats(business.locale(), business.timeZone(), business.currency());
        final ResourceBundle words = ClientWords.of(business.locale());
        final Object[] arguments = arguments(handle, business, client, notice, formats);
        final String key = notice.kind().dbName;
        return Optional.of(outbox.queue(
                handle,
                notice.businessId(),
                Outbox.Kind.NOTICE,
                client.email().orElseThrow(),
                ClientWords.format(words, key + ".subject", arguments),
                ClientWords.format(words, "greeting", client.name()) + "\n\n"
                        + ClientWords.format(words, key + ".body", arguments) + "\n\n— "
                        + business.name() + "\n",
                Optional.empty(),
                Optional.empty()));
    }

    /**
     * {0} the business, {1} the amount, {2} what else the kind tells (a credit's reason in
     * parentheses, the day a credit ends, a gift card's recipient), {3} the balance it is part of now.
     */
    private Object[] arguments(
            Handle handle, BusinessSettings.Settings business, Clients.Client client, Pending notice, Formats formats) {
        return switch (notice.kind()) {
            case NEW_CREDIT ->
                new Object[] {
                    business.name(),
                    formats.money(credited(handle, notice, client.credits().id())),
                    reason(handle, notice),
                    formats.money(client.credits().balanceMinor())
                };
            case NEW_OPEN_PAYMENT ->
                new Object[] {
                    business.name(),
                    formats.money(credited(handle, notice, client.openPayments().id())),
                    "",
                    formats.money(client.openPayments().balanceMinor())
                };
            case CREDIT_EXPIRING -> {
                final Object[] grant = handle.createQuery("""
                                select remaining_minor, expires_on from credit_grants
                                where business_id = :business_id and id = :id
                                """)
                        .bind("business_id", notice.businessId())
                        .bind("id", notice.grantId())
                        .map((rs, ctx) -> new Object[] {rs.getLong(1), rs.getObject(2, LocalDate.class)})
                        .one();
                yield new Object[] {
                    business.name(), formats.money((Long) grant[0]), formats.day((LocalDate) grant[1]), ""
                };
            }
            case GIFT_CARD_DELIVERED -> {
                final Object[] details = handle.createQuery("""
                                select cast(details ->> 'amount_minor' as bigint), details ->> 'recipient'
                                from client_notices where business_id = :business_id and id = :id
                                """)
                        .bind("business_id", notice.businessId())
                        .bind("id", notice.id())
                        .map((rs, ctx) -> new Object[] {rs.getLong(1), rs.getString(2)})
                        .one();
                yield new Object[] {business.name(), formats.money((Long) details[0]), details[1], ""};
            }
            case RECEIPT -> throw new IllegalStateException("a receipt is worded by Receipts");
        };
    }

    /** What the notice's entry put into one of the client's accounts. */
    private static long credited(Handle handle, Pending notice, long accountId) {
        return handle.createQuery("""
                        select coalesce(-sum(amount_minor), 0) from postings
                        where business_id = :business_id and entry_id = :entry_id and account_id = :account_id
                        """)
                .bind("business_id", notice.businessId())
                .bind("entry_id", notice.entryId())
                .bind("account_id", accountId)
                .mapTo(Long.class)
                .one();
    }

    private static String reason(Handle handle, Pending notice) {
        return handle.createQuery("""
                        select reason from client_operations where business_id = :business_id and entry_id = :entry_id
                        """)
                .bind("business_id", notice.businessId())
                .bind("entry_id", notice.entryId())
                .mapTo(String.class)
                .findOne()
                .map(reason ->
                        ClientMoney.CreditReason.parse(reason, "reason").label.replace(" (say why)", ""))
                .orElse("");
    }

    private static String abbreviated(String text) {
        return text.length() > 150 ? text.substring(0, 150) : text;
    }

    private static void skip(Handle handle, Pending notice, String reason) {
        mark(handle, notice, "skipped", reason, null);
    }

    private static void mark(Handle handle, Pending notice, String status, String reason, Long emailId) {
        handle.createUpdate("""
                update client_notices set status = :status, skipped_reason = :reason, email_id = :email_id
                where business_id = :business_id and id = :id
                """)
                .bind("status", status)
                .bind("reason", reason)
                .bind("email_id", emailId)
                .bind("business_id", notice.businessId())
                .bind("id", notice.id())
                .execute();
    }
}

package dev.settle.clients;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * A client's balance history: every entry that moved their balance due, open payments or credits,
 * newest first, with what it changed and all three balances after it. Read straight off the
 * postings (each carries its account's balance after it), a page at a time from a cursor, so a
 * client with a long history costs no more per page than a new one.
 */
public final class ClientHistory {
    public static final int LIMIT_MAX = 200;
    private static final Instant FAR_FUTURE = Instant.parse("9999-01-01T00:00:00Z");

    /** One movement. Changes are in each account's own direction: + is more owed, more held. */
    public record Row(
            long entryId,
            OffsetDateTime at,
            String kind,
            Optional<String> memo,
            Optional<String> staffName,
            Optional<Long> reversesEntryId,
            Optional<Long> reversedByEntryId,
            long balanceDueChangeMinor,
            long openPaymentsChangeMinor,
            long creditsChangeMinor,
            long balanceDueAfterMinor,
            long openPaymentsAfterMinor,
            long creditsAfterMinor) {}

    /** The kinds of movement a history can be filtered to, as people read them. */
    public static final Map<String, String> KINDS = kinds();

    private static Map<String, String> kinds() {
        final Map<String, String> kinds = new LinkedHashMap<>();
        kinds.put("checkout", "Checkout");
        kinds.put("pay_later", "Pay later");
        kinds.put("balance_payment", "Payment towards balance due");
        kinds.put("open_payment", "Open payment received");
        kinds.put("open_payment_refund", "Open payment refunded");
        kinds.put("credit_issued", "Credit issued");
        kinds.put("credit_expired", "Credit expired");
        kinds.put("reversal", "Reversal");
        return java.util.Collections.unmodifiableMap(kinds);
    }

    /** Which movements: of one kind, and within a time range (both ends included). */
    public record Filter(Optional<String> kind, Optional<Instant> from, Optional<Instant> to) {
        public static Filter none() {
            return new Filter(Optional.empty(), Optional.empty(), Optional.empty());
        }
    }

    /** Rows, and the cursor of the next (older) page if there is one. */
    public record Page(List<Row> rows, Optional<Long> olderThanEntryId) {}

    private record Posting(long accountId, long entryId, long version, long amountMinor, long balanceAfterMinor) {}

    private record Entry(
            long id,
            OffsetDateTime at,
            String kind,
            Optional<String> memo,
            Optional<String> staffName,
            Optional<Long> reversesEntryId,
            Optional<Long> reversedByEntryId) {}

    /** Up to {@code limit} movements older than the cursor (all, newest first, without one). */
    public Page page(Handle handle, Clients.Client client, Optional<Long> olderThanEntryId, int limit) {
        return page(handle, client, Filter.none(), olderThanEntryId, limit);
    }

    /** Like {@link #page(Handle, Clients.Client, Optional, int)}, only the movements {@code filter} names. */
    public Page page(Handle handle, Clients.Client client, Filter filter, Optional<Long> olderThanEntryId, int limit) {
        final List<Long> accounts = List.of(
                client.receivable().id(),
                client.openPayments().id(),
                client.credits().id());
        // Each account's postings are in entry order along its versions: the newest few of each,
        // merged, hold the newest entries of all three.
        final List<Posting> candidates = new ArrayList<>();
        for (long accountId : accounts) {
            candidates.addAll(postings(handle, client.businessId(), accountId, filter, olderThanEntryId, limit + 1));
        }
        final List<Long> entryIds = candidates.stream()
                .map(Posting::entryId)
                .distinct()
                .sorted(Comparator.reverseOrder())
                .limit(limit + 1L)
                .toList();
        final List<Long> shown = entryIds.subList(0, Math.min(entryIds.size(), limit));
        if (shown.isEmpty()) {
            return new Page(List.of(), Optional.empty());
        }
        final Map<Long, Entry> entries = entries(handle, client.businessId(), shown);
        final List<Posting> moved = postingsOf(handle, client.businessId(), accounts, shown);
        final List<Row> rows = new ArrayList<>();
        for (long entryId : shown) {
            final long[] change = new long[3];
            final long[] after = new long[3];
            for (int index = 0; index < 3; index++) {
                final long accountId = accounts.get(index);
                final List<Posting> lines = moved.stream()
                        .filter(p -> p.accountId() == accountId && p.entryId() == entryId)
                        .toList();
                change[index] = lines.stream().mapToLong(Posting::amountMinor).sum() * sign(client, accountId);
                after[index] = balanceAfter(handle, client.businessId(), accountId, entryId);
            }
            final Entry entry = entries.get(entryId);
            rows.add(new Row(
                    entryId,
                    entry.at(),
                    entry.kind(),
                    entry.memo(),
                    entry.staffName(),
                    entry.reversesEntryId(),
                    entry.reversedByEntryId(),
                    change[0],
                    change[1],
                    change[2],
                    after[0],
                    after[1],
                    after[2]));
        }
        return new Page(rows, entryIds.size() > limit ? Optional.of(shown.getLast()) : Optional.empty());
    }

    /** Balance due grows with debits; open payments and credits with credits. */
    private static long sign(Clients.Client client, long accountId) {
        return accountId == client.receivable().id() ? 1 : -1;
    }

    /** The account's balance just after {@code entryId} (see {@code account_balance_after_entry}). */
    private static long balanceAfter(Handle handle, long businessId, long accountId, long entryId) {
        return handle.createQuery("select account_balance_after_entry(:business_id, :account_id, :entry_id)")
                .bind("business_id", businessId)
                .bind("account_id", accountId)
                .bind("entry_id", entryId)
                .mapTo(Long.class)
                .one();
    }

    private static List<Posting> postings(
            Handle handle, long businessId, long accountId, Filter filter, Optional<Long> olderThanEntryId, int limit) {
        return handle.createQuery("""
                select p.account_id, p.entry_id, p.account_version, p.amount_minor, p.balance_after_minor
                from postings p
                where p.business_id = :business_id and p.account_id = :account_id and p.entry_id < :older_than
                  and p.posted_at >= :from and p.posted_at <= :to
                  and (:kind = '' or exists (select 1 from journal_entries e
                                             where e.business_id = p.business_id and e.id = p.entry_id
                                               and e.kind = :kind))
                order by p.account_version desc
                limit :limit
                """)
                .bind("business_id", businessId)
                .bind("account_id", accountId)
                .bind("older_than", olderThanEntryId.orElse(Long.MAX_VALUE))
                .bind("from", filter.from().orElse(Instant.EPOCH).atOffset(ZoneOffset.UTC))
                .bind("to", filter.to().orElse(FAR_FUTURE).atOffset(ZoneOffset.UTC))
                .bind("kind", filter.kind().orElse(""))
                .bind("limit", limit)
                .map((rs, ctx) ->
                        new Posting(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)))
                .list();
    }

    private static List<Posting> postingsOf(Handle handle, long businessId, List<Long> accounts, List<Long> entryIds) {
        return handle.createQuery("""
                select account_id, entry_id, account_version, amount_minor, balance_after_minor
                from postings
                where business_id = :business_id and entry_id = any(:entry_ids) and account_id = any(:accounts)
                """)
                .bind("business_id", businessId)
                .bind("entry_ids", entryIds.toArray(Long[]::new))
                .bind("accounts", accounts.toArray(Long[]::new))
                .map((rs, ctx) ->
                        new Posting(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)))
                .list();
    }

    private static Map<Long, Entry> entries(Handle handle, long businessId, List<Long> entryIds) {
        final Map<Long, Entry> entries = new LinkedHashMap<>();
        handle.createQuery("""
                select e.id, e.effective_at, e.kind, e.memo, s.display_name, e.reverses_entry_id,
                       (select r.id from journal_entries r
                        where r.business_id = e.business_id and r.reverses_entry_id = e.id) as reversed_by
                from journal_entries e
                left join staff_users s on s.business_id = e.business_id and s.id = e.actor_staff_id
                where e.business_id = :business_id and e.id = any(:entry_ids)
                """)
                .bind("business_id", businessId)
                .bind("entry_ids", entryIds.toArray(Long[]::new))
                .map((rs, ctx) -> new Entry(
                        rs.getLong("id"),
                        rs.getObject("effective_at", OffsetDateTime.class),
                        rs.getString("kind"),
                        Optional.ofNullable(rs.getString("memo")),
                        Optional.ofNullable(rs.getString("display_name")),
                        Optional.ofNullable(rs.getObject("reverses_entry_id", Long.class)),
                        Optional.ofNullable(rs.getObject("reversed_by", Long.class))))
                .forEach(entry -> entries.put(entry.id(), entry));
        return entries;
    }
}

package dev.settle.clients;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * A client's balance history: every entry that moved their balance due, open payments or credits,
 * newest first, with what it changed and all three balances after it. Read straight off the
 * postings (each carries its account's balance after it), a page at a time from a cursor, so a
 * client with a long history costs no more per page than a new one.
 */
public final class ClientHistory {
    public static final int LIMIT_MAX = 200;

    /**
     * One movement. Changes are in each account's own direction: + is more owed, more held. {@code
     * by} is the staff member's name, "API key: label", or "Settle" for its own jobs.
     */
    public record Row(
            long entryId,
            OffsetDateTime at,
            String kind,
            Optional<String> memo,
            Optional<String> note,
            String by,
            Optional<Long> reversesEntryId,
            Optional<Long> reversedByEntryId,
            List<Long> invoiceIds,
            long balanceDueChangeMinor,
            long openPaymentsChangeMinor,
            long creditsChangeMinor,
            long balanceDueAfterMinor,
            long openPaymentsAfterMinor,
            long creditsAfterMinor) {

        /** The invoices it touched that its memo does not already name ("Invoice 12: ..."). */
        public List<Long> invoicesNotInMemo() {
            final String text = memo.orElse("").toLowerCase(java.util.Locale.ROOT);
            return invoiceIds.stream()
                    .filter(id -> !text.matches(".*\\binvoice " + id + "\\b.*"))
                    .toList();
        }
    }

    /** The kinds of movement a history can be filtered to, as people read them. */
    public static final Map<String, String> KINDS = kinds();

    private static Map<String, String> kinds() {
        final Map<String, String> kinds = new LinkedHashMap<>();
        kinds.put("invoice", "Invoice");
        kinds.put("checkout", "Checkout");
        kinds.put("invoice_void", "Invoice voided");
        kinds.put("payment_refund", "Payment refunded");
        kinds.put("funds_moved", "Payment moved between invoices");
        kinds.put("charge", "Charge to balance due");
        kinds.put("payment", "Payment toward balance due");
        kinds.put("open_payment", "Open payment received");
        kinds.put("open_payment_refund", "Open payment refunded");
        kinds.put("open_payments_applied", "Open payments applied");
        kinds.put("credit_issued", "Credit issued");
        kinds.put("credits_applied", "Credits applied");
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
    public record Page(List<Row> rows, Optional<Long> olderThanEntryId) {
        /** The newest {@code count} rows of this page, with the cursor that follows them. */
        public Page first(int count) {
            if (rows.size() <= count) {
                return this;
            }
            return new Page(
                    rows.subList(0, count), Optional.of(rows.get(count - 1).entryId()));
        }
    }

    private record Posting(long accountId, long entryId, long version, long amountMinor, long balanceAfterMinor) {}

    private record Entry(
            long id,
            OffsetDateTime at,
            String kind,
            Optional<String> memo,
            Optional<String> note,
            String by,
            Optional<Long> reversesEntryId,
            Optional<Long> reversedByEntryId,
            List<Long> invoiceIds) {}

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
        final List<List<Posting>> newest =
                newestEntries(handle, client.businessId(), accounts, filter, olderThanEntryId, limit + 1);
        final List<Long> entryIds = newest.stream()
                .flatMap(List::stream)
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
        // An account's shown entries are among its newest that many, all of whose postings were read.
        final Map<Long, long[]> changes = new HashMap<>();
        for (long entryId : shown) {
            changes.put(entryId, new long[3]);
        }
        for (int index = 0; index < 3; index++) {
            final long sign = sign(client, accounts.get(index));
            for (Posting posting : newest.get(index)) {
                final long[] change = changes.get(posting.entryId());
                if (change != null) {
                    change[index] += posting.amountMinor() * sign;
                }
            }
        }
        // Unfiltered, every movement of the three accounts is on the page, so each older row's
        // balances are the newer row's less its change. Filtered, movements in between are
        // missing, so each row's balances are looked up.
        final boolean unfiltered = filter.equals(Filter.none());
        final Map<Long, long[]> looked = unfiltered
                ? Map.of(shown.getFirst(), balancesBelowCursor(newest))
                : balancesAfter(handle, client.businessId(), accounts, shown);
        final List<Row> rows = new ArrayList<>();
        long[] after = looked.get(shown.getFirst());
        for (long entryId : shown) {
            if (!unfiltered) {
                after = looked.get(entryId);
            }
            final long[] change = changes.get(entryId);
            final Entry entry = entries.get(entryId);
            rows.add(new Row(
                    entryId,
                    entry.at(),
                    entry.kind(),
                    entry.memo(),
                    entry.note(),
                    entry.by(),
                    entry.reversesEntryId(),
                    entry.reversedByEntryId(),
                    entry.invoiceIds(),
                    change[0],
                    change[1],
                    change[2],
                    after[0],
                    after[1],
                    after[2]));
            after = new long[] {after[0] - change[0], after[1] - change[1], after[2] - change[2]};
        }
        return new Page(rows, entryIds.size() > limit ? Optional.of(shown.getLast()) : Optional.empty());
    }

    /** How many movements {@code filter} names, so a long export can show how far it has got. */
    public int count(Handle handle, Clients.Client client, Filter filter) {
        return filtered(
                        handle.createQuery("""
                select count(distinct p.entry_id)
                from postings p
                where p.business_id = :business_id and p.account_id in (:due, :open, :credits)
                  and <filter>
                """)
                                .bind("business_id", client.businessId())
                                .bind("due", client.receivable().id())
                                .bind("open", client.openPayments().id())
                                .bind("credits", client.credits().id()),
                        filter)
                .mapTo(Integer.class)
                .one();
    }

    /** Balance due grows with debits; open payments and credits with credits. */
    private static long sign(Clients.Client client, long accountId) {
        return accountId == client.receivable().id() ? 1 : -1;
    }

    /**
     * Unfiltered, each account's newest posting below the cursor is its newest at or before the
     * page's first entry (the newest of them all), so its balance after is the balance there.
     */
    private static long[] balancesBelowCursor(List<List<Posting>> newest) {
        return newest.stream()
                .mapToLong(
                        postings -> postings.isEmpty() ? 0 : postings.getFirst().balanceAfterMinor())
                .toArray();
    }

    /**
     * The three accounts' balances just after each entry, in one round trip (see {@code
     * account_balance_after_entry}).
     */
    private static Map<Long, long[]> balancesAfter(
            Handle handle, long businessId, List<Long> accounts, List<Long> entryIds) {
        final Map<Long, long[]> balances = new LinkedHashMap<>();
        handle.createQuery("""
                select e.id,
                       account_balance_after_entry(:business_id, :due, e.id),
                       account_balance_after_entry(:business_id, :open, e.id),
                       account_balance_after_entry(:business_id, :credits, e.id)
                from unnest(:entry_ids) as e (id)
                """)
                .bind("business_id", businessId)
                .bind("due", accounts.get(0))
                .bind("open", accounts.get(1))
                .bind("credits", accounts.get(2))
                .bind("entry_ids", entryIds.toArray(Long[]::new))
                .map((rs, ctx) -> Map.entry(rs.getLong(1), new long[] {rs.getLong(2), rs.getLong(3), rs.getLong(4)}))
                .forEach(entry -> balances.put(entry.getKey(), entry.getValue()));
        return balances;
    }

    /**
     * Postings of each account's newest {@code entries} distinct entries below the cursor, in one
     * round trip. An entry may put several lines on one account: an account whose postings did not
     * reach that many entries is fetched again, alone, with more.
     */
    private static List<List<Posting>> newestEntries(
            Handle handle, long businessId, List<Long> accounts, Filter filter, Optional<Long> olderThan, int entries) {
        final List<Posting> all = postings(handle, businessId, accounts, filter, olderThan, entries);
        return accounts.stream()
                .map(accountId -> {
                    final List<Posting> found = all.stream()
                            .filter(posting -> posting.accountId() == accountId)
                            .toList();
                    return holds(found, entries, entries)
                            ? found
                            : newestEntries(handle, businessId, accountId, filter, olderThan, entries);
                })
                .toList();
    }

    private static List<Posting> newestEntries(
            Handle handle, long businessId, long accountId, Filter filter, Optional<Long> olderThan, int entries) {
        for (int fetch = entries * 2; ; fetch *= 2) {
            final List<Posting> found = postings(handle, businessId, List.of(accountId), filter, olderThan, fetch);
            if (holds(found, fetch, entries)) {
                return found;
            }
        }
    }

    /** Whether {@code found}, fetched with {@code fetched} as the limit, has all it can of {@code entries} entries. */
    private static boolean holds(List<Posting> found, int fetched, int entries) {
        return found.size() < fetched
                || found.stream().map(Posting::entryId).distinct().count() >= entries;
    }

    /** Each account's newest {@code limit} postings below the cursor, newest first, account by account. */
    private static List<Posting> postings(
            Handle handle,
            long businessId,
            List<Long> accounts,
            Filter filter,
            Optional<Long> olderThanEntryId,
            int limit) {
        return filtered(
                        handle.createQuery("""
                select p.account_id, p.entry_id, p.account_version, p.amount_minor, p.balance_after_minor
                from unnest(:accounts) with ordinality as a (id, ord)
                cross join lateral (
                    select p.account_id, p.entry_id, p.account_version, p.amount_minor, p.balance_after_minor
                    from postings p
                    where p.business_id = :business_id and p.account_id = a.id and p.entry_id < :older_than
                      and <filter>
                    order by p.account_version desc
                    limit :limit) p
                order by a.ord, p.account_version desc
                """)
                                .bind("business_id", businessId)
                                .bind("accounts", accounts.toArray(Long[]::new))
                                .bind("older_than", olderThanEntryId.orElse(Long.MAX_VALUE)),
                        filter)
                .bind("limit", limit)
                .map((rs, ctx) ->
                        new Posting(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)))
                .list();
    }

    /** Narrows a query over postings {@code p} (its {@code <filter>}) to the movements {@code filter} names. */
    private static Query filtered(Query query, Filter filter) {
        return query.define("filter", """
                        (cast(:from as timestamptz) is null or p.posted_at >= :from)
                          and (cast(:to as timestamptz) is null or p.posted_at <= :to)
                          and (:kind = '' or exists (select 1 from journal_entries e
                                                     where e.business_id = p.business_id and e.id = p.entry_id
                                                       and e.kind = :kind))""")
                .bind(
                        "from",
                        filter.from().map(at -> at.atOffset(ZoneOffset.UTC)).orElse(null))
                .bind("to", filter.to().map(at -> at.atOffset(ZoneOffset.UTC)).orElse(null))
                .bind("kind", filter.kind().orElse(""));
    }

    private static Map<Long, Entry> entries(Handle handle, long businessId, List<Long> entryIds) {
        final Map<Long, Entry> entries = new LinkedHashMap<>();
        handle.createQuery("""
                select e.id, e.effective_at, e.kind, e.memo, o.note,
                       coalesce(s.display_name, 'API key: ' || k.label, 'Settle')
                           || coalesce(', approved by ' || a.display_name, '') as by,
                       e.reverses_entry_id,
                       (select r.id from journal_entries r
                        where r.business_id = e.business_id and r.reverses_entry_id = e.id) as reversed_by,
                       array(select distinct p.invoice_id from postings p
                             where p.business_id = e.business_id and p.entry_id = e.id and p.invoice_id is not null
                             order by p.invoice_id) as invoice_ids
                from journal_entries e
                left join staff_users s on s.business_id = e.business_id and s.id = e.actor_staff_id
                left join api_keys k on k.business_id = e.business_id and k.id = e.actor_api_key_id
                left join client_operations o on o.business_id = e.business_id and o.entry_id = e.id
                left join staff_users a on a.business_id = o.business_id and a.id = o.approved_by_staff_id
                where e.business_id = :business_id and e.id = any(:entry_ids)
                """)
                .bind("business_id", businessId)
                .bind("entry_ids", entryIds.toArray(Long[]::new))
                .map((rs, ctx) -> {
                    final Optional<String> memo = Optional.ofNullable(rs.getString("memo"));
                    return new Entry(
                            rs.getLong("id"),
                            rs.getObject("effective_at", OffsetDateTime.class),
                            rs.getString("kind"),
                            memo,
                            // A charge's reason and a credit's note are in the memo already.
                            Optional.ofNullable(rs.getString("note"))
                                    .filter(note -> !memo.orElse("").contains(note)),
                            rs.getString("by"),
                            Optional.ofNullable(rs.getObject("reverses_entry_id", Long.class)),
                            Optional.ofNullable(rs.getObject("reversed_by", Long.class)),
                            List.of((Long[]) rs.getArray("invoice_ids").getArray()));
                })
                .forEach(entry -> entries.put(entry.id(), entry));
        return entries;
    }
}

package dev.settle.reports;

import dev.settle.ledger.AccountKind;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * Reports read straight off the ledger as of an instant: each account's balance then is the
 * running balance of its last posting at or before it (decision 0007 keeps postings in time order),
 * so every figure reconciles to the postings to the cent.
 */
public final class Reports {

    /** One line of the trial balance: an account kind, all its accounts together. */
    public record TrialLine(AccountKind kind, long accounts, long debitMinor, long creditMinor) {}

    /** The trial balance: debits equal credits when the ledger balances. */
    public record TrialBalance(Instant asOf, List<TrialLine> lines) {
        public long debitsMinor() {
            return lines.stream().mapToLong(TrialLine::debitMinor).sum();
        }

        public long creditsMinor() {
            return lines.stream().mapToLong(TrialLine::creditMinor).sum();
        }
    }

    /** Every account's balance at {@code asOf}, by kind, on the side it stands. */
    public TrialBalance trialBalance(Handle handle, long businessId, Instant asOf) {
        final Map<String, long[]> byKind = new LinkedHashMap<>();
        handle.createQuery("""
                        with later as (select account_id, sum(amount_minor) as amount from (%s) l group by account_id)
                        select a.kind, count(*) as accounts,
                               sum(greatest(a.normal_side * a.balance_minor - coalesce(l.amount, 0), 0)) as debit,
                               sum(greatest(coalesce(l.amount, 0) - a.normal_side * a.balance_minor, 0)) as credit
                        from accounts a
                        left join later l on l.account_id = a.id
                        where a.business_id = :business_id
                        group by a.kind
                        """.formatted(LATER_POSTINGS))
                .bind("business_id", businessId)
                .bind("as_of", OffsetDateTime.ofInstant(asOf, ZoneOffset.UTC))
                .map((rs, ctx) -> Map.entry(
                        rs.getString("kind"),
                        new long[] {rs.getLong("accounts"), rs.getLong("debit"), rs.getLong("credit")}))
                .forEach(row -> byKind.put(row.getKey(), row.getValue()));
        final List<TrialLine> lines = new ArrayList<>();
        for (AccountKind kind : AccountKind.values()) {
            final long[] figures = byKind.getOrDefault(kind.dbName, new long[3]);
            lines.add(new TrialLine(kind, figures[0], figures[1], figures[2]));
        }
        return new TrialBalance(asOf, List.copyOf(lines));
    }

    /** The age buckets of accounts receivable, by how many days old an invoice is. */
    public enum Bucket {
        CURRENT("Current", 0, 0),
        DAYS_1_30("1–30 days", 1, 30),
        DAYS_31_60("31–60 days", 31, 60),
        DAYS_61_90("61–90 days", 61, 90),
        OVER_90("Over 90 days", 91, Long.MAX_VALUE);

        public final String label;
        final long fromDays;
        final long toDays;

        Bucket(String label, long fromDays, long toDays) {
            this.label = label;
            this.fromDays = fromDays;
            this.toDays = toDays;
        }

        static Bucket of(long days) {
            return Arrays.stream(values())
                    .filter(bucket -> days >= bucket.fromDays && days <= bucket.toDays)
                    .findFirst()
                    .orElse(CURRENT);
        }
    }

    /** What one client owed at the instant, by the age of the invoices it is on. */
    public record AgingRow(long clientId, String clientName, long[] byBucketMinor) {
        public long totalMinor() {
            return Arrays.stream(byBucketMinor).sum();
        }

        public long inBucket(Bucket bucket) {
            return byBucketMinor[bucket.ordinal()];
        }
    }

    public record Aging(Instant asOf, List<AgingRow> rows) {
        public long inBucket(Bucket bucket) {
            return rows.stream().mapToLong(row -> row.inBucket(bucket)).sum();
        }

        public long totalMinor() {
            return rows.stream().mapToLong(AgingRow::totalMinor).sum();
        }
    }

    /**
     * Accounts receivable aging at {@code asOf}: what each client owed then on each invoice (what
     * is unpaid on it now, less what the receivable postings naming it did after the instant), aged
     * by the invoice's date in the business's time zone. Its total is the receivable line of the
     * trial balance.
     */
    public Aging aging(Handle handle, long businessId, Instant asOf, ZoneId zone) {
        final LocalDate day = asOf.atZone(zone).toLocalDate();
        final Map<Long, AgingRow> rows = new LinkedHashMap<>();
        handle.createQuery("""
                        with later as (
                            -- An invoice the later postings left as it was (issued and paid since,
                            -- most of them) owed then what it owes now, like one they did not touch.
                            select invoice_id, sum(amount_minor) as amount from (%s) l
                            where invoice_id is not null group by invoice_id
                            having sum(amount_minor) <> 0),
                        owing as (
                            -- Each invoice moved since is looked up by its id. (A plain join let the
                            -- planner, expecting four times the rows, walk all 2M invoices of the 10M
                            -- business: 8 s. LIMIT 1 keeps it a lookup; an id names one invoice.)
                            select i.id, i.client_id, i.issued_at, i.unpaid_minor - l.amount as owed
                            from later l
                            cross join lateral (
                                select i.id, i.client_id, i.issued_at, i.unpaid_minor from invoices i
                                where i.business_id = :business_id and i.id = l.invoice_id limit 1) i
                            union all
                            select i.id, i.client_id, i.issued_at, i.unpaid_minor
                            from invoices i
                            where i.business_id = :business_id and i.unpaid_minor > 0
                              and not exists (select 1 from later l where l.invoice_id = i.id))
                        select c.id as client_id, c.name, o.issued_at, o.owed
                        from owing o
                        join clients c on c.business_id = :business_id and c.id = o.client_id
                        where o.owed <> 0
                        order by c.name, c.id, o.issued_at
                        """.formatted(LATER_POSTINGS))
                .bind("business_id", businessId)
                .bind("as_of", OffsetDateTime.ofInstant(asOf, ZoneOffset.UTC))
                .map((rs, ctx) -> {
                    final long clientId = rs.getLong("client_id");
                    final AgingRow row = rows.computeIfAbsent(
                            clientId, id -> new AgingRow(id, nameOf(rs), new long[Bucket.values().length]));
                    final LocalDate issued = rs.getObject("issued_at", OffsetDateTime.class)
                            .atZoneSameInstant(zone)
                            .toLocalDate();
                    row.byBucketMinor()[
                            Bucket.of(ChronoUnit.DAYS.between(issued, day)).ordinal()] += rs.getLong("owed");
                    return row;
                })
                .list();
        return new Aging(asOf, List.copyOf(rows.values()));
    }

    /** Value held for one client or one gift card at the instant, and when it last moved. */
    public record Holding(long id, String holder, long balanceMinor, OffsetDateTime lastMovedAt) {}

    /** Stored value of one source (a credit's reason, how a gift card was funded). */
    public record SourceLine(String source, long holders, long balanceMinor) {}

    /**
     * What the business held for others at the instant, by source: money clients paid (open
     * payments, client by client), value it gave (credits, by reason) and gift cards (sold or given
     * as a promotion). Each part equals its ledger accounts' balance on the trial balance.
     */
    public record Liability(
            Instant asOf, List<Holding> openPayments, List<SourceLine> credits, List<SourceLine> giftCards) {
        public long openPaymentsMinor() {
            return openPayments.stream().mapToLong(Holding::balanceMinor).sum();
        }

        public long creditsMinor() {
            return credits.stream().mapToLong(SourceLine::balanceMinor).sum();
        }

        public long giftCardsMinor() {
            return giftCards.stream().mapToLong(SourceLine::balanceMinor).sum();
        }

        public long totalMinor() {
            return openPaymentsMinor() + creditsMinor() + giftCardsMinor();
        }
    }

    public Liability liability(Handle handle, long businessId, Instant asOf) {
        final OffsetDateTime at = OffsetDateTime.ofInstant(asOf, ZoneOffset.UTC);
        final List<Holding> openPayments = openPayments(handle, businessId, at, at);
        // A grant is left with what is left of it now plus what entries after the instant spent or
        // expired of it; only grants with something left now or used since can have had any then.
        // Its reason is the one staff gave; grants made by a refund or by loading a promotional gift
        // card have none, and take it from their entry.
        final List<SourceLine> credits = handle.createQuery("""
                        with later_uses as (
                            select u.grant_id, sum(u.amount_minor) as amount
                            -- A use moves its client's credits: the later entries that did are few.
                            from (select distinct l.entry_id from (%s) l
                                  join accounts a on a.business_id = :business_id and a.id = l.account_id
                                                 and a.kind = 'credits') e
                            join credit_grant_uses u on u.business_id = :business_id and u.entry_id = e.entry_id
                            group by u.grant_id),
                        candidates as (
                            select id from credit_grants where business_id = :business_id and remaining_minor > 0
                            union
                            select grant_id from later_uses),
                        grants as (
                            select g.client_id, g.entry_id, g.entry_kind,
                                   g.remaining_minor + coalesce(l.amount, 0) as left_minor
                            from candidates k
                            -- Each candidate is looked up by id (LIMIT 1 keeps it a lookup): expecting
                            -- every grant, the planner joined all of them to their entries first.
                            cross join lateral (
                                select g.id, g.client_id, g.entry_id, g.remaining_minor, ge.kind as entry_kind
                                from credit_grants g
                                join journal_entries ge on ge.business_id = g.business_id and ge.id = g.entry_id
                                where g.business_id = :business_id and g.id = k.id and ge.effective_at <= :as_of
                                limit 1) g
                            left join later_uses l on l.grant_id = g.id)
                        select coalesce(o.reason, case g.entry_kind when 'payment_refund' then 'refund_as_credit'
                                                                    when 'gift_card_load' then 'promotion'
                                                                    else 'other' end) as source,
                               count(distinct g.client_id) filter (where g.left_minor > 0) as holders,
                               sum(g.left_minor) as balance
                        from grants g
                        left join client_operations o on o.business_id = :business_id and o.entry_id = g.entry_id
                        group by 1
                        having sum(g.left_minor) <> 0
                        order by 1
                        """.formatted(LATER_POSTINGS))
                .bind("business_id", businessId)
                .bind("as_of", at)
                .map((rs, ctx) -> new SourceLine(rs.getString("source"), rs.getLong("holders"), rs.getLong("balance")))
                .list();
        final List<SourceLine> giftCards = handle.createQuery("""
                        with a as materialized (%s)
                        select g.funded_by as source, count(*) as holders, sum(p.balance_after_minor) as balance
                        from a
                        join gift_cards g on g.business_id = a.business_id and g.id = a.gift_card_id
                        join lateral (%s) p on true
                        where p.balance_after_minor <> 0
                        group by g.funded_by
                        order by g.funded_by desc
                        """.formatted(HELD_NOW_OR_MOVED_SINCE, LAST_POSTING))
                .bind("business_id", businessId)
                .bind("kind", AccountKind.GIFT_CARD.dbName)
                .bind("as_of", at)
                .map((rs, ctx) -> new SourceLine(rs.getString("source"), rs.getLong("holders"), rs.getLong("balance")))
                .list();
        return new Liability(asOf, openPayments, credits, giftCards);
    }

    /** The tenders money is taken in, each with its clearing account. */
    public static final List<AccountKind> TENDERS =
            List.of(AccountKind.CASH, AccountKind.CHECK, AccountKind.CARD, AccountKind.EXTERNAL);

    /** What each tender is called on a report. */
    public static final Map<AccountKind, String> TENDER_NAMES = Map.of(
            AccountKind.CASH,
            "Cash",
            AccountKind.CHECK,
            "Check",
            AccountKind.CARD,
            "Card",
            AccountKind.EXTERNAL,
            "Other");

    /** One tender on one day: what came in, what went back out, and the difference. */
    public record TenderDay(LocalDate day, AccountKind tender, long takenMinor, long refundedMinor) {
        public long netMinor() {
            return takenMinor - refundedMinor;
        }
    }

    /** Days of takings added up. */
    public record Totals(long takenMinor, long refundedMinor) {
        static Totals of(List<TenderDay> days) {
            return new Totals(
                    days.stream().mapToLong(TenderDay::takenMinor).sum(),
                    days.stream().mapToLong(TenderDay::refundedMinor).sum());
        }

        public long netMinor() {
            return takenMinor - refundedMinor;
        }
    }

    public record TenderSummary(LocalDate from, LocalDate to, List<TenderDay> days) {
        /** The tender's days added up over the period. */
        public Totals total(AccountKind tender) {
            return Totals.of(days.stream().filter(day -> day.tender() == tender).toList());
        }

        /** Every tender over the period. */
        public Totals total() {
            return Totals.of(days);
        }

        public List<LocalDate> dates() {
            return days.stream().map(TenderDay::day).distinct().toList();
        }

        public List<TenderDay> on(LocalDate date) {
            return days.stream().filter(day -> day.day().equals(date)).toList();
        }
    }

    /**
     * Each day's takings per tender from {@code from} to {@code to} (days in the business's time
     * zone), read off the tender clearing postings: a debit is money taken, a credit money paid back
     * (a refund, or a payment reversed). A day's cash net is what the drawer should have gained.
     * Summed from {@code tender_quarters}, the postings' totals per quarter hour (V22), and the
     * postings the job has not added there yet.
     */
    public TenderSummary tenderSummary(Handle handle, long businessId, LocalDate from, LocalDate to, ZoneId zone) {
        final List<TenderDay> days = handle.createQuery("""
                        with moved as (
                            select q.quarter, q.account_id, q.taken_minor, q.refunded_minor
                            from tender_quarters q
                            where q.business_id = :business_id and q.quarter >= :from and q.quarter < :until
                            union all
                            select p.posted_at, p.account_id, greatest(p.amount_minor, 0), greatest(-p.amount_minor, 0)
                            from accounts a
                            left join tender_quarters_through t on t.business_id = a.business_id and t.account_id = a.id
                            join postings p on p.business_id = a.business_id and p.account_id = a.id
                                           and p.account_version > coalesce(t.through_version, 0)
                            where a.business_id = :business_id and a.kind in ('cash', 'check', 'card', 'external')
                              and p.posted_at >= :from and p.posted_at < :until)
                        select (m.quarter at time zone :zone)::date as day, a.kind,
                               sum(m.taken_minor) as taken, sum(m.refunded_minor) as refunded
                        from moved m
                        join accounts a on a.business_id = :business_id and a.id = m.account_id
                        group by 1, 2
                        order by 1, 2
                        """)
                .bind("business_id", businessId)
                .bind("zone", zone.getId())
                .bind("from", from.atStartOfDay(zone).toOffsetDateTime())
                .bind("until", to.plusDays(1).atStartOfDay(zone).toOffsetDateTime())
                .map((rs, ctx) -> new TenderDay(
                        rs.getObject("day", LocalDate.class),
                        AccountKind.fromDbName(rs.getString("kind")).orElseThrow(),
                        rs.getLong("taken"),
                        rs.getLong("refunded")))
                .list();
        final List<TenderDay> ordered = new ArrayList<>(days);
        ordered.sort(
                java.util.Comparator.comparing(TenderDay::day).thenComparing(day -> TENDERS.indexOf(day.tender())));
        return new TenderSummary(from, to, List.copyOf(ordered));
    }

    /** Value nobody has touched for a while, as unclaimed-property rules ask, and credits that expired. */
    public record Breakage(
            Instant asOf,
            int dormantMonths,
            List<Holding> giftCards,
            List<Holding> openPayments,
            List<Holding> expiredCredits) {
        public static long sum(List<Holding> holdings) {
            return holdings.stream().mapToLong(Holding::balanceMinor).sum();
        }
    }

    /**
     * Gift cards and open payments holding value at the instant that last moved {@code months} or
     * more before it, and the credits that expired in those months.
     */
    public Breakage breakage(Handle handle, long businessId, Instant asOf, ZoneId zone, int months) {
        final OffsetDateTime at = OffsetDateTime.ofInstant(asOf, ZoneOffset.UTC);
        final OffsetDateTime since = asOf.atZone(zone).minusMonths(months).toOffsetDateTime();
        final List<Holding> giftCards = handle.createQuery("""
                        with a as materialized (%s)
                        select g.id, '…' || g.last4 as name, p.balance_after_minor as balance, p.posted_at
                        from a
                        join gift_cards g on g.business_id = a.business_id and g.id = a.gift_card_id
                        join lateral (%s) p on true
                        where p.balance_after_minor <> 0 and p.posted_at <= :since
                        order by p.posted_at, g.id
                        """.formatted(HELD_NOW_OR_MOVED_SINCE, LAST_POSTING))
                .bind("business_id", businessId)
                .bind("kind", AccountKind.GIFT_CARD.dbName)
                .bind("as_of", at)
                .bind("since", since)
                .map(Reports::holding)
                .list();
        final List<Holding> openPayments = openPayments(handle, businessId, at, since);
        final List<Holding> expiredCredits = handle.createQuery("""
                        select c.id, c.name, p.amount_minor as balance, p.posted_at
                        from journal_entries e
                        join postings p on p.business_id = e.business_id and p.entry_id = e.id
                        join accounts a on a.business_id = p.business_id and a.id = p.account_id and a.kind = 'credits'
                        join clients c on c.business_id = a.business_id and c.id = a.client_id
                        where e.business_id = :business_id and e.kind = 'credit_expired'
                          and e.effective_at > :since and e.effective_at <= :as_of
                        order by p.posted_at, c.id
                        """)
                .bind("business_id", businessId)
                .bind("as_of", at)
                .bind("since", since)
                .map(Reports::holding)
                .list();
        return new Breakage(asOf, months, giftCards, openPayments, expiredCredits);
    }

    /** Each client's open payments at {@code at}, of those that last moved at or before {@code since}. */
    private static List<Holding> openPayments(Handle handle, long businessId, OffsetDateTime at, OffsetDateTime since) {
        return handle.createQuery("""
                        with a as materialized (%s)
                        select c.id, c.name, p.balance_after_minor as balance, p.posted_at
                        from a
                        join clients c on c.business_id = a.business_id and c.id = a.client_id
                        join lateral (%s) p on true
                        where p.balance_after_minor <> 0 and p.posted_at <= :since
                        order by c.name, c.id
                        """.formatted(HELD_NOW_OR_MOVED_SINCE, LAST_POSTING))
                .bind("business_id", businessId)
                .bind("kind", AccountKind.OPEN_PAYMENTS.dbName)
                .bind("as_of", at)
                .bind("since", since)
                .map(Reports::holding)
                .list();
    }

    /**
     * The postings of entries after {@code :as_of}: what takes today's stored figures back to those
     * of the instant. A report costs what happened since its instant, not the whole ledger. A
     * posting carries its entry's time ({@code verify} holds them equal), so this is one range of
     * {@code postings_by_time} (V23).
     */
    private static final String LATER_POSTINGS = """
            select p.entry_id, p.account_id, p.invoice_id, p.amount_minor
            from postings p
            where p.business_id = :business_id and p.posted_at > :as_of""";

    /**
     * The accounts of kind {@code :kind} that could have held anything at {@code :as_of}: those that
     * hold something now, and those that moved since. Only these are looked up by the lists of
     * holders, and they must be picked before the lookups ({@code materialized}), or the planner
     * looks up every account first (60,000 lookups, 300 ms on the 10M business). The moved ones are
     * joined, not {@code a.id in (...)}: past a few hundred thousand later postings PostgreSQL no
     * longer hashes such a subquery and runs it again for every account.
     */
    private static final String HELD_NOW_OR_MOVED_SINCE = """
            select a.business_id, a.id, a.client_id, a.gift_card_id
            from accounts a
            left join (select distinct l.account_id from (%s) l) moved on moved.account_id = a.id
            where a.business_id = :business_id and a.kind = :kind
              and (a.balance_minor <> 0 or moved.account_id is not null)""".formatted(LATER_POSTINGS);

    /** An account's last posting at or before {@code :as_of}: its balance then, and when it last moved. */
    private static final String LAST_POSTING = """
            select p.balance_after_minor, p.posted_at from postings p
            where p.business_id = a.business_id and p.account_id = a.id and p.posted_at <= :as_of
            order by p.account_version desc
            limit 1""";

    private static Holding holding(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws java.sql.SQLException {
        return new Holding(
                rs.getLong("id"),
                rs.getString("name"),
                rs.getLong("balance"),
                rs.getObject("posted_at", OffsetDateTime.class));
    }

    private static String nameOf(java.sql.ResultSet rs) {
        try {
            return rs.getString("name");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}

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
                        select a.kind, count(*) as accounts,
                               sum(greatest(a.normal_side * coalesce(p.balance_after_minor, 0), 0)) as debit,
                               sum(greatest(-a.normal_side * coalesce(p.balance_after_minor, 0), 0)) as credit
                        from accounts a
                        left join lateral (
                            select balance_after_minor from postings p
                            where p.business_id = a.business_id and p.account_id = a.id and p.posted_at <= :as_of
                            order by p.account_version desc
                            limit 1) p on true
                        where a.business_id = :business_id
                        group by a.kind
                        """)
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
     * Accounts receivable aging at {@code asOf}: what each client owed then on each invoice (the
     * receivable postings naming it, up to that instant), aged by the invoice's date in the
     * business's time zone. Its total is the receivable line of the trial balance.
     */
    public Aging aging(Handle handle, long businessId, Instant asOf, ZoneId zone) {
        final LocalDate day = asOf.atZone(zone).toLocalDate();
        final Map<Long, AgingRow> rows = new LinkedHashMap<>();
        handle.createQuery("""
                        select c.id as client_id, c.name, i.issued_at, sum(p.amount_minor) as owed
                        from postings p
                        join accounts a on a.business_id = p.business_id and a.id = p.account_id
                                       and a.kind = 'receivable'
                        join invoices i on i.business_id = p.business_id and i.id = p.invoice_id
                        join clients c on c.business_id = a.business_id and c.id = a.client_id
                        where p.business_id = :business_id and p.posted_at <= :as_of
                        group by c.id, c.name, i.id, i.issued_at
                        having sum(p.amount_minor) <> 0
                        order by c.name, c.id
                        """)
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

    private static String nameOf(java.sql.ResultSet rs) {
        try {
            return rs.getString("name");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}

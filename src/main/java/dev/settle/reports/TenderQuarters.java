package dev.settle.reports;

import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code tender_quarters} (V22): adds each tender account's postings since the last run to
 * their quarter hours, and moves the account's mark past them, in one transaction. The daily
 * tender report reads the sums up to the mark and the few postings after it, so it is exact
 * whenever this last ran, and writing entries pays nothing for it. Maintenance across all
 * businesses, like the hourly purge.
 */
public final class TenderQuarters {
    private static final Logger log = LoggerFactory.getLogger(TenderQuarters.class);

    /** A posting's quarter hour, as {@code tender_quarters} and {@code verify} bin it. */
    public static final String QUARTER_OF_POSTED_AT =
            "date_bin('15 minutes', p.posted_at, timestamptz '2000-01-01 00:00:00+00')";

    private record Behind(long businessId, long accountId, long throughVersion, long version) {}

    /** Brings every tender account up to date; returns how many accounts moved. */
    public int catchUp(Jdbi jdbi) {
        final List<Behind> behind = jdbi.withHandle(handle -> handle.createQuery("""
                        select a.business_id, a.id, coalesce(t.through_version, 0) as through_version, a.version
                        from accounts a
                        left join tender_quarters_through t on t.business_id = a.business_id and t.account_id = a.id
                        where a.kind in ('cash', 'check', 'card', 'external')
                          and a.version > coalesce(t.through_version, 0)
                        """)
                .map((rs, ctx) -> new Behind(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)))
                .list());
        for (Behind account : behind) {
            jdbi.useTransaction(handle -> add(handle, account));
        }
        return behind.size();
    }

    private static void add(Handle handle, Behind account) {
        // The mark moves only from where this run found it: a second runner finds it moved and stops.
        final int claimed = handle.createUpdate("""
                        insert into tender_quarters_through as t (business_id, account_id, through_version)
                        values (:business_id, :account_id, :version)
                        on conflict (business_id, account_id) do update set through_version = excluded.through_version
                        where t.through_version = :through_version
                        """)
                .bind("business_id", account.businessId())
                .bind("account_id", account.accountId())
                .bind("through_version", account.throughVersion())
                .bind("version", account.version())
                .execute();
        if (claimed == 0) {
            return;
        }
        handle.createUpdate("""
                        insert into tender_quarters as q (business_id, quarter, account_id, taken_minor, refunded_minor)
                        select p.business_id, %s, p.account_id,
                               sum(greatest(p.amount_minor, 0)), sum(greatest(-p.amount_minor, 0))
                        from postings p
                        where p.business_id = :business_id and p.account_id = :account_id
                          and p.account_version > :through_version and p.account_version <= :version
                        group by 1, 2, 3
                        on conflict (business_id, quarter, account_id) do update
                        set taken_minor = q.taken_minor + excluded.taken_minor,
                            refunded_minor = q.refunded_minor + excluded.refunded_minor
                        """.formatted(QUARTER_OF_POSTED_AT))
                .bind("business_id", account.businessId())
                .bind("account_id", account.accountId())
                .bind("through_version", account.throughVersion())
                .bind("version", account.version())
                .execute();
    }

    /** One run as the job scheduler calls it: a failure is logged, and the next run catches up. */
    public void catchUpLogged(Jdbi jdbi) {
        try {
            catchUp(jdbi);
        } catch (RuntimeException e) {
            log.warn("tender quarter hours not brought up to date: {}", e.getMessage());
        }
    }
}

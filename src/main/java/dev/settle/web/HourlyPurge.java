package dev.settle.web;

import java.time.Duration;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatements;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forgets, hourly, what Settle keeps only for a while: idempotency keys past their promise (the API
 * keeps every key at least 24 hours; this deletes those older than {@link #KEPT}), staff sessions
 * that have expired, wrong-password records older than the sign-in throttle looks back, and
 * exported files after a day. Safe
 * with several instances (deleting what another already deleted is a no-op). It is maintenance
 * across all businesses, the one place statements are not scoped to one.
 */
public final class HourlyPurge {
    private static final Logger log = LoggerFactory.getLogger(HourlyPurge.class);
    static final Duration KEPT = Duration.ofHours(48);
    /** A finished export is a download link on a page someone is looking at, not an archive. */
    static final Duration EXPORTS_KEPT = Duration.ofDays(1);

    private static final int ROWS_PER_STATEMENT_MAX = 10_000;

    private final Jdbi jdbi;

    public HourlyPurge(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Deletes what has expired, in bounded statements; returns how many rows went. */
    public long purge() {
        return purge("""
                        delete from idempotency_keys
                        where (business_id, key) in (
                            select business_id, key from idempotency_keys
                            where created_at < now() - make_interval(secs => :kept_seconds)
                            limit :rows_max)
                        """) + purge("""
                        delete from staff_sessions
                        where token_hash in (
                            select token_hash from staff_sessions where expires_at < now() limit :rows_max)
                        """) + purge("""
                        delete from signin_failures
                        where ctid in (
                            select ctid from signin_failures
                            where failed_at < now() - make_interval(secs => :kept_seconds)
                            limit :rows_max)
                        """) + purge("""
                        delete from gift_card_lookup_failures
                        where ctid in (
                            select ctid from gift_card_lookup_failures
                            where failed_at < now() - make_interval(secs => :kept_seconds)
                            limit :rows_max)
                        """) + purge("""
                        delete from portal_links
                        where token_hash in (
                            select token_hash from portal_links where expires_at < now() limit :rows_max)
                        """) + purge("""
                        delete from portal_sessions
                        where token_hash in (
                            select token_hash from portal_sessions where expires_at < now() limit :rows_max)
                        """) + purge("""
                        delete from exports
                        where (business_id, id) in (
                            select business_id, id from exports
                            where created_at < now() - make_interval(secs => :export_kept_seconds)
                            limit :rows_max)
                        """);
    }

    private long purge(String statement) {
        long deleted = 0;
        int batch;
        do {
            batch = jdbi.withHandle(handle -> handle.createUpdate(statement)
                    // Not every statement looks back KEPT: the sessions one goes by each row's expiry.
                    .configure(SqlStatements.class, config -> config.setUnusedBindingAllowed(true))
                    .bind("kept_seconds", KEPT.toSeconds())
                    .bind("export_kept_seconds", EXPORTS_KEPT.toSeconds())
                    .bind("rows_max", ROWS_PER_STATEMENT_MAX)
                    .execute());
            deleted += batch;
        } while (batch == ROWS_PER_STATEMENT_MAX);
        return deleted;
    }

    /** One run as the job scheduler calls it: a failure is logged, and the next run catches up. */
    public void purgeLogged() {
        try {
            final long deleted = purge();
            if (deleted > 0) {
                log.info(
                        "forgot {} expired idempotency keys, sessions, sign-in failures, gift card lookups, portal links and exports",
                        deleted);
            }
        } catch (RuntimeException e) {
            // A missed purge only delays it an hour; the next run catches up.
            log.warn("hourly purge failed: {}", e.getMessage());
        }
    }
}

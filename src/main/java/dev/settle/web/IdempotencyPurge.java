package dev.settle.web;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forgets idempotency keys once they are past their promise: the API keeps every key at least
 * 24 hours; this deletes those older than {@link #KEPT}, hourly. Safe with several instances
 * (deleting what another already deleted is a no-op). It is maintenance across all businesses,
 * the one place a statement is not scoped to one.
 */
public final class IdempotencyPurge implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IdempotencyPurge.class);
    static final Duration KEPT = Duration.ofHours(48);
    private static final int ROWS_PER_STATEMENT_MAX = 10_000;

    private final Jdbi jdbi;
    private final ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("idempotency-purge").daemon().factory());

    public IdempotencyPurge(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public IdempotencyPurge startHourly() {
        schedule.scheduleWithFixedDelay(this::purgeLogged, 1, 60, TimeUnit.MINUTES);
        return this;
    }

    /** Deletes expired keys in bounded statements; returns how many went. */
    public long purge() {
        long deleted = 0;
        int batch;
        do {
            batch = jdbi.withHandle(handle -> handle.createUpdate("""
                            delete from idempotency_keys
                            where (business_id, key) in (
                                select business_id, key from idempotency_keys
                                where created_at < now() - make_interval(secs => :kept_seconds)
                                limit :rows_max)
                            """)
                    .bind("kept_seconds", KEPT.toSeconds())
                    .bind("rows_max", ROWS_PER_STATEMENT_MAX)
                    .execute());
            deleted += batch;
        } while (batch == ROWS_PER_STATEMENT_MAX);
        return deleted;
    }

    private void purgeLogged() {
        try {
            final long deleted = purge();
            if (deleted > 0) {
                log.info("forgot {} idempotency keys older than {} hours", deleted, KEPT.toHours());
            }
        } catch (RuntimeException e) {
            // A missed purge only delays it an hour; the next run catches up.
            log.warn("idempotency key purge failed: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        schedule.shutdownNow();
    }
}

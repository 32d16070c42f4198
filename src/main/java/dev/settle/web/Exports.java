package dev.settle.web;

import dev.settle.Problem;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.IntConsumer;
import org.apache.commons.csv.CSVPrinter;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CSV files too long to write while a browser waits: written on a background thread, with how far
 * it has got kept in the {@code exports} table for the page to poll, and the finished file kept
 * there (for a day) so whichever instance answers the next request can hand it over.
 */
public final class Exports {
    private static final Logger log = LoggerFactory.getLogger(Exports.class);
    /** An export that has not moved for this long died with its instance. */
    static final Duration STALLED_AFTER = Duration.ofMinutes(2);
    /** How often progress is written: often enough for the bar to move, rarely enough to cost nothing. */
    private static final Duration PROGRESS_EVERY = Duration.ofMillis(300);

    static final int RUNNING_PER_BUSINESS_MAX = 3;
    /**
     * Files being written at once by this instance, whatever their business: each is held in
     * memory until it is stored (up to about twice its size).
     */
    private static final Semaphore WRITING = new Semaphore(4);

    /** Writes the file's records, telling {@code progress} how many rows are written so far. */
    public interface Rows {
        void print(CSVPrinter printer, IntConsumer progress) throws IOException;
    }

    /** An export as its page shows it. */
    public record Export(
            long id,
            String filename,
            Status status,
            int rowsWritten,
            Optional<Integer> rowsExpected,
            Optional<String> error) {
        public boolean running() {
            return status == Status.RUNNING;
        }

        /** How far it has got, 0–100, when the number of rows is known. */
        public Optional<Integer> percent() {
            return rowsExpected
                    .filter(expected -> expected > 0)
                    .map(expected -> Math.min(100, (int) (100L * rowsWritten / expected)));
        }
    }

    public enum Status {
        RUNNING,
        DONE,
        FAILED
    }

    private final Jdbi jdbi;

    public Exports(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Records the export and starts writing it; returns its id at once. Refused while the business
     * already has {@link #RUNNING_PER_BUSINESS_MAX} running, so a stuck button cannot pile them up.
     */
    public long start(long businessId, long staffId, String filename, int rowsExpected, Rows rows) {
        if (!WRITING.tryAcquire()) {
            throw new Problem(
                    Problem.Kind.CONFLICT,
                    "export",
                    "Settle is writing other exports just now; start this one again in a minute.");
        }
        try {
            final long id = record(businessId, staffId, filename, rowsExpected);
            Thread.ofVirtual().name("export-" + businessId + "-" + id).start(() -> {
                try {
                    write(businessId, id, rows);
                } finally {
                    WRITING.release();
                }
            });
            return id;
        } catch (RuntimeException e) {
            WRITING.release();
            throw e;
        }
    }

    private long record(long businessId, long staffId, String filename, int rowsExpected) {
        return jdbi.inTransaction(handle -> {
            // One at a time per business, so the count below cannot be raced past.
            handle.createQuery("select id from businesses where id = :business_id for no key update")
                    .bind("business_id", businessId)
                    .mapTo(Long.class)
                    .one();
            final int running = handle.createQuery("""
                            select count(*) from exports
                            where business_id = :business_id and status = 'running'
                              and updated_at > now() - make_interval(secs => :stalled_seconds)
                            """)
                    .bind("business_id", businessId)
                    .bind("stalled_seconds", STALLED_AFTER.toSeconds())
                    .mapTo(Integer.class)
                    .one();
            if (running >= RUNNING_PER_BUSINESS_MAX) {
                throw new Problem(
                        Problem.Kind.CONFLICT,
                        "export",
                        running + " exports are already being written; start this one when one of them is done.");
            }
            return handle.createUpdate("""
                            insert into exports (business_id, filename, started_by, rows_expected)
                            values (:business_id, :filename, :started_by, :rows_expected)
                            """)
                    .bind("business_id", businessId)
                    .bind("filename", filename)
                    .bind("started_by", staffId)
                    .bind("rows_expected", rowsExpected)
                    .executeAndReturnGeneratedKeys("id")
                    .mapTo(Long.class)
                    .one();
        });
    }

    private void write(long businessId, long id, Rows rows) {
        try {
            final long[] lastProgressAt = {System.nanoTime()};
            final int[] rowsWritten = {0};
            final byte[] content = CsvDownload.write(printer -> rows.print(printer, written -> {
                rowsWritten[0] = written;
                if (System.nanoTime() - lastProgressAt[0] >= PROGRESS_EVERY.toNanos()) {
                    lastProgressAt[0] = System.nanoTime();
                    progress(businessId, id, written);
                }
            }));
            jdbi.useHandle(handle -> handle.createUpdate("""
                            update exports set status = 'done', content = :content, rows_written = :rows,
                                               updated_at = now()
                            where business_id = :business_id and id = :id
                            """)
                    .bind("business_id", businessId)
                    .bind("id", id)
                    .bind("content", content)
                    .bind("rows", rowsWritten[0])
                    .execute());
        } catch (RuntimeException | OutOfMemoryError e) {
            // Out of memory too: the export is marked failed rather than left "running".
            log.warn("export {} of business {} failed", id, businessId, e);
            jdbi.useHandle(handle -> handle.createUpdate("""
                            update exports set status = 'failed', updated_at = now(),
                                               error = 'Settle could not finish this file. Nothing was changed; start it again.'
                            where business_id = :business_id and id = :id
                            """)
                    .bind("business_id", businessId)
                    .bind("id", id)
                    .execute());
        }
    }

    private void progress(long businessId, long id, int rowsWritten) {
        jdbi.useHandle(handle -> handle.createUpdate("""
                        update exports set rows_written = :rows, updated_at = now()
                        where business_id = :business_id and id = :id and status = 'running'
                        """)
                .bind("business_id", businessId)
                .bind("id", id)
                .bind("rows", rowsWritten)
                .execute());
    }

    /** The export, as far as it has got; a running one that stopped moving is reported failed. */
    public Export find(long businessId, long id) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        select id, filename, rows_written, rows_expected, error,
                               case when status = 'running'
                                         and updated_at < now() - make_interval(secs => :stalled_seconds)
                                    then 'failed' else status end as status
                        from exports
                        where business_id = :business_id and id = :id
                        """)
                .bind("business_id", businessId)
                .bind("id", id)
                .bind("stalled_seconds", STALLED_AFTER.toSeconds())
                .map((rs, ctx) -> {
                    final Status status = Status.valueOf(rs.getString("status").toUpperCase(java.util.Locale.ROOT));
                    final Optional<String> error = Optional.ofNullable(rs.getString("error"))
                            .or(() -> status == Status.FAILED
                                    ? Optional.of("Settle stopped while writing this file. Start it again.")
                                    : Optional.empty());
                    return new Export(
                            rs.getLong("id"),
                            rs.getString("filename"),
                            status,
                            rs.getInt("rows_written"),
                            Optional.ofNullable((Integer) rs.getObject("rows_expected")),
                            error);
                })
                .findOne()
                .orElseThrow(() -> Problem.notFound("exportId", "no export has id " + id)));
    }

    /** A finished export's file. */
    public record File(String filename, byte[] content) {}

    public File file(long businessId, long id) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        select filename, content from exports
                        where business_id = :business_id and id = :id and status = 'done'
                        """)
                .bind("business_id", businessId)
                .bind("id", id)
                .map((rs, ctx) -> new File(rs.getString("filename"), rs.getBytes("content")))
                .findOne()
                .orElseThrow(() -> Problem.notFound("exportId", "no finished export has id " + id)));
    }
}

package dev.settle.cli;

import dev.settle.db.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The CPU a PostgreSQL server on this machine uses: its postmaster and every process it started
 * (backends, autovacuum, WAL writer, checkpointer), those that have ended included. Read from
 * Linux's /proc, so only for a server on this machine. The benchmark divides it by the work done
 * to say what a checkout costs the database against what a pgbench transaction does: throughput
 * alone cannot tell a slow Settle from a checkout that asks more of PostgreSQL.
 */
final class PostgresCpu {
    private final long postmasterPid;

    private PostgresCpu(long postmasterPid) {
        this.postmasterPid = postmasterPid;
    }

    /** The CPU used at a moment, to tell how busy the server has been since. */
    record Mark(Duration used, long nanos) {}

    /**
     * The server behind {@code db}, or empty when it is not a PostgreSQL on this machine (another
     * host, a container's own process numbers, no /proc): its backend's parent must be a postgres.
     */
    static Optional<PostgresCpu> of(Database db) {
        final long backend = db.jdbi()
                .withHandle(handle -> handle.createQuery("select pg_backend_pid()")
                        .mapTo(Long.class)
                        .one());
        return stat(backend).filter(PostgresCpu::isPostgres).flatMap(fields -> {
            final long parent = Long.parseLong(fields.get(ProcStat.PARENT));
            return stat(parent).filter(PostgresCpu::isPostgres).map(postmaster -> new PostgresCpu(parent));
        });
    }

    Mark mark() {
        return new Mark(used(), System.nanoTime());
    }

    /** Cores the server kept busy on average since {@code from}. */
    double coresSince(Mark from) {
        final Mark now = mark();
        return (now.used().toNanos() - from.used().toNanos()) / (double) (now.nanos() - from.nanos());
    }

    private Duration used() {
        // The postmaster's own time and that of the children it has reaped, then its living children.
        long ticks =
                stat(postmasterPid).map(fields -> ProcStat.ticks(fields, true)).orElse(0L);
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes.toList()) {
                final String name = process.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit)) {
                    ticks += stat(Long.parseLong(name))
                            .filter(fields -> Long.parseLong(fields.get(ProcStat.PARENT)) == postmasterPid)
                            .map(fields -> ProcStat.ticks(fields, false))
                            .orElse(0L);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return ProcStat.duration(ticks);
    }

    private static boolean isPostgres(List<String> fields) {
        return fields.get(ProcStat.NAME).equals("postgres");
    }

    /** The process's /proc stat fields, or empty if it has ended or /proc does not say. */
    private static Optional<List<String>> stat(long pid) {
        return ProcStat.read(Path.of("/proc", String.valueOf(pid), "stat"));
    }
}

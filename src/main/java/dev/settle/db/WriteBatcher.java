package dev.settle.db;

import dev.settle.Problem;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatements;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: runs many callers' writes in one transaction, so one commit (one WAL flush, 2–3 ms
 * here) is shared by up to {@link #BATCH_MAX} writes. A caller blocks until its write has committed
 * and gets its result or its own failure; a failed write never affects its neighbours.
 *
 * <p>Each business's writes go to one writer (a thread with its own connection), chosen by
 * business id. Every checkout of a business touches its sales account, so spreading one business
 * over several writers would only make them queue on that row's lock, one commit at a time; kept
 * on one writer they share commits instead. Different businesses run on different writers at once.
 *
 * <p>A batch first runs optimistically, with no savepoints, and neighbouring writes of one {@link
 * Group} (ledger posts, say) go to the database together in one round trip. If any write fails,
 * the transaction is rolled back and the batch runs again one write at a time, with a savepoint
 * around each, so the failures fail alone. Before running, a writer locks the accounts the batch declared in account-id order (the
 * order {@code ledger_post} uses), so it cannot deadlock with writes made outside the batcher.
 * Deadlocks, serialization failures and lost connections are retried; callers never see them.
 */
public final class WriteBatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WriteBatcher.class);
    /** Below PostgreSQL's 64 cached subtransactions per backend (one per savepoint that writes). */
    public static final int BATCH_MAX = 48;

    private static final int RETRIES_MAX = 5;
    private static final int QUEUE_MAX = 5_000;

    /** A unit of work that runs inside a shared transaction; it may run more than once. */
    public interface Work<T> {
        T run(Handle handle);

        /**
         * Runs in the same transaction after {@link #run} failed with a {@link Problem} and its writes
         * were rolled back — for recording the failure (an idempotency record, say).
         */
        default void afterProblem(Handle handle, Problem problem) {}

        /** Neighbouring works with equal groups may run together, through their group. */
        default Optional<Group<T>> group() {
            return Optional.empty();
        }
    }

    /** Thrown by a {@link Group} that cannot run its works together: run them one by one. */
    public static final class RunOneByOne extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public RunOneByOne(String reason) {
            super(reason, null, false, false);
        }
    }

    /** Runs several works of one kind together, in fewer round trips than one by one. */
    public interface Group<T> {
        /**
         * Runs {@code works} in order on {@code handle}; returns their results in the same order. A
         * failure rolls back the whole batch, which then runs again one work at a time.
         */
        List<T> runAll(Handle handle, List<Work<T>> works);
    }

    private final Jdbi jdbi;
    private final List<Writer> writers = new ArrayList<>();
    private volatile boolean closed;

    public WriteBatcher(Jdbi jdbi, int writersCount) {
        if (writersCount < 1 || writersCount > 64) {
            throw new IllegalArgumentException("writersCount must be 1..64, was " + writersCount);
        }
        this.jdbi = jdbi;
        for (int index = 0; index < writersCount; index++) {
            final Writer writer = new Writer(new LinkedBlockingQueue<>(QUEUE_MAX));
            writer.thread =
                    Thread.ofPlatform().name("ledger-writer-" + index).daemon().start(() -> drain(writer.queue));
            writers.add(writer);
        }
    }

    /**
     * Runs {@code work} for business {@code businessId} in a batch and returns its result once
     * committed. {@code accountIds} are the accounts it will lock. Throws the work's own exception,
     * or {@link Problem.Kind#UNAVAILABLE} when the database could not commit it.
     */
    public <T> T write(long businessId, Collection<Long> accountIds, Work<T> work) {
        if (closed) {
            throw new Problem(Problem.Kind.UNAVAILABLE, null, "Settle is shutting down");
        }
        final Pending<T> pending = new Pending<>(businessId, List.copyOf(accountIds), work, new CompletableFuture<>());
        final Writer writer = writers.get(Math.floorMod(Long.hashCode(businessId), writers.size()));
        if (!writer.queue.offer(pending)) {
            throw new Problem(Problem.Kind.UNAVAILABLE, null, "too many writes are waiting; retry");
        }
        try {
            return pending.result.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Writer writer : writers) {
            try {
                writer.thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void drain(BlockingQueue<Pending<?>> queue) {
        final List<Pending<?>> batch = new ArrayList<>(BATCH_MAX);
        while (!closed || !queue.isEmpty()) {
            try {
                final Pending<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH_MAX - 1);
                runWithRetries(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("a writer failed a whole batch", e);
                batch.forEach(pending -> pending.result.completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
    }

    private void runWithRetries(List<Pending<?>> batch) throws InterruptedException {
        List<Pending<?>> todo = batch;
        boolean careful = false;
        for (int attempt = 1; !todo.isEmpty(); attempt++) {
            try {
                if (careful) {
                    todo = runCarefully(todo);
                } else if (runOptimistically(todo)) {
                    return;
                } else {
                    careful = true;
                    continue;
                }
            } catch (RuntimeException e) {
                if (!SqlState.isTransient(e) || attempt >= RETRIES_MAX) {
                    final RuntimeException failure = SqlState.isTransient(e)
                            ? new Problem(Problem.Kind.UNAVAILABLE, null, "the database is unavailable; retry")
                            : e;
                    todo.forEach(pending -> pending.result.completeExceptionally(failure));
                    return;
                }
                log.info(
                        "batch of {} failed transiently ({}); retrying",
                        todo.size(),
                        SqlState.of(e).orElse("?"));
            }
            if (!todo.isEmpty()) {
                Thread.sleep(ThreadLocalRandom.current().nextLong(1, 5L << attempt));
            }
        }
    }

    /**
     * Runs every write with no savepoints and commits. Returns false, having rolled everything back,
     * when any write failed: the batch must then run carefully.
     */
    private boolean runOptimistically(List<Pending<?>> batch) {
        final List<Runnable> completions = new ArrayList<>(batch.size());
        try (Handle handle = jdbi.open()) {
            handle.begin();
            try {
                lockInOrder(handle, batch);
                for (int start = 0, end; start < batch.size(); start = end) {
                    end = endOfGroup(batch, start);
                    completions.addAll(
                            end - start > 1
                                    ? runGroup(handle, batch.subList(start, end))
                                    : List.of(runBare(handle, batch.get(start))));
                }
                handle.commit();
            } catch (RuntimeException e) {
                rollbackQuietly(handle, e);
                if (SqlState.isTransient(e) && !(e instanceof Problem)) {
                    throw e;
                }
                return false;
            }
        }
        completions.forEach(Runnable::run);
        return true;
    }

    /** The index after the run of works, starting at {@code start}, that share one group. */
    private static int endOfGroup(List<Pending<?>> batch, int start) {
        final Optional<?> group = batch.get(start).work.group();
        int end = start + 1;
        while (group.isPresent()
                && end < batch.size()
                && group.equals(batch.get(end).work.group())) {
            end++;
        }
        return end;
    }

    @SuppressWarnings("unchecked")
    private static <T> List<Runnable> runGroup(Handle handle, List<Pending<?>> members) {
        final List<Pending<T>> typed =
                members.stream().map(pending -> (Pending<T>) pending).toList();
        final Group<T> group = typed.getFirst().work.group().orElseThrow();
        final List<T> results =
                group.runAll(handle, typed.stream().map(Pending::work).toList());
        if (results.size() != typed.size()) {
            throw new IllegalStateException("a group returned " + results.size() + " results for " + typed.size());
        }
        final List<Runnable> completions = new ArrayList<>(typed.size());
        for (int index = 0; index < typed.size(); index++) {
            final Pending<T> pending = typed.get(index);
            final T value = results.get(index);
            completions.add(() -> pending.result.complete(value));
        }
        return completions;
    }

    private static <T> Runnable runBare(Handle handle, Pending<T> pending) {
        final T value = pending.work.run(handle);
        return () -> pending.result.complete(value);
    }

    /**
     * Runs the batch in one transaction with a savepoint around each write and completes every write
     * that finished; returns the writes to run again (those that hit a transient failure).
     */
    private List<Pending<?>> runCarefully(List<Pending<?>> batch) {
        final List<Runnable> completions = new ArrayList<>(batch.size());
        final List<Pending<?>> again = new ArrayList<>();
        try (Handle handle = jdbi.open()) {
            handle.begin();
            try {
                lockInOrder(handle, batch);
                for (Pending<?> pending : batch) {
                    runInSavepoint(handle, pending, completions, again);
                }
                handle.commit();
            } catch (RuntimeException e) {
                rollbackQuietly(handle, e);
                throw e;
            }
        }
        completions.forEach(Runnable::run);
        return again;
    }

    private static <T> void runInSavepoint(
            Handle handle, Pending<T> pending, List<Runnable> completions, List<Pending<?>> again) {
        handle.savepoint("write");
        try {
            final T value = pending.work.run(handle);
            handle.releaseSavepoint("write");
            completions.add(() -> pending.result.complete(value));
        } catch (Problem problem) {
            handle.rollbackToSavepoint("write");
            handle.savepoint("write");
            pending.work.afterProblem(handle, problem);
            handle.releaseSavepoint("write");
            completions.add(() -> pending.result.completeExceptionally(problem));
        } catch (RuntimeException e) {
            handle.rollbackToSavepoint("write");
            if (SqlState.isTransient(e)) {
                again.add(pending);
            } else {
                completions.add(() -> pending.result.completeExceptionally(e));
            }
        }
    }

    private static void rollbackQuietly(Handle handle, RuntimeException cause) {
        try {
            handle.rollback();
        } catch (RuntimeException rollbackFailure) {
            cause.addSuppressed(rollbackFailure);
        }
    }

    /**
     * Whether {@code handle}'s transaction has held every one of these accounts since before its
     * first write ran: a batch's declared accounts, locked before anything was read. What a write
     * read of them is then current, and locking them again would only cost a round trip. Locks a
     * write takes itself are not counted: a savepoint's rollback releases them.
     */
    public static boolean heldSinceBatchStart(Handle handle, long businessId, Collection<Long> accountIds) {
        final Object held = handle.getConfig(SqlStatements.class).getAttribute(HELD_ATTRIBUTE);
        return held instanceof Set<?> accounts
                && accountIds.stream().allMatch(id -> accounts.contains(new HeldAccount(businessId, id)));
    }

    private static final String HELD_ATTRIBUTE = "settle.accountsHeldSinceBatchStart";

    private record HeldAccount(long businessId, long accountId) {}

    private static void lockInOrder(Handle handle, List<Pending<?>> batch) {
        final List<Long> businessIds = new ArrayList<>();
        final List<Long> accountIds = new ArrayList<>();
        for (Pending<?> pending : batch) {
            for (long accountId : pending.accountIds) {
                businessIds.add(pending.businessId);
                accountIds.add(accountId);
            }
        }
        if (accountIds.isEmpty()) {
            return;
        }
        final Set<HeldAccount> held = Set.copyOf(handle.createQuery("""
            select a.business_id, a.id from accounts a
            where (a.business_id, a.id) in (select * from unnest(:business_ids, :account_ids))
            order by a.id
            for update
            """)
                .bindArray("business_ids", Long.class, businessIds)
                .bindArray("account_ids", Long.class, accountIds)
                .map((rs, ctx) -> new HeldAccount(rs.getLong("business_id"), rs.getLong("id")))
                .list());
        handle.define(HELD_ATTRIBUTE, held);
    }

    private static final class Writer {
        final BlockingQueue<Pending<?>> queue;
        Thread thread;

        Writer(BlockingQueue<Pending<?>> queue) {
            this.queue = queue;
        }
    }

    private record Pending<T>(long businessId, List<Long> accountIds, Work<T> work, CompletableFuture<T> result) {}
}

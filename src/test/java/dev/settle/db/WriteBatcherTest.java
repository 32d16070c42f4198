package dev.settle.db;

import static dev.settle.ledger.PostingRequest.credit;
import static dev.settle.ledger.PostingRequest.debit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.Problem;
import dev.settle.clients.Clients;
import dev.settle.ledger.AccountKind;
import dev.settle.ledger.EntryRequest;
import dev.settle.ledger.Ledger;
import dev.settle.ledger.PostedEntry;
import dev.settle.ledger.PostingRequest;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;

class WriteBatcherTest {
    private final Ledger ledger = new Ledger();
    private final TestBusiness salon = TestBusiness.create();

    @Test
    void neighbouringWritesOfOneGroupGoToTheDatabaseTogether() throws Exception {
        final List<Integer> groupSizes = new CopyOnWriteArrayList<>();
        final WriteBatcher.Group<Integer> doubling = (handle, works) -> {
            groupSizes.add(works.size());
            return works.stream().map(work -> work.run(handle)).toList();
        };
        try (WriteBatcher batcher = new WriteBatcher(TestDatabase.get().jdbi(), 1);
                ExecutorService callers = Executors.newFixedThreadPool(21)) {
            final CountDownLatch blocked = new CountDownLatch(1);
            final Future<Integer> blocker = callers.submit(() -> batcher.write(salon.id(), List.of(), handle -> {
                blocked.countDown();
                sleep(300);
                return 0;
            }));
            blocked.await();
            final List<Future<Integer>> results = new ArrayList<>();
            for (int index = 1; index <= 20; index++) {
                final int value = index;
                results.add(callers.submit(() -> batcher.write(salon.id(), List.of(), grouped(doubling, value))));
            }
            assertThat(blocker.get()).isZero();
            for (int index = 0; index < 20; index++) {
                assertThat(results.get(index).get()).isEqualTo(2 * (index + 1));
            }
        }
        assertThat(groupSizes).anySatisfy(size -> assertThat(size).isGreaterThan(1));
    }

    @Test
    void aWriteKnowsWhichAccountsItsBatchLockedBeforeItRanButNotThoseItLocksItself() {
        final Clients.Client ana = salon.aClient("Ana");
        final long sales = salon.account(AccountKind.SALES);
        final List<Long> declared = List.of(sales, ana.openPayments().id());
        try (WriteBatcher batcher = new WriteBatcher(TestDatabase.get().jdbi(), 1)) {
            final List<Boolean> seen = batcher.write(
                    salon.id(),
                    declared,
                    handle -> List.of(
                            WriteBatcher.heldSinceBatchStart(handle, salon.id(), List.of(sales)),
                            WriteBatcher.heldSinceBatchStart(
                                    handle,
                                    salon.id(),
                                    List.of(sales, ana.credits().id())),
                            WriteBatcher.heldSinceBatchStart(handle, salon.id() + 1, List.of(sales)),
                            ledger.lock(handle, salon.id(), declared),
                            ledger.lock(
                                    handle, salon.id(), List.of(ana.credits().id())),
                            WriteBatcher.heldSinceBatchStart(
                                    handle, salon.id(), List.of(ana.credits().id()))));

            assertThat(seen).containsExactly(true, false, false, false, true, false);
        }
        final boolean lockedOutsideABatch =
                TestDatabase.get().jdbi().inTransaction(handle -> ledger.lock(handle, salon.id(), declared));
        assertThat(lockedOutsideABatch).as("outside a batch nothing is held").isTrue();
    }

    @Test
    void anEntryRefusedInsideAGroupFailsAloneAndItsNeighboursCommit() throws Exception {
        final Clients.Client ana = salon.aClient("Ana");
        salon.post(
                "open_payment",
                debit(salon.account(AccountKind.CHECK), 5_00),
                credit(ana.openPayments().id(), 5_00));
        try (WriteBatcher batcher = new WriteBatcher(TestDatabase.get().jdbi(), 1);
                ExecutorService callers = Executors.newFixedThreadPool(11)) {
            final CountDownLatch blocked = new CountDownLatch(1);
            callers.submit(() -> batcher.write(salon.id(), List.of(), handle -> {
                blocked.countDown();
                sleep(300);
                return 0;
            }));
            blocked.await();
            final List<Future<PostedEntry>> sales = new ArrayList<>();
            for (int index = 0; index < 10; index++) {
                final EntryRequest request = index == 4
                        ? entry(debit(ana.openPayments().id(), 6_00), credit(salon.account(AccountKind.SALES), 6_00))
                        : entry(
                                debit(salon.account(AccountKind.CASH), 1_00),
                                credit(salon.account(AccountKind.SALES), 1_00));
                sales.add(callers.submit(
                        () -> batcher.write(salon.id(), request.accountIds(), ledger.postWork(request))));
            }
            int refused = 0;
            for (Future<PostedEntry> sale : sales) {
                try {
                    assertThat(sale.get().postings()).hasSize(2);
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause())
                            .isInstanceOfSatisfying(
                                    Problem.class,
                                    problem -> assertThat(problem.kind()).isEqualTo(Problem.Kind.INSUFFICIENT_FUNDS));
                    refused++;
                }
            }
            assertThat(refused).isEqualTo(1);
        }
        assertThat(salon.balance(salon.account(AccountKind.CASH))).isEqualTo(9_00);
        assertThat(salon.balance(ana.openPayments().id())).isEqualTo(5_00);
    }

    private static WriteBatcher.Work<Integer> grouped(WriteBatcher.Group<Integer> group, int value) {
        return new WriteBatcher.Work<>() {
            @Override
            public Integer run(Handle handle) {
                return handle.createQuery("select 2 * :value")
                        .bind("value", value)
                        .mapTo(Integer.class)
                        .one();
            }

            @Override
            public Optional<WriteBatcher.Group<Integer>> group() {
                return Optional.of(group);
            }
        };
    }

    private EntryRequest entry(PostingRequest... postings) {
        return EntryRequest.bySystem(salon.id(), "checkout", List.of(postings));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

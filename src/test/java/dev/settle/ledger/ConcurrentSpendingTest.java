package dev.settle.ledger;

import static dev.settle.ledger.PostingRequest.credit;
import static dev.settle.ledger.PostingRequest.debit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.Problem;
import dev.settle.clients.Clients;
import dev.settle.db.WriteBatcher;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Invariant 3 under concurrency, at the ledger: 32 threads spend one client's open payments at once, half through the
 * group-commit writer and half in transactions of their own, with postings listed in random
 * orders. The credits never go below zero, what succeeded is exactly what left the account, and
 * the only failure any caller sees is "insufficient funds" — never a deadlock.
 */
class ConcurrentSpendingTest {
    private static final int THREADS = 32;
    private static final long FUNDED_MINOR = 5_000_00;

    private final Ledger ledger = new Ledger();

    @Test
    void thirtyTwoThreadsSpendingOneStoredValueAccountNeverTakeItBelowZero() throws InterruptedException {
        final TestBusiness salon = TestBusiness.create();
        final Clients.Client ana = salon.aClient("Ana");
        final Clients.Client ben = salon.aClient("Ben");
        final long held = ana.openPayments().id();
        salon.post("open_payment", debit(salon.account(AccountKind.CHECK), FUNDED_MINOR), credit(held, FUNDED_MINOR));

        final AtomicLong spentMinor = new AtomicLong();
        final ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        final CountDownLatch start = new CountDownLatch(1);
        final List<Thread> threads = new ArrayList<>();
        try (WriteBatcher batcher = new WriteBatcher(TestDatabase.get().jdbi(), 4)) {
            for (int index = 0; index < THREADS; index++) {
                final boolean throughBatcher = index % 2 == 0;
                final Random random = new Random(index);
                threads.add(Thread.ofPlatform().start(() -> {
                    await(start);
                    for (int attempt = 0; attempt < 40; attempt++) {
                        final long amount = 1 + random.nextInt(30_00);
                        // Touch other shared accounts too, listed in a random order, to invite deadlocks.
                        final List<PostingRequest> postings = new ArrayList<>(List.of(
                                debit(held, amount),
                                debit(salon.account(AccountKind.CASH), 1_00),
                                credit(salon.account(AccountKind.SALES), amount + 1_00 - 50),
                                credit(ben.openPayments().id(), 50)));
                        java.util.Collections.shuffle(postings, random);
                        final EntryRequest request = EntryRequest.bySystem(salon.id(), "checkout", postings);
                        try {
                            if (throughBatcher) {
                                batcher.write(salon.id(), request.accountIds(), ledger.postWork(request));
                            } else {
                                TestDatabase.get().jdbi().inTransaction(handle -> ledger.post(handle, request));
                            }
                            spentMinor.addAndGet(amount);
                        } catch (Problem problem) {
                            if (problem.kind() != Problem.Kind.INSUFFICIENT_FUNDS) {
                                unexpected.add(problem);
                            }
                        } catch (Throwable other) {
                            unexpected.add(other);
                        }
                    }
                }));
            }
            start.countDown();
            for (Thread thread : threads) {
                thread.join();
            }
        }

        assertThat(unexpected).isEmpty();
        final long left = salon.balance(held);
        assertThat(left).isGreaterThanOrEqualTo(0);
        assertThat(FUNDED_MINOR - left).isEqualTo(spentMinor.get());
        assertThat(spentMinor.get())
                .as("the open payments were actually contended for")
                .isGreaterThan(FUNDED_MINOR - 30_00);
        final Verifier.Report report = TestDatabase.get().jdbi().withHandle(new Verifier()::verify);
        assertThat(report.violations()).isEmpty();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

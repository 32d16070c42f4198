package dev.settle.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.Problem;
import dev.settle.business.ApiKeys;
import dev.settle.business.Businesses;
import dev.settle.invoices.Invoices;
import dev.settle.ledger.Actor;
import dev.settle.ledger.Ledger;
import dev.settle.ledger.Verifier;
import dev.settle.support.TestApp;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Spending one client's credits from 32 threads at once, half through the API (the group-commit
 * writer) and half in transactions of their own: the credits never go below zero, what was spent
 * is exactly what left them and what the grants lost, and the only refusal anyone sees is "more
 * than the client's credits" — never a deadlock.
 */
class CreditSpendingConcurrencyTest {
    private static final int THREADS = 32;

    @Test
    void thirtyTwoThreadsApplyingOneClientsCreditsNeverOverspendThem() throws InterruptedException {
        final TestBusiness salon = TestBusiness.create();
        final Clients.Client ana = salon.aClient("Ana");
        for (int grant = 0; grant < 5; grant++) {
            salon.credit(ana, 100_00);
        }
        for (int invoice = 0; invoice < 10; invoice++) {
            salon.charge(ana, 100_00);
        }
        final Ledger ledger = new Ledger();
        final ClientMoney money =
                new ClientMoney(ledger, new Clients(ledger), new Businesses(ledger, new ApiKeys()), new Invoices());
        final AtomicLong spent = new AtomicLong();
        final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
        final CountDownLatch start = new CountDownLatch(1);
        final List<Thread> threads = new ArrayList<>();
        for (int index = 0; index < THREADS; index++) {
            final boolean throughApi = index % 2 == 0;
            final Random random = new Random(index);
            threads.add(Thread.ofPlatform().start(() -> {
                awaitQuietly(start);
                for (int attempt = 0; attempt < 10; attempt++) {
                    final long amount = 1 + random.nextInt(30_00);
                    if (throughApi) {
                        final TestApp.Reply reply = TestApp.post(
                                salon.apiKey(),
                                "/api/v1/clients/" + ana.id() + "/apply-funds",
                                "{\"from\": \"credits\", \"amountMinor\": %d, \"currency\": \"USD\"}"
                                        .formatted(amount));
                        if (reply.status() == 201) {
                            spent.addAndGet(amount);
                        } else if (!reply.body().contains("insufficient-funds")) {
                            unexpected.add(reply.body());
                        }
                        continue;
                    }
                    try {
                        TestDatabase.get()
                                .jdbi()
                                .useTransaction(handle -> money.applyFunds(
                                        handle,
                                        salon.id(),
                                        ana.id(),
                                        ClientMoney.Funds.CREDITS,
                                        Optional.of(amount),
                                        Actor.system()));
                        spent.addAndGet(amount);
                    } catch (Problem problem) {
                        if (problem.kind() != Problem.Kind.INSUFFICIENT_FUNDS) {
                            unexpected.add(problem.toString());
                        }
                    } catch (RuntimeException other) {
                        unexpected.add(other.toString());
                    }
                }
            }));
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(unexpected).isEmpty();
        final long left = salon.balance(ana.credits().id());
        assertThat(left).isGreaterThanOrEqualTo(0);
        assertThat(500_00 - left).isEqualTo(spent.get());
        assertThat(spent.get()).as("the credits were really contended for").isGreaterThan(500_00 - 30_00);
        assertThat(salon.balance(ana.receivable().id())).isEqualTo(1_000_00 - spent.get());
        assertThat(TestDatabase.get().jdbi().withHandle(new Verifier()::verify).violations())
                .isEmpty();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.settle.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.settle.support.TestApp;
import dev.settle.support.TestApp.Reply;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Seeded random sequences of entries, reversals and retried requests, through the HTTP API,
 * checked against a plain model after every sequence: invariants 1, 2, 5 and 6. A failure
 * prints its seed; run again with {@code -Dsettle.seed=N} to replay it.
 */
class LedgerPropertiesTest {
    private static final int SEQUENCES = 12;
    private static final int STEPS = 40;

    @Test
    void entriesReversalsAndRetriesInAnyOrderKeepEveryInvariant() {
        final long baseSeed = Long.getLong("settle.seed", System.nanoTime());
        for (int sequence = 0; sequence < SEQUENCES; sequence++) {
            final long seed = baseSeed + sequence;
            try {
                runSequence(seed);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(
                        "property failed with seed " + seed + " (replay: -Dsettle.seed=" + seed + ")", e);
            }
        }
    }

    /** What the model expects of one posted entry. */
    private record Sent(String idempotencyKey, String body, Reply reply, Map<Long, Long> deltas) {}

    private void runSequence(long seed) {
        final Random random = new Random(seed);
        final TestBusiness business = TestBusiness.create();
        // The raw entries API moves only a business's own accounts (a client's move through client
        // operations, whose properties ClientMoneyPropertiesTest checks).
        final List<Long> accounts = new ArrayList<>();
        for (AccountKind kind : List.of(
                AccountKind.CASH, AccountKind.CARD, AccountKind.SALES, AccountKind.PROMOTIONS, AccountKind.TIPS)) {
            accounts.add(business.account(kind));
        }
        // Model balances in the signed (debit +) direction.
        final Map<Long, Long> model = new HashMap<>();
        final List<Sent> posted = new ArrayList<>();
        final Set<Long> reversed = new HashSet<>();

        for (int step = 0; step < STEPS; step++) {
            final int choice = random.nextInt(10);
            if (choice < 6 || posted.isEmpty()) {
                postRandomEntry(random, business, accounts, model, posted, step);
            } else if (choice < 8) {
                final Sent earlier = posted.get(random.nextInt(posted.size()));
                final Reply retry =
                        TestApp.post(business.apiKey(), "/api/v1/entries", earlier.body(), earlier.idempotencyKey());
                assertThat(retry.status()).isEqualTo(earlier.reply().status());
                assertThat(retry.body()).isEqualTo(earlier.reply().body());
            } else {
                final Sent target = posted.get(random.nextInt(posted.size()));
                final long entryId = target.reply().json().get("id").asLong();
                final Reply reply = TestApp.post(business.apiKey(), "/api/v1/entries/" + entryId + "/reversal", "{}");
                final Map<Long, Long> undo = new HashMap<>();
                target.deltas().forEach((account, delta) -> undo.put(account, -delta));
                if (reversed.contains(entryId)) {
                    assertThat(reply.status()).isEqualTo(409);
                } else {
                    assertThat(reply.status()).as(reply.body()).isEqualTo(201);
                    apply(model, undo);
                    reversed.add(entryId);
                }
            }
        }

        for (long account : accounts) {
            final JsonNode json = TestApp.get(business.apiKey(), "/api/v1/accounts/" + account)
                    .json();
            final long signed = model.getOrDefault(account, 0L);
            final String kind = json.get("kind").asText();
            final long expected = List.of("sales", "tips").contains(kind) ? -signed : signed;
            assertThat(json.get("balanceMinor").asLong())
                    .as("account %d (%s)", account, kind)
                    .isEqualTo(expected);
        }
        for (Sent sent : posted) {
            final long entryId = sent.reply().json().get("id").asLong();
            final JsonNode now =
                    TestApp.get(business.apiKey(), "/api/v1/entries/" + entryId).json();
            assertThat(now.get("postings"))
                    .as("entry %d is unchanged", entryId)
                    .isEqualTo(sent.reply().json().get("postings"));
        }
        final Verifier.Report report = TestDatabase.get().jdbi().withHandle(new Verifier()::verify);
        assertThat(report.violations()).isEmpty();
    }

    private void postRandomEntry(
            Random random,
            TestBusiness business,
            List<Long> accounts,
            Map<Long, Long> model,
            List<Sent> posted,
            int step) {
        final int count = 2 + random.nextInt(3);
        final List<Long> chosen = new ArrayList<>();
        while (chosen.size() < count) {
            final long account = accounts.get(random.nextInt(accounts.size()));
            if (!chosen.contains(account)) {
                chosen.add(account);
            }
        }
        // Amounts for all but the last posting at random; the last balances the entry.
        final Map<Long, Long> deltas = new HashMap<>();
        long sum = 0;
        for (int index = 0; index < count - 1; index++) {
            long amount = (1 + random.nextInt(5_000)) * (random.nextBoolean() ? 1 : -1);
            deltas.put(chosen.get(index), amount);
            sum += amount;
        }
        if (sum == 0) {
            deltas.merge(chosen.getFirst(), 1L, Long::sum);
            sum = 1;
        }
        deltas.put(chosen.getLast(), -sum);
        final StringBuilder postings = new StringBuilder();
        for (long account : chosen) {
            final long delta = deltas.get(account);
            if (!postings.isEmpty()) {
                postings.append(',');
            }
            postings.append("{\"accountId\":%d,\"side\":\"%s\",\"amountMinor\":%d}"
                    .formatted(account, delta > 0 ? "debit" : "credit", Math.abs(delta)));
        }
        final String body = "{\"kind\":\"random\",\"postings\":[" + postings + "]}";
        final String key = "step-" + step + "-" + random.nextInt(1_000_000);
        final Reply reply = TestApp.post(business.apiKey(), "/api/v1/entries", body, key);
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        apply(model, deltas);
        posted.add(new Sent(key, body, reply, deltas));
    }

    private static void apply(Map<Long, Long> model, Map<Long, Long> deltas) {
        deltas.forEach((account, delta) -> model.merge(account, delta, Long::sum));
    }
}

package dev.settle.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.settle.clients.Clients;
import dev.settle.ledger.AccountKind;
import dev.settle.support.TestApp;
import dev.settle.support.TestApp.Reply;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The JSON API: what it answers, and how it refuses bad input without changing anything. */
class ApiTest {
    private final TestBusiness salon = TestBusiness.create();
    private final Clients.Client ana = salon.aClient("Ana");

    /** A sale paid part cash, part card: the raw entries API moves only the business's own accounts. */
    private String checkout(long cashMinor, long payLaterMinor) {
        return """
        {"kind": "checkout", "memo": "haircut", "clientId": %d, "postings": [
          {"accountId": %d, "side": "debit", "amountMinor": %d},
          {"accountId": %d, "side": "debit", "amountMinor": %d},
          {"accountId": %d, "side": "credit", "amountMinor": %d}]}
        """.formatted(
                        ana.id(),
                        salon.account(AccountKind.CASH),
                        cashMinor,
                        salon.account(AccountKind.CARD),
                        payLaterMinor,
                        salon.account(AccountKind.SALES),
                        cashMinor + payLaterMinor);
    }

    @Test
    void healthSaysTheDatabaseIsUp() {
        final Reply reply = TestApp.get(null, "/health");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().at("/database/status").asText()).isEqualTo("up");
    }

    @Test
    void postingACheckoutReturnsTheEntryWithRunningBalancesInIntegerMinorUnits() {
        final Reply reply = TestApp.post(salon.apiKey(), "/api/v1/entries", checkout(40_00, 60_00));

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        final JsonNode entry = reply.json();
        assertThat(entry.get("currency").asText()).isEqualTo("USD");
        assertThat(entry.get("postings")).hasSize(3);
        for (JsonNode posting : entry.get("postings")) {
            assertThat(posting.get("amountMinor").isIntegralNumber()).isTrue();
            assertThat(posting.get("balanceAfterMinor").isIntegralNumber()).isTrue();
        }
        assertThat(salon.balance(salon.account(AccountKind.CARD))).isEqualTo(60_00);
        assertThat(TestApp.get(
                                salon.apiKey(),
                                "/api/v1/entries/" + entry.get("id").asLong())
                        .json()
                        .get("postings"))
                .isEqualTo(entry.get("postings"));
    }

    @Test
    void aRequestWithoutAValidApiKeyIsUnauthenticated() {
        assertProblem(TestApp.get(null, "/api/v1/business"), 401, "unauthenticated", "Authorization");
        assertProblem(TestApp.get("settle_not-a-key", "/api/v1/business"), 401, "unauthenticated", "Authorization");
    }

    @Test
    void unknownRoutesAre404AndWrongMethodsAre405() {
        assertProblem(TestApp.get(salon.apiKey(), "/api/v1/nothing-here"), 404, "not-found", null);
        final Reply deleted = TestApp.send(
                TestApp.request(salon.apiKey(), "/api/v1/entries").DELETE().build());
        assertProblem(deleted, 405, "method-not-allowed", null);
        assertThat(deleted.header("Allow")).isEqualTo("POST");
        assertThat(WebServer.methodsAllowed("/api/v1/accounts/12")).containsExactly("GET");
        assertProblem(TestApp.get(salon.apiKey(), "/api/v1/entries/abc"), 404, "not-found", "entryId");
    }

    @Test
    void badInputIsRefusedWithTheFieldNamedAndChangesNothing() {
        final long salesBefore = salon.balance(salon.account(AccountKind.SALES));
        final String valid = checkout(40_00, 60_00);

        assertProblem(post("{\"kind\": \"checkout\", "), 400, "malformed-json", null);
        assertProblem(
                post(valid.replace("\"amountMinor\": 4000", "\"amountMinor\": 40.5")),
                400,
                "validation",
                "postings[0].amountMinor");
        assertProblem(
                post(valid.replace("\"amountMinor\": 4000", "\"amountMinor\": \"4000\"")),
                400,
                "validation",
                "postings[0].amountMinor");
        assertProblem(
                post(valid.replace("\"amountMinor\": 4000", "\"amountMinor\": -4000")),
                400,
                "validation",
                "postings[0].amountMinor");
        assertProblem(
                post(valid.replace("\"amountMinor\": 4000", "\"amountMinor\": 99999999999999999999999")),
                400,
                "validation",
                "postings[0].amountMinor");
        assertProblem(
                post(valid.replace("\"side\": \"debit\"", "\"side\": \"left\"")),
                400,
                "validation",
                "postings[0].side");
        assertProblem(post(valid.replace("\"memo\"", "\"mmeo\"")), 400, "validation", "mmeo");
        assertProblem(post(valid.replace("\"checkout\"", "\"Check Out!\"")), 400, "validation", "kind");
        assertProblem(post(valid.replace("10000}", "10001}")), 400, "validation", "postings");
        assertProblem(post("{\"kind\": \"x\", \"postings\": []}"), 400, "validation", "postings");
        assertProblem(post("[]"), 400, "validation", null);
        assertProblem(
                TestApp.send(TestApp.request(salon.apiKey(), "/api/v1/entries")
                        .header("Content-Type", "text/plain")
                        .POST(HttpRequest.BodyPublishers.ofString(valid))
                        .build()),
                415,
                "unsupported-media-type",
                null);
        assertProblem(post("{\"kind\": \"" + "x".repeat(70_000) + "\"}"), 413, "payload-too-large", null);

        assertThat(salon.balance(salon.account(AccountKind.SALES))).isEqualTo(salesBefore);
    }

    @Test
    void textPostgresCannotStoreIsRefusedWithTheFieldNamed() {
        final Reply reply = TestApp.post(salon.apiKey(), "/api/v1/clients", "{\"name\": \"Ana\\u0000Lopez\"}");

        assertProblem(reply, 400, "validation", "name");
        assertThat(reply.json().get("detail").asText()).contains("NUL");
    }

    @Test
    void aClientsMoneyMovesOnlyThroughTheClientRoutesNotRawEntries() {
        assertProblem(post(spendAnasCredits(500)), 400, "validation", "postings[0].accountId");
        final Reply openPayment = TestApp.post(
                salon.apiKey(),
                "/api/v1/clients/" + ana.id() + "/open-payments",
                "{\"amountMinor\": 2500, \"currency\": \"USD\", \"tender\": \"cash\"}");
        final long entryId = openPayment.json().get("entryId").asLong();

        assertProblem(
                TestApp.post(salon.apiKey(), "/api/v1/entries/" + entryId + "/reversal", "{}"),
                409,
                "reversal-refused",
                "entryId");
        assertThat(salon.balance(ana.openPayments().id())).isEqualTo(25_00);
    }

    @Test
    void theSameIdempotencyKeyAndRequestHasOneEffectAndTheSameAnswer() {
        final String body = checkout(10_00, 5_00);

        final Reply first = TestApp.post(salon.apiKey(), "/api/v1/entries", body, "checkout-1");
        final Reply retry = TestApp.post(salon.apiKey(), "/api/v1/entries", body, "checkout-1");

        assertThat(first.status()).isEqualTo(201);
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(salon.balance(salon.account(AccountKind.CARD))).isEqualTo(5_00);
    }

    @Test
    void theSameIdempotencyKeyWithADifferentRequestIsRefused() {
        TestApp.post(salon.apiKey(), "/api/v1/entries", checkout(10_00, 5_00), "checkout-2");

        final Reply changed = TestApp.post(salon.apiKey(), "/api/v1/entries", checkout(10_00, 6_00), "checkout-2");

        assertProblem(changed, 422, "idempotency-key-reused", "Idempotency-Key");
        assertThat(salon.balance(salon.account(AccountKind.CARD))).isEqualTo(5_00);
    }

    @Test
    void aRefusedRequestIsAnsweredTheSameWayWhenRetriedWithItsKey() {
        final String path = "/api/v1/clients/" + ana.id() + "/open-payments";
        final String refund = "{\"amountMinor\": 500, \"currency\": \"USD\", \"tender\": \"cash\"}";
        final Reply refused = TestApp.post(salon.apiKey(), path + "/refunds", refund, "refund-1");
        TestApp.post(salon.apiKey(), path, refund);

        final Reply retried = TestApp.post(salon.apiKey(), path + "/refunds", refund, "refund-1");

        assertThat(retried.status()).isEqualTo(422);
        assertThat(retried.body()).isEqualTo(refused.body());
        assertThat(salon.balance(ana.openPayments().id())).isEqualTo(5_00);
    }

    @Test
    void sixteenRequestsWithOneKeyArrivingTogetherHaveOneEffect() throws Exception {
        final String body = checkout(1_00, 2_00);
        final ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            final List<Callable<Reply>> calls = new ArrayList<>();
            for (int index = 0; index < 16; index++) {
                calls.add(() -> TestApp.post(salon.apiKey(), "/api/v1/entries", body, "together"));
            }
            final List<Reply> replies = new ArrayList<>();
            for (Future<Reply> future : pool.invokeAll(calls)) {
                replies.add(future.get());
            }
            assertThat(replies).extracting(Reply::status).containsOnly(201);
            assertThat(replies)
                    .extracting(Reply::body)
                    .containsOnly(replies.getFirst().body());
        } finally {
            pool.shutdown();
        }
        assertThat(salon.balance(salon.account(AccountKind.CARD))).isEqualTo(2_00);
    }

    @Test
    void manyKeyedRequestsArrivingTogetherEachHaveOneEffectAndReplayTheirOwnAnswer() throws Exception {
        final ExecutorService pool = Executors.newFixedThreadPool(24);
        try {
            final List<Callable<Reply>> calls = new ArrayList<>();
            for (int index = 0; index < 24; index++) {
                final String key = "together-" + index;
                calls.add(() -> TestApp.post(salon.apiKey(), "/api/v1/entries", checkout(1_00, 1_00), key));
            }
            // Hold the sales account for a moment so the requests queue up and commit as batches.
            final List<Future<Reply>> pending = new ArrayList<>();
            whileSalesIsHeld(() -> calls.forEach(call -> pending.add(pool.submit(call))));
            final List<Reply> first = new ArrayList<>();
            for (Future<Reply> future : pending) {
                first.add(future.get());
            }
            final List<Reply> again = new ArrayList<>();
            for (Future<Reply> future : pool.invokeAll(calls)) {
                again.add(future.get());
            }

            assertThat(first).extracting(Reply::status).containsOnly(201);
            assertThat(first)
                    .extracting(reply -> reply.json().get("id").asLong())
                    .doesNotHaveDuplicates();
            for (int index = 0; index < 24; index++) {
                assertThat(again.get(index).body()).isEqualTo(first.get(index).body());
                assertThat(again.get(index).header("Idempotent-Replayed")).isEqualTo("true");
            }
        } finally {
            pool.shutdown();
        }
        assertThat(salon.balance(salon.account(AccountKind.CARD))).isEqualTo(24 * 1_00);
    }

    /**
     * Drafts (writes that run one after another, not as one ledger call) queued behind a busy
     * writer commit as one batch, whose keys are claimed and stored together; one refused draft in
     * a batch sends it to run one write at a time. Either way each has one effect and its own answer.
     */
    @Test
    void keyedDraftsCommittedTogetherEachHaveOneEffectAndReplayTheirOwnAnswer() throws Exception {
        final ExecutorService pool = Executors.newFixedThreadPool(13);
        final List<Callable<Reply>> together = drafts("together", 12, false);
        final List<Callable<Reply>> withARefusal = drafts("refusal", 6, true);
        try {
            final List<Reply> first = behindABusyWriter(pool, together);
            final List<Reply> second = behindABusyWriter(pool, withARefusal);
            final List<Reply> again = new ArrayList<>();
            for (Future<Reply> future : pool.invokeAll(together)) {
                again.add(future.get());
            }
            for (Future<Reply> future : pool.invokeAll(withARefusal)) {
                again.add(future.get());
            }

            assertThat(first).extracting(Reply::status).containsOnly(201);
            assertThat(second.subList(0, 6)).extracting(Reply::status).containsOnly(201);
            assertProblem(second.getLast(), 404, "not-found", "clientId");
            final List<Reply> answered = new ArrayList<>(first);
            answered.addAll(second);
            assertThat(answered.subList(0, 18))
                    .extracting(reply -> reply.json().get("id").asLong())
                    .doesNotHaveDuplicates();
            for (int index = 0; index < answered.size(); index++) {
                assertThat(again.get(index).body())
                        .isEqualTo(answered.get(index).body());
                assertThat(again.get(index).header("Idempotent-Replayed")).isEqualTo("true");
            }
        } finally {
            pool.shutdown();
        }
        final long drafted = TestDatabase.get()
                .jdbi()
                .withHandle(handle -> handle.createQuery("select count(*) from invoices where business_id = ?")
                        .bind(0, salon.id())
                        .mapTo(Long.class)
                        .one());
        assertThat(drafted).isEqualTo(18);
    }

    /** {@code count} keyed drafts for Ana, and last (if {@code refused}) one for a client who does not exist. */
    private List<Callable<Reply>> drafts(String keyPrefix, int count, boolean refused) {
        final String line = "[{\"kind\": \"service\", \"description\": \"Cut\", \"unitMinor\": 5000}]";
        final List<Callable<Reply>> calls = new ArrayList<>();
        for (int index = 0; index <= count; index++) {
            if (index == count && !refused) {
                break;
            }
            final long clientId = index == count ? 999_999_999L : ana.id();
            final String body = "{\"currency\": \"USD\", \"clientId\": " + clientId + ", \"lines\": " + line + "}";
            final String key = keyPrefix + "-" + index;
            calls.add(() -> TestApp.post(salon.apiKey(), "/api/v1/invoices", body, key));
        }
        return calls;
    }

    /**
     * Sends {@code calls} while the business's writer waits on a held sales account, so they queue
     * and are drained as one batch once it is let go; their replies, in order.
     */
    private List<Reply> behindABusyWriter(ExecutorService pool, List<Callable<Reply>> calls) throws Exception {
        final List<Future<Reply>> pending = new ArrayList<>();
        final List<Future<Reply>> blocker = new ArrayList<>();
        whileSalesIsHeld(() -> {
            blocker.add(pool.submit(() -> post(checkout(1_00, 1_00))));
            Thread.sleep(200);
            calls.forEach(call -> pending.add(pool.submit(call)));
        });
        assertThat(blocker.getFirst().get().status()).isEqualTo(201);
        final List<Reply> replies = new ArrayList<>();
        for (Future<Reply> future : pending) {
            replies.add(future.get());
        }
        return replies;
    }

    private interface Sending {
        void send() throws InterruptedException;
    }

    /** Holds the business's sales account (as a long write would) while {@code sending}, then for half a second. */
    private void whileSalesIsHeld(Sending sending) throws InterruptedException {
        try (var handle = TestDatabase.get().jdbi().open()) {
            handle.begin();
            handle.execute(
                    "select 1 from accounts where business_id = ? and id = ? for update",
                    salon.id(),
                    salon.account(AccountKind.SALES));
            sending.send();
            Thread.sleep(500);
            handle.commit();
        }
    }

    @Test
    void anAccountIsReadAsOfAnInstantAndItsHistoryPagesBackwards() {
        for (int index = 1; index <= 3; index++) {
            assertThat(post(checkout(0_01 * index, 1_00)).status()).isEqualTo(201);
        }
        final long card = salon.account(AccountKind.CARD);

        final Reply history = TestApp.get(salon.apiKey(), "/api/v1/accounts/" + card + "/postings?limit=2");
        assertThat(history.json().get("postings")).hasSize(2);
        assertThat(history.json().at("/postings/0/balanceAfterMinor").asLong()).isEqualTo(3_00);
        final long next = history.json().get("nextBeforeVersion").asLong();
        final Reply older =
                TestApp.get(salon.apiKey(), "/api/v1/accounts/" + card + "/postings?limit=2&beforeVersion=" + next);
        assertThat(older.json().get("postings")).hasSize(1);

        final Reply past = TestApp.get(salon.apiKey(), "/api/v1/accounts/" + card + "?at=2020-01-01T00:00:00Z");
        assertThat(past.json().get("balanceMinor").asLong()).isZero();
        assertProblem(
                TestApp.get(salon.apiKey(), "/api/v1/accounts/" + card + "?at=yesterday"), 400, "validation", "at");
    }

    @Test
    void anEntryIsReversedOnceThroughTheApi() {
        final long entryId = post(checkout(10_00, 0_01)).json().get("id").asLong();

        final Reply reversal = TestApp.post(
                salon.apiKey(), "/api/v1/entries/" + entryId + "/reversal", "{\"memo\": \"rang up twice\"}");
        final Reply again = TestApp.post(salon.apiKey(), "/api/v1/entries/" + entryId + "/reversal", "{}");

        assertThat(reversal.status()).as(reversal.body()).isEqualTo(201);
        assertThat(reversal.json().get("reversesEntryId").asLong()).isEqualTo(entryId);
        assertProblem(again, 409, "already-reversed", "entryId");
        assertThat(TestApp.get(salon.apiKey(), "/api/v1/entries/" + entryId)
                        .json()
                        .get("reversedByEntryId")
                        .asLong())
                .isEqualTo(reversal.json().get("id").asLong());
        assertThat(salon.balance(salon.account(AccountKind.CARD))).isZero();
    }

    private String spendAnasCredits(long amountMinor) {
        return """
        {"kind": "checkout", "postings": [
          {"accountId": %d, "side": "debit", "amountMinor": %d},
          {"accountId": %d, "side": "credit", "amountMinor": %d}]}
        """.formatted(ana.credits().id(), amountMinor, salon.account(AccountKind.SALES), amountMinor);
    }

    private Reply post(String body) {
        return TestApp.post(salon.apiKey(), "/api/v1/entries", body);
    }

    static void assertProblem(Reply reply, int status, String slug, String field) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        final JsonNode problem = reply.json();
        assertThat(problem.get("type").asText()).isEqualTo("https://settle.dev/problems/" + slug);
        assertThat(problem.get("title").asText()).isNotBlank();
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        if (field != null) {
            assertThat(problem.path("field").asText()).as(reply.body()).isEqualTo(field);
        }
    }
}

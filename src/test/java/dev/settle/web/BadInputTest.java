package dev.settle.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.clients.Clients;
import dev.settle.ledger.AccountKind;
import dev.settle.ledger.Actor;
import dev.settle.ledger.Ledger;
import dev.settle.ledger.PostedEntry;
import dev.settle.ledger.PostingRequest;
import dev.settle.support.TestApp;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import io.javalin.http.HandlerType;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Every route in the route table, fed bodies and parameters a careless or hostile client might
 * send: no answer is a 5xx, every refusal is problem+json, and the ledger does not move.
 */
class BadInputTest {
    private static final List<String> BODIES = List.of(
            "",
            "null",
            "[]",
            "{}",
            "\"text\"",
            "{\"kind\": 1}",
            "{\"name\": 12}",
            "{\"kind\": \"checkout\", \"postings\": \"all of them\"}",
            "{\"kind\": \"checkout\", \"postings\": [null, null]}",
            "{\"kind\": \"checkout\", \"postings\": [{\"accountId\": -1, \"side\": \"debit\", \"amountMinor\": 1},"
                    + " {\"accountId\": 1e400, \"side\": \"credit\", \"amountMinor\": 1}]}",
            "{\"kind\": \"checkout\", \"postings\": [{\"accountId\": 1, \"side\": \"debit\", \"amountMinor\": 9223372036854775807},"
                    + " {\"accountId\": 2, \"side\": \"credit\", \"amountMinor\": 9223372036854775807}]}",
            "{\"kind\": \"checkout\", \"postings\": [{\"accountId\": 1, \"side\": \"debit\", \"amountMinor\": 0.1},"
                    + " {\"accountId\": 2, \"side\": \"credit\", \"amountMinor\": -0}]}",
            "{\"name\": \"\\u0000\\ud800 Zoë 🐶\", \"email\": \"a@b\", \"phone\": \"☎\"}",
            "{\"name\": \"A\\u0000B\"}",
            "{\"name\": \"Lone \\ud800 surrogate\"}",
            "{\"kind\": \"checkout\", \"memo\": \"nul \\u0000 byte\", \"postings\": []}",
            "{\"name\": \"" + "n".repeat(300) + "\"}",
            "{\"memo\": {\"nested\": [[[[[[[[[[1]]]]]]]]]]}}",
            "{\"kind\": \"checkout\", \"kind\": \"refund\"}",
            "{\"kind\": \"checkout\"} trailing",
            "\uFEFF{}",
            "x".repeat(70_000));
    private static final List<String> IDS = List.of("0", "-1", "abc", "9223372036854775808", "1.5", "%F0%9F%90%B6");

    @Test
    void noRouteAnswersBadInputWithA5xxOrMovesTheLedger() {
        final TestBusiness salon = TestBusiness.create();
        final Clients.Client ana = salon.aClient("Ana");
        final PostedEntry sale = salon.post(
                "open_payment",
                PostingRequest.debit(salon.account(AccountKind.CASH), 10_00),
                PostingRequest.credit(ana.openPayments().id(), 10_00));
        // Routes get a reversal's id: even a well-formed request to reverse it is refused.
        final PostedEntry entry = TestDatabase.get()
                .jdbi()
                .inTransaction(handle -> new Ledger()
                        .reverse(handle, salon.id(), sale.id(), Actor.system(), Optional.empty(), Optional.empty()));
        // And a draft invoice: bad checkouts of it must leave it a draft and the ledger as it was.
        final long invoice = TestApp.post(
                        salon.apiKey(),
                        "/api/v1/invoices",
                        "{\"currency\": \"USD\", \"clientId\": " + ana.id()
                                + ", \"lines\": [{\"kind\": \"service\", \"description\": \"Cut\", \"unitMinor\": 5000}]}")
                .json()
                .get("id")
                .asLong();
        // And a payment, from a ticket checked out in cash: bad refunds of it must move nothing.
        final long paidTicket = TestApp.post(
                        salon.apiKey(),
                        "/api/v1/invoices",
                        "{\"currency\": \"USD\", \"lines\": [{\"kind\": \"product\", \"description\": \"Comb\", \"unitMinor\": 800}]}")
                .json()
                .get("id")
                .asLong();
        final long payment = TestApp.post(
                        salon.apiKey(),
                        "/api/v1/invoices/" + paidTicket + "/checkout",
                        "{\"currency\": \"USD\", \"tenders\": [{\"tender\": \"cash\", \"amountMinor\": 800}]}")
                .json()
                .at("/invoice/payments/0/id")
                .asLong();
        // And a gift card, void, so that no request (however well formed) can spend, load or void it.
        final long giftCard = salon.giftCard(25_00).card().id();
        assertThat(TestApp.post(salon.apiKey(), "/api/v1/gift-cards/" + giftCard + "/void", "")
                        .status())
                .isEqualTo(200);
        // And a webhook endpoint, so its routes are called with an id that exists.
        final long endpoint = TestApp.post(
                        salon.apiKey(),
                        "/api/v1/webhook-endpoints",
                        "{\"url\": \"https://example.com/hooks\", \"events\": [\"invoice.paid\"]}")
                .json()
                .get("id")
                .asLong();
        final String before = ledgerChecksum();
        final List<String> failures = new ArrayList<>();

        for (WebServer.Route route : WebServer.routes()) {
            for (String path :
                    paths(route.path(), ana.id(), ana.openPayments().id(), entry.id(), invoice, payment, giftCard)
                            .stream()
                            .map(path -> path.replace("{endpointId}", String.valueOf(endpoint)))
                            .toList()) {
                if (route.method() == HandlerType.POST) {
                    for (String body : BODIES) {
                        check(
                                failures,
                                route,
                                path,
                                TestApp.request(salon.apiKey(), path)
                                        .header("Content-Type", "application/json")
                                        .header("Idempotency-Key", "bad-" + Integer.toHexString(body.hashCode()))
                                        // As curl does for big bodies: a route that refuses before
                                        // reading (a bad id) answers instead of having the unread
                                        // body reset the connection under its answer.
                                        .expectContinue(body.length() > 60_000)
                                        .POST(HttpRequest.BodyPublishers.ofString(body))
                                        .build());
                    }
                } else {
                    for (String query : List.of(
                            "",
                            "?at=yesterday",
                            "?limit=-5",
                            "?limit=99999",
                            "?clientId=x",
                            "?beforeVersion=0",
                            "?at=" + URLEncoder.encode("2026-13-45T99:00:00Z", StandardCharsets.UTF_8))) {
                        check(
                                failures,
                                route,
                                path + query,
                                TestApp.request(salon.apiKey(), path + query)
                                        .GET()
                                        .build());
                    }
                }
            }
        }

        assertThat(failures).isEmpty();
        assertThat(ledgerChecksum()).isEqualTo(before);
    }

    @Test
    void aRequestJettyRefusesOutrightStillGetsProblemJson() {
        final TestApp.Reply reply = TestApp.get(null, "/api/v1/entries/%00");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.contentType()).startsWith(Problems.CONTENT_TYPE);
    }

    private static void check(List<String> failures, WebServer.Route route, String path, HttpRequest request) {
        final TestApp.Reply reply = TestApp.send(request);
        if (reply.status() >= 500) {
            failures.add(route.method() + " " + path + " -> " + reply.status() + " " + reply.body());
        } else if (reply.status() >= 400 && !reply.contentType().startsWith(Problems.CONTENT_TYPE)) {
            failures.add(route.method() + " " + path + " -> " + reply.status() + " without problem+json");
        }
    }

    /** The route's path with each id either valid or one of the malformed ones. */
    private static List<String> paths(
            String template,
            long clientId,
            long accountId,
            long entryId,
            long invoiceId,
            long paymentId,
            long giftCardId) {
        final String valid = template.replace("{clientId}", String.valueOf(clientId))
                .replace("{accountId}", String.valueOf(accountId))
                .replace("{entryId}", String.valueOf(entryId))
                .replace("{invoiceId}", String.valueOf(invoiceId))
                .replace("{paymentId}", String.valueOf(paymentId))
                .replace("{giftCardId}", String.valueOf(giftCardId));
        final List<String> paths = new ArrayList<>(List.of(valid));
        if (template.contains("{")) {
            for (String id : IDS) {
                paths.add(template.replaceAll("\\{[a-zA-Z]+}", id));
            }
        }
        return paths;
    }

    /** Everything that would change if money moved: entries, postings and every stored balance. */
    private static String ledgerChecksum() {
        return TestDatabase.get()
                .jdbi()
                .withHandle(
                        handle -> handle.createQuery("""
                        select (select count(*) from journal_entries) || '/' || (select count(*) from postings)
                               || '/' || (select count(*) || ':' || coalesce(sum(unpaid_minor), 0) from invoices)
                               || '/' || (select count(*) from pending_approvals)
                               || '/' || (select coalesce(sum(hashtext(id || ':' || balance_minor || ':' || version)), 0) from accounts)
                        """).mapTo(String.class).one());
    }
}

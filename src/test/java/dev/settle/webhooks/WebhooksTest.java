package dev.settle.webhooks;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.settle.Problem;
import dev.settle.business.Role;
import dev.settle.clients.Clients;
import dev.settle.support.StaffSession;
import dev.settle.support.TestApp;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import dev.settle.web.Json;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Webhook events are written with their ledger entry and only then: never lost when the app stops
 * between commit and delivery, sent again only with the same event id, signed, retried with
 * backoff and logged, and kept to their business.
 */
class WebhooksTest {
    private static final WireMockServer receiver =
            new WireMockServer(WireMockConfiguration.options().dynamicPort());

    static {
        receiver.start();
    }

    private final Jdbi jdbi = TestDatabase.get().jdbi();
    private final TestBusiness salon = TestBusiness.create();
    private final Clients.Client ana = salon.aClient("Ana Silva");
    private final String path = "/hooks/" + UUID.randomUUID();

    @AfterAll
    static void stopReceiver() {
        receiver.stop();
    }

    @Test
    void eventsCommittedWithTheirEntryAreDeliveredSignedOnceEvenWhenTheAppStoppedBeforeSending() {
        receiver.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(204)));
        final TestApp.Reply created =
                TestApp.post(salon.apiKey(), "/api/v1/webhook-endpoints", "{\"url\": \"" + receiver.url(path) + "\"}");
        final String secret = created.json().get("secret").asText();
        salon.charge(ana, 50_00);
        salon.payment(ana, 50_00);

        // Nothing runs the delivery job: as if the app died right after each commit.
        assertThat(requests()).isEmpty();
        final int sent = restartedApp().deliverDue(jdbi);
        final int sentAgain = restartedApp().deliverDue(jdbi);

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(secret).startsWith("whsec_");
        assertThat(sent).isGreaterThanOrEqualTo(3);
        assertThat(sentAgain).isZero();
        final List<LoggedRequest> requests = requests();
        assertThat(requests).hasSize(3);
        final List<JsonNode> bodies = requests.stream()
                .map(request -> {
                    final String timestamp =
                            request.getHeader("Settle-Signature").replaceAll("^t=([0-9]+),.*$", "$1");
                    assertThat(request.getHeader("Settle-Signature"))
                            .isEqualTo(WebhookDelivery.signature(
                                    secret, Long.parseLong(timestamp), request.getBodyAsString()));
                    final JsonNode body = read(request.getBodyAsString());
                    assertThat(body.get("id").asText()).isEqualTo(request.getHeader("Settle-Event-Id"));
                    return body;
                })
                .toList();
        assertThat(bodies).extracting(body -> body.get("id").asText()).doesNotHaveDuplicates();
        assertThat(bodies)
                .extracting(body -> body.get("type").asText())
                .containsExactly("client.balance_changed", "client.balance_changed", "invoice.paid");
        assertThat(bodies.get(0).at("/data/balance_due_minor").asLong()).isEqualTo(50_00);
        assertThat(bodies.get(1).at("/data/balance_due_minor").asLong()).isZero();
        assertThat(bodies.get(2).at("/data/client_id").asLong()).isEqualTo(ana.id());
        assertThat(bodies.get(2).at("/data/total_minor").asLong()).isEqualTo(50_00);
        assertThat(bodies.get(2).at("/data/total_minor").isIntegralNumber()).isTrue();
    }

    @Test
    void aDeliveryCutOffBeforeItsOutcomeIsRecordedIsSentAgainWithTheSameEventId() {
        receiver.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200)));
        endpoint(List.of("client.balance_changed"));
        salon.credit(ana, 5_00);
        final WebhookDelivery delivery = restartedApp();

        assertThatThrownBy(() -> jdbi.useTransaction(handle -> {
                    assertThat(delivery.deliverNext(handle)).isTrue();
                    throw new IllegalStateException("the app died before recording the answer");
                }))
                .hasMessageContaining("died");
        delivery.deliverDue(jdbi);

        final List<LoggedRequest> requests = requests();
        assertThat(requests).hasSize(2);
        assertThat(requests.get(1).getHeader("Settle-Event-Id"))
                .isEqualTo(requests.get(0).getHeader("Settle-Event-Id"));
        assertThat(requests.get(1).getBodyAsString()).isEqualTo(requests.get(0).getBodyAsString());
        final Webhooks.Delivery logged = deliveries().getFirst();
        assertThat(logged.status()).isEqualTo("delivered");
        assertThat(logged.log()).hasSize(1);
    }

    @Test
    void aFailingEndpointIsRetriedWithBackoffEveryAttemptLoggedAndTheOwnerCanSendAgainAtOnce() {
        receiver.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(503)));
        final long endpointId = endpoint(List.of("client.balance_changed"));
        salon.credit(ana, 5_00);
        final WebhookDelivery delivery = restartedApp();

        delivery.deliverDue(jdbi);
        delivery.deliverDue(jdbi);
        final Webhooks.Delivery waiting = deliveries().getFirst();
        final TestApp.Reply log =
                TestApp.get(salon.apiKey(), "/api/v1/webhook-endpoints/" + endpointId + "/deliveries");
        receiver.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200)));
        final TestApp.Reply retried = StaffSession.signIn(salon.staff(Role.OWNER))
                .post(
                        "/settings/webhooks/" + endpointId + "/deliveries/" + waiting.eventNumber() + "/retry",
                        java.util.Map.of());
        delivery.deliverDue(jdbi);

        assertThat(requests()).hasSize(2);
        assertThat(waiting.status()).isEqualTo("pending");
        assertThat(waiting.attempts()).isEqualTo(1);
        assertThat(waiting.nextAttemptAt()).isAfter(OffsetDateTime.now().plusSeconds(50));
        assertThat(log.json().at("/deliveries/0/log/0/responseStatus").asInt()).isEqualTo(503);
        assertThat(retried.status()).isEqualTo(303);
        final Webhooks.Delivery delivered = deliveries().getFirst();
        assertThat(delivered.status()).isEqualTo("delivered");
        assertThat(delivered.log())
                .extracting(attempt -> attempt.responseStatus().orElseThrow())
                .containsExactly(503, 200);
        assertThat(WebhookDelivery.backoff(1)).hasMinutes(1);
        assertThat(WebhookDelivery.backoff(4)).hasMinutes(8);
        assertThat(WebhookDelivery.backoff(12)).hasHours(6);
    }

    @Test
    void checkoutsGiftCardRedemptionsAndExpiredCreditsEachSayWhatMoved() {
        receiver.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200)));
        // A dated entry comes first: an account's postings stay in time order.
        salon.credit(
                ana,
                7_00,
                Optional.of(LocalDate.now().minusDays(2)),
                OffsetDateTime.now().minusDays(30));
        endpoint(List.of("invoice.paid", "gift_card.redeemed", "credit.expired"));
        final long ticket =
                salon.ticket(ana, "{\"kind\": \"service\", \"description\": \"Trim\", \"unitMinor\": 3000}");
        salon.checkout(ticket, "{\"tenders\": [{\"tender\": \"cash\", \"amountMinor\": 3000}]}");
        final long card = salon.giftCard(40_00).card().id();
        salon.charge(ana, 10_00);
        TestApp.post(
                salon.apiKey(),
                "/api/v1/gift-cards/" + card + "/redemptions",
                "{\"invoiceId\": " + salon.unpaidInvoices(ana).getFirst().id()
                        + ", \"amountMinor\": 1000, \"currency\": \"USD\"}");
        new dev.settle.clients.CreditExpiry(jdbi, new dev.settle.ledger.Ledger()).expireDue(Instant.now());

        restartedApp().deliverDue(jdbi);

        final List<JsonNode> bodies = requests().stream()
                .map(request -> read(request.getBodyAsString()))
                .toList();
        assertThat(bodies)
                .extracting(body -> body.get("type").asText())
                .containsExactly("invoice.paid", "gift_card.redeemed", "invoice.paid", "credit.expired");
        assertThat(bodies.get(0).at("/data/invoice_id").asLong()).isEqualTo(ticket);
        assertThat(bodies.get(1).at("/data/gift_card_id").asLong()).isEqualTo(card);
        assertThat(bodies.get(1).at("/data/amount_minor").asLong()).isEqualTo(10_00);
        assertThat(bodies.get(1).at("/data/balance_minor").asLong()).isEqualTo(30_00);
        assertThat(bodies.get(3).at("/data/amount_minor").asLong()).isEqualTo(7_00);
        assertThat(bodies.get(3).at("/data/client_id").asLong()).isEqualTo(ana.id());
    }

    @Test
    void aRolledBackEntryOrAReversedPromotionMakesNoEventAndADisabledEndpointGetsNoMore() {
        final long endpointId = endpoint(List.of("client.balance_changed", "gift_card.redeemed"));
        final dev.settle.ledger.Ledger ledger = new dev.settle.ledger.Ledger();
        assertThatThrownBy(() -> jdbi.useTransaction(handle -> {
                    ledger.post(
                            handle,
                            dev.settle.ledger.EntryRequest.bySystem(
                                    salon.id(),
                                    "open_payment",
                                    List.of(
                                            dev.settle.ledger.PostingRequest.debit(
                                                    salon.account(dev.settle.ledger.AccountKind.CASH), 5_00),
                                            dev.settle.ledger.PostingRequest.credit(
                                                    ana.openPayments().id(), 5_00))));
                    throw new IllegalStateException("rolled back");
                }))
                .hasMessage("rolled back");
        final var promotion = salon.giftCard(20_00);
        final long promotionEntry = jdbi.withHandle(handle -> handle.createQuery(
                        "select id from journal_entries where business_id = :b and kind = 'gift_card_promotion'")
                .bind("b", salon.id())
                .mapTo(Long.class)
                .one());
        final TestApp.Reply reversed =
                TestApp.post(salon.apiKey(), "/api/v1/entries/" + promotionEntry + "/reversal", "{}");
        final boolean nothingYet = deliveries().isEmpty();
        final TestApp.Reply disabled =
                TestApp.post(salon.apiKey(), "/api/v1/webhook-endpoints/" + endpointId + "/disable", "");
        salon.credit(ana, 5_00);

        assertThat(promotion.card().id()).isPositive();
        assertThat(reversed.status()).as(reversed.body()).isEqualTo(201);
        assertThat(nothingYet)
                .as("no event for a rolled-back entry nor a reversed promotion")
                .isTrue();
        assertThat(disabled.json().get("disabledAt").isNull()).isFalse();
        assertThat(deliveries()).isEmpty();
    }

    @Test
    void endpointsAreCheckedAndKeptToTheirBusiness() {
        final long endpointId = endpoint(List.of("invoice.paid"));
        final TestBusiness other = TestBusiness.create();

        final TestApp.Reply ftp =
                TestApp.post(salon.apiKey(), "/api/v1/webhook-endpoints", "{\"url\": \"ftp://example.com/hooks\"}");
        final TestApp.Reply unknownEvent = TestApp.post(
                salon.apiKey(),
                "/api/v1/webhook-endpoints",
                "{\"url\": \"https://example.com/hooks\", \"events\": [\"invoice.eaten\"]}");
        final TestApp.Reply othersDisable =
                TestApp.post(other.apiKey(), "/api/v1/webhook-endpoints/" + endpointId + "/disable", "");
        final TestApp.Reply othersLog =
                TestApp.get(other.apiKey(), "/api/v1/webhook-endpoints/" + endpointId + "/deliveries");
        final TestApp.Reply othersList = TestApp.get(other.apiKey(), "/api/v1/webhook-endpoints");

        assertThat(ftp.status()).isEqualTo(400);
        assertThat(ftp.contentType()).startsWith("application/problem+json");
        assertThat(ftp.json().get("field").asText()).isEqualTo("url");
        assertThat(unknownEvent.json().get("field").asText()).isEqualTo("events");
        assertThat(othersDisable.status()).isEqualTo(404);
        assertThat(othersLog.status()).isEqualTo(404);
        assertThat(othersList.json().get("endpoints")).isEmpty();
        final Webhooks production = new Webhooks(TestApp.SECRETS, false);
        assertThatThrownBy(() -> jdbi.useTransaction(handle -> production.create(
                        handle,
                        salon.id(),
                        "http://example.com/hooks",
                        Optional.empty(),
                        List.of("invoice.paid"),
                        Optional.empty())))
                .isInstanceOf(Problem.class)
                .hasMessageContaining("https://");
    }

    @Test
    void withoutPrivateAddressesAllowedNothingIsSentToThisMachineOrItsNetwork() throws Exception {
        receiver.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200)));
        endpoint(List.of("client.balance_changed"));
        salon.credit(ana, 5_00);

        new WebhookDelivery(new Webhooks(TestApp.SECRETS, false)).deliverDue(jdbi);

        assertThat(requests()).isEmpty();
        assertThat(deliveries().getFirst().log().getFirst().error())
                .hasValueSatisfying(error -> assertThat(error).contains("private network"));
        for (String host : List.of(
                "127.0.0.1",
                "10.1.2.3",
                "192.168.0.9",
                "169.254.169.254",
                "100.100.100.200",
                "0.1.2.3",
                "::1",
                "fd00::1",
                "64:ff9b::a9fe:a9fe",
                "2002:a9fe:a9fe::1")) {
            assertThat(WebhookDelivery.isPrivate(host)).as(host).isTrue();
        }
        assertThat(WebhookDelivery.isPrivate("93.184.216.34")).isFalse();
    }

    private long endpoint(List<String> events) {
        final TestApp.Reply created = TestApp.post(
                salon.apiKey(),
                "/api/v1/webhook-endpoints",
                "{\"url\": \"" + receiver.url(path) + "\", \"events\": " + Json.write(events) + "}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asLong();
    }

    /** A delivery job as a freshly started app has it: nothing in memory from before. */
    private static WebhookDelivery restartedApp() {
        return new WebhookDelivery(new Webhooks(TestApp.SECRETS, true));
    }

    private List<LoggedRequest> requests() {
        return receiver.findAll(postRequestedFor(urlEqualTo(path)));
    }

    private List<Webhooks.Delivery> deliveries() {
        return jdbi.withHandle(
                handle -> new Webhooks(TestApp.SECRETS, true).deliveries(handle, salon.id(), Optional.empty(), 10));
    }

    private static JsonNode read(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }
}

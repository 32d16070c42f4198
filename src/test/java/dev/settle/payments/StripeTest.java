package dev.settle.payments;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.settle.business.Role;
import dev.settle.business.Secrets;
import dev.settle.clients.Clients;
import dev.settle.ledger.AccountKind;
import dev.settle.portal.PortalAccess;
import dev.settle.support.StaffSession;
import dev.settle.support.TestApp;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import dev.settle.support.TestStripe;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * Stripe, as the running app talks to it: WireMock answers as Stripe's API would, each test
 * business with its own secret key so the stubs of one test never answer another's.
 */
class StripeTest {
    private final Jdbi jdbi = TestDatabase.get().jdbi();
    private final WireMockServer stripe = TestStripe.server();
    private final TestBusiness salon = TestBusiness.create();
    private final String secretKey = "sk_test_" + Secrets.randomFrom("abcdefghijklmnopqrstuvwxyz0123456789", 24);
    private final String webhookSecret = "whsec_" + Secrets.randomFrom("abcdefghijklmnopqrstuvwxyz0123456789", 32);
    private final Clients.Client ana = salon.aClient("Ana Silva");

    @Test
    void theOwnerConnectsStripeWithKeysStripeAcceptsAndTheyAreKeptSealed() {
        stubAccount();
        final StaffSession owner = StaffSession.signIn(salon.staff(Role.OWNER));
        owner.get("/settings");

        final TestApp.Reply refused =
                owner.post("/settings/stripe", Map.of("secretKey", "pk_test_123", "webhookSecret", webhookSecret));
        final TestApp.Reply connected =
                owner.post("/settings/stripe", Map.of("secretKey", secretKey, "webhookSecret", webhookSecret));
        final TestApp.Reply settings = owner.get("/settings");

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body()).contains("starts sk_live_ or sk_test_");
        assertThat(connected.status()).isEqualTo(303);
        assertThat(settings.body())
                .contains("Sunny Salon", "acct_" + salon.id(), "ending " + secretKey.substring(secretKey.length() - 4))
                .doesNotContain(secretKey, webhookSecret);
        final String stored = jdbi.withHandle(handle -> handle.createQuery(
                        "select secret_key_sealed || webhook_secret_sealed from stripe_connections where business_id = ?")
                .bind(0, salon.id())
                .mapTo(String.class)
                .one());
        assertThat(stored).doesNotContain(secretKey, webhookSecret);
        assertThat(processor()).isEqualTo("stripe");

        owner.get("/settings");
        owner.post("/settings/stripe/disconnect", Map.of());
        assertThat(processor()).isEqualTo("none");
        assertThat(owner.get("/settings").body()).contains("Connect Stripe");
    }

    @Test
    void aPortalPaymentIsRecordedOnceWhenStripeConfirmsHoweverOftenItIsToldAndABadSignatureIsRefused() {
        connect();
        salon.charge(ana, 30_00);
        final long invoice = salon.unpaidInvoices(ana).getFirst().id();
        final String session = "cs_test_" + salon.id();
        stripe.stubFor(post(urlEqualTo("/v1/checkout/sessions"))
                .withHeader("Authorization", equalTo("Bearer " + secretKey))
                .willReturn(json("""
                        {"id": "%s", "object": "checkout.session", "url": "https://checkout.stripe.test/%s",
                         "status": "open", "payment_status": "unpaid"}
                        """.formatted(session, session))));
        stripe.stubFor(get(urlPathEqualTo("/v1/checkout/sessions/" + session))
                .withHeader("Authorization", equalTo("Bearer " + secretKey))
                .willReturn(json("""
                        {"id": "%s", "object": "checkout.session", "status": "complete", "payment_status": "paid",
                         "payment_intent": {"id": "pi_%s", "object": "payment_intent", "status": "succeeded",
                           "amount": 3000, "payment_method": {"id": "pm_%s", "object": "payment_method",
                             "card": {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}}}}
                        """.formatted(session, salon.id(), salon.id()))));
        final StaffSession client = portalSession();

        final TestApp.Reply toStripe =
                client.post("/portal/" + salon.id() + "/invoices/" + invoice + "/pay-by-card", Map.of("amount", "1"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> jdbi.useTransaction(
                        handle -> new StripeConnections(jdbi, TestApp.SECRETS).disconnect(handle, salon.id())))
                .as("a payment still waits for Stripe")
                .hasMessageContaining("still wait for Stripe's answer");
        final String event = """
                {"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {"id": "%s"}}}
                """.formatted(session);
        final TestApp.Reply forged = webhook(event, sign(event, "whsec_not_the_secret"));
        final int[] delivered = {
            webhook(event, sign(event, webhookSecret)).status(),
            webhook(event, sign(event, webhookSecret)).status()
        };
        final TestApp.Reply returned = client.get("/portal/" + salon.id() + "/card-return?intent=" + session);

        assertThat(toStripe.status()).isEqualTo(303);
        assertThat(toStripe.header("Location")).isEqualTo("https://checkout.stripe.test/" + session);
        // The amount is what the invoice owes, whatever the form said; the create is idempotent.
        stripe.verify(postRequestedFor(urlEqualTo("/v1/checkout/sessions"))
                .withHeader("Authorization", equalTo("Bearer " + secretKey))
                .withHeader("Idempotency-Key", matching("settle-checkout-.+"))
                .withRequestBody(containing("[unit_amount]=3000")));
        assertThat(forged.status()).isEqualTo(400);
        assertThat(delivered).containsExactly(200, 200);
        assertThat(returned.header("Location")).endsWith("/invoices/" + invoice + "?card=succeeded");
        assertThat(salon.balance(salon.account(AccountKind.CARD))).isEqualTo(30_00);
        assertThat(salon.balance(ana.receivable().id())).isZero();
        assertThat(count("select count(*) from journal_entries where business_id = ? and kind = 'card_payment'"))
                .isEqualTo(1);
        assertThat(TestDatabase.violations()).isEmpty();

        // A refund to the card goes back through Stripe (the session's PaymentIntent), then is recorded.
        stripe.stubFor(post(urlEqualTo("/v1/refunds"))
                .withHeader("Authorization", equalTo("Bearer " + secretKey))
                .willReturn(json("""
                        {"id": "re_%s", "object": "refund", "status": "succeeded", "amount": 1200}
                        """.formatted(salon.id()))));
        final long paymentId = count("select id from invoice_payments where business_id = ? and tender = 'card'");
        final TestApp.Reply refunded = TestApp.post(
                salon.apiKey(),
                "/api/v1/payments/" + paymentId + "/refunds",
                "{\"to\": \"tender\", \"amountMinor\": 1200, \"currency\": \"USD\"}",
                "refund-1");

        final TestApp.Reply retried = TestApp.post(
                salon.apiKey(),
                "/api/v1/payments/" + paymentId + "/refunds",
                "{\"to\": \"tender\", \"amountMinor\": 1200, \"currency\": \"USD\"}",
                "refund-1");
        assertThat(retried.status()).isEqualTo(201);
        assertThat(retried.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(refunded.status()).isEqualTo(201);
        stripe.verify(
                1,
                postRequestedFor(urlEqualTo("/v1/refunds"))
                        .withHeader("Authorization", equalTo("Bearer " + secretKey))
                        .withHeader("Idempotency-Key", matching("settle-refund-" + salon.id() + "-[0-9a-f]{64}"))
                        .withRequestBody(containing("payment_intent=pi_" + salon.id()))
                        .withRequestBody(containing("amount=1200")));
        assertThat(salon.balance(salon.account(AccountKind.CARD))).isEqualTo(18_00);
        assertThat(salon.balance(ana.receivable().id())).isEqualTo(12_00);
    }

    @Test
    void whenStripeIsDownThePayerIsToldAndNothingIsRecorded() {
        connect();
        salon.charge(ana, 18_00);
        final long invoice = salon.unpaidInvoices(ana).getFirst().id();
        stripe.stubFor(post(urlEqualTo("/v1/checkout/sessions"))
                .withHeader("Authorization", equalTo("Bearer " + secretKey))
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        final StaffSession client = portalSession();

        final TestApp.Reply down =
                client.post("/portal/" + salon.id() + "/invoices/" + invoice + "/pay-by-card", Map.of());

        assertThat(down.status()).isEqualTo(503);
        assertThat(down.body()).contains("Stripe could not be reached", "Nothing was charged");
        assertThat(salon.balance(ana.receivable().id())).isEqualTo(18_00);
        assertThat(count("select count(*) from card_payments where business_id = ?"))
                .isZero();
    }

    @Test
    void theApiChargesASavedCardOffSessionOnceAndADeclineIs402() {
        connect();
        salon.charge(ana, 25_00);
        final long invoice = salon.unpaidInvoices(ana).getFirst().id();
        final long card = jdbi.withHandle(handle -> handle.createQuery("""
                        insert into saved_cards (business_id, client_id, processor, account_ref, customer_ref,
                                                 payment_method_ref, brand, last4)
                        values (?, ?, 'stripe', 'acct_' || ?, ?, ?, 'Visa', '4242') returning id
                        """)
                .bind(0, salon.id())
                .bind(1, ana.id())
                .bind(2, salon.id())
                .bind(3, "cus_" + salon.id())
                .bind(4, "pm_" + salon.id())
                .mapTo(Long.class)
                .one());
        stripe.stubFor(post(urlEqualTo("/v1/payment_intents"))
                .withHeader("Authorization", equalTo("Bearer " + secretKey))
                .withRequestBody(containing("amount=2500"))
                .willReturn(json("""
                        {"id": "pi_ok_%s", "object": "payment_intent", "status": "succeeded"}
                        """.formatted(salon.id()))));
        stripe.stubFor(get(urlPathEqualTo("/v1/payment_intents/pi_ok_" + salon.id()))
                .willReturn(json("""
                        {"id": "pi_ok_%s", "object": "payment_intent", "status": "succeeded", "amount": 2500,
                         "payment_method": {"id": "pm_%s", "object": "payment_method", "card": {"brand": "visa", "last4": "4242"}}}
                        """.formatted(salon.id(), salon.id()))));
        stripe.stubFor(post(urlEqualTo("/v1/payment_intents"))
                .withHeader("Authorization", equalTo("Bearer " + secretKey))
                .withRequestBody(containing("amount=100"))
                .willReturn(aResponse()
                        .withStatus(402)
                        .withHeader("Content-Type", "application/json")
                        .withBody("""
                                {"error": {"type": "card_error", "code": "card_declined", "message": "Your card was declined.",
                                  "payment_intent": {"id": "pi_no_%s", "object": "payment_intent", "status": "requires_payment_method"}}}
                                """.formatted(salon.id()))));
        stripe.stubFor(get(urlPathEqualTo("/v1/payment_intents/pi_no_" + salon.id()))
                .willReturn(json("""
                        {"id": "pi_no_%s", "object": "payment_intent", "status": "requires_payment_method",
                         "last_payment_error": {"message": "Your card was declined."}}
                        """.formatted(salon.id()))));
        final String body = "{\"savedCardId\": " + card + ", \"amountMinor\": 2500, \"currency\": \"USD\"}";

        final TestApp.Reply noKey = TestApp.post(salon.apiKey(), "/api/v1/invoices/" + invoice + "/card-charges", body);
        final TestApp.Reply charged =
                TestApp.post(salon.apiKey(), "/api/v1/invoices/" + invoice + "/card-charges", body, "charge-1");
        final TestApp.Reply retried =
                TestApp.post(salon.apiKey(), "/api/v1/invoices/" + invoice + "/card-charges", body, "charge-1");
        final TestApp.Reply declined = TestApp.post(
                salon.apiKey(),
                "/api/v1/clients/" + ana.id() + "/card-charges",
                "{\"savedCardId\": " + card + ", \"amountMinor\": 100, \"currency\": \"USD\"}",
                "charge-2");

        assertThat(noKey.status()).isEqualTo(400);
        assertThat(charged.status()).isEqualTo(201);
        assertThat(charged.json().path("cardLast4").asText()).isEqualTo("4242");
        assertThat(retried.status()).isEqualTo(201);
        stripe.verify(
                1,
                postRequestedFor(urlEqualTo("/v1/payment_intents"))
                        .withHeader("Authorization", equalTo("Bearer " + secretKey))
                        .withHeader("Idempotency-Key", matching(".*-api-[0-9]+-charge-1"))
                        .withRequestBody(containing("off_session=true")));
        assertThat(declined.status()).isEqualTo(402);
        assertThat(declined.body()).contains("Your card was declined.");
        assertThat(salon.balance(salon.account(AccountKind.CARD))).isEqualTo(25_00);
        assertThat(salon.balance(ana.openPayments().id())).isZero();
        assertThat(TestDatabase.violations()).isEmpty();
    }

    private void stubAccount() {
        stripe.stubFor(get(urlEqualTo("/v1/account"))
                .withHeader("Authorization", equalTo("Bearer " + secretKey))
                .willReturn(json("""
                        {"id": "acct_%s", "object": "account", "business_profile": {"name": "Sunny Salon"}}
                        """.formatted(salon.id()))));
    }

    private void connect() {
        stubAccount();
        new StripeConnections(jdbi, TestApp.SECRETS)
                .connect(
                        salon.id(),
                        secretKey,
                        webhookSecret,
                        salon.staff(Role.OWNER).id(),
                        new StripeProcessor(new StripeConnections(jdbi, TestApp.SECRETS), TestStripe.apiBase()));
    }

    private long count(String sql) {
        return jdbi.withHandle(handle ->
                handle.createQuery(sql).bind(0, salon.id()).mapTo(Long.class).one());
    }

    private String processor() {
        return jdbi.withHandle(handle -> handle.createQuery("select card_processor from businesses where id = ?")
                .bind(0, salon.id())
                .mapTo(String.class)
                .one());
    }

    /** Ana signed in to the portal, as her emailed link does. */
    private StaffSession portalSession() {
        final String token = jdbi.inTransaction(handle ->
                new PortalAccess().newLink(handle, salon.id(), ana.id()).orElseThrow());
        final StaffSession session = new StaffSession();
        session.get("/portal/" + salon.id() + "/link/" + token);
        session.get("/portal/" + salon.id());
        return session;
    }

    private TestApp.Reply webhook(String payload, String signature) {
        return TestApp.send(HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + TestApp.port() + "/webhooks/stripe/" + salon.id()))
                .header("Content-Type", "application/json")
                .header("Stripe-Signature", signature)
                .POST(HttpRequest.BodyPublishers.ofString(payload))
                .build());
    }

    /** A Stripe-Signature header as Stripe makes one: HMAC-SHA256 of "timestamp.payload". */
    private static String sign(String payload, String secret) {
        try {
            final long now = Instant.now().getEpochSecond();
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "t=" + now + ",v1="
                    + HexFormat.of().formatHex(mac.doFinal((now + "." + payload).getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(String body) {
        return aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(body);
    }
}

package dev.settle.payments;

import com.fasterxml.jackson.databind.JsonNode;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.net.Webhook;
import dev.settle.Problem;
import dev.settle.web.Json;
import dev.settle.web.PathIds;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code POST /webhooks/stripe/{businessId}}: Stripe says a payment changed. The signature is
 * checked with the business's signing secret before anything is read; then the payment is settled
 * through {@link CardPayments#settle}, which asks Stripe itself and records it at most once.
 */
public final class StripeWebhooks {
    /** How old a signed event may be (Stripe's own default), against replays. */
    private static final long TOLERANCE_SECONDS = 300;

    private static final Set<String> SETTLING = Set.of(
            "checkout.session.completed",
            "checkout.session.async_payment_succeeded",
            "checkout.session.async_payment_failed",
            "checkout.session.expired",
            "payment_intent.succeeded",
            "payment_intent.payment_failed",
            "payment_intent.canceled");

    private final Jdbi jdbi;
    private final StripeConnections connections;
    private final CardPayments payments;

    public StripeWebhooks(Jdbi jdbi, StripeConnections connections, CardPayments payments) {
        this.jdbi = jdbi;
        this.connections = connections;
        this.payments = payments;
    }

    public void receive(Context ctx) {
        final long businessId = PathIds.of(ctx, "businessId");
        final String payload = ctx.body();
        final String secret;
        try {
            secret = connections.keys(businessId).webhookSecret();
        } catch (CardProcessor.Unavailable notConnected) {
            throw Problem.notFound("businessId", "Stripe is not connected for business " + businessId);
        }
        try {
            Webhook.Signature.verifyHeader(payload, ctx.header("Stripe-Signature"), secret, TOLERANCE_SECONDS);
        } catch (SignatureVerificationException | RuntimeException e) {
            throw Problem.validation("Stripe-Signature", "The webhook's signature does not match: nothing was read");
        }
        final JsonNode event;
        try {
            event = Json.mapper().readTree(payload);
        } catch (IOException e) {
            throw Problem.validation("body", "The webhook's body is not JSON");
        }
        connections.webhookReceived(businessId);
        final String type = event.path("type").asText();
        final String objectId = event.path("data").path("object").path("id").asText();
        if (SETTLING.contains(type) && known(businessId, objectId)) {
            payments.settle(businessId, objectId);
        }
        ctx.json(Map.of("received", true));
    }

    /** Events for payments Settle did not start (made in Stripe's dashboard, say) are acknowledged and left. */
    private boolean known(long businessId, String intentId) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        select exists (select 1 from card_payments
                                       where business_id = :business_id and processor = 'stripe' and intent_id = :id)
                        """)
                .bind("business_id", businessId)
                .bind("id", intentId)
                .mapTo(Boolean.class)
                .one());
    }
}

package dev.settle.webhooks;

import dev.settle.Problem;
import dev.settle.business.ApiKeys;
import dev.settle.web.ApiAuth;
import dev.settle.web.Json;
import dev.settle.web.PathIds;
import io.javalin.http.Context;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code /api/v1/webhook-endpoints}: register, list and disable endpoints, and read each one's
 * delivery log. Creating one is not kept under an Idempotency-Key: its answer holds the signing
 * secret, which Settle stores only sealed.
 */
public final class WebhooksApi {
    private static final int DELIVERIES_MAX = 100;

    private final Jdbi jdbi;
    private final Webhooks webhooks;

    public WebhooksApi(Jdbi jdbi, Webhooks webhooks) {
        this.jdbi = jdbi;
        this.webhooks = webhooks;
    }

    record EndpointBody(String url, String description, List<String> events) {}

    record EndpointJson(
            long id,
            String url,
            String description,
            List<String> events,
            OffsetDateTime createdAt,
            OffsetDateTime disabledAt,
            String secret) {}

    record AttemptJson(int attempt, OffsetDateTime at, Integer responseStatus, String error, int durationMs) {}

    record DeliveryJson(
            String eventId,
            String type,
            String status,
            int attempts,
            OffsetDateTime createdAt,
            OffsetDateTime nextAttemptAt,
            OffsetDateTime deliveredAt,
            List<AttemptJson> log) {}

    record DeliveriesJson(List<DeliveryJson> deliveries) {}

    record EndpointsJson(List<EndpointJson> endpoints) {}

    public void list(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        ctx.json(new EndpointsJson(jdbi.withHandle(handle -> webhooks.list(handle, caller.businessId())).stream()
                .map(endpoint -> json(endpoint, null))
                .toList()));
    }

    public void create(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final EndpointBody body = Json.read(ctx, EndpointBody.class);
        if (body.url() == null) {
            throw Problem.validation("url", "url is required: where to send the events");
        }
        final Webhooks.Created created = jdbi.inTransaction(handle -> webhooks.create(
                handle,
                caller.businessId(),
                body.url(),
                Optional.ofNullable(body.description()),
                Optional.ofNullable(body.events()).orElse(List.copyOf(Webhooks.EVENT_TYPES.keySet())),
                Optional.empty()));
        ctx.status(201).json(json(created.endpoint(), created.secret()));
    }

    public void disable(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long endpointId = PathIds.of(ctx, "endpointId");
        ctx.json(json(jdbi.inTransaction(handle -> webhooks.disable(handle, caller.businessId(), endpointId)), null));
    }

    public void deliveries(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long endpointId = PathIds.of(ctx, "endpointId");
        ctx.json(new DeliveriesJson(jdbi
                .withHandle(handle -> {
                    webhooks.require(handle, caller.businessId(), endpointId);
                    return webhooks.deliveries(handle, caller.businessId(), Optional.of(endpointId), DELIVERIES_MAX);
                })
                .stream()
                .map(WebhooksApi::json)
                .toList()));
    }

    private static EndpointJson json(Webhooks.Endpoint endpoint, String secret) {
        return new EndpointJson(
                endpoint.id(),
                endpoint.url(),
                endpoint.description().orElse(null),
                endpoint.events(),
                endpoint.createdAt(),
                endpoint.disabledAt().orElse(null),
                secret);
    }

    private static DeliveryJson json(Webhooks.Delivery delivery) {
        return new DeliveryJson(
                delivery.eventId(),
                delivery.type(),
                delivery.status(),
                delivery.attempts(),
                delivery.createdAt(),
                delivery.nextAttemptAt(),
                delivery.deliveredAt().orElse(null),
                delivery.log().stream()
                        .map(attempt -> new AttemptJson(
                                attempt.attempt(),
                                attempt.at(),
                                attempt.responseStatus().orElse(null),
                                attempt.error().orElse(null),
                                attempt.durationMs()))
                        .toList());
    }
}

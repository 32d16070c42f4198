package dev.settle.webhooks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.settle.web.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends webhook events, signed, one delivery at a time under its row lock (so two app instances
 * never send the same one at once), retrying with backoff. The attempt and its outcome commit
 * after the request: if the app dies in between, the event is sent again with the same id, so a
 * receiver that dedupes on {@code Settle-Event-Id} sees it once.
 */
public final class WebhookDelivery {
    private static final Logger log = LoggerFactory.getLogger(WebhookDelivery.class);

    /** Tries before a delivery is given up (about a day, backing off from a minute to six hours). */
    static final int ATTEMPTS_MAX = 12;

    private static final Duration BACKOFF_MAX = Duration.ofHours(6);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Webhooks webhooks;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    public WebhookDelivery(Webhooks webhooks) {
        this.webhooks = webhooks;
    }

    /** Sends every delivery that is due; returns how many it tried. */
    public int deliverDue(Jdbi jdbi) {
        int tried = 0;
        while (jdbi.inTransaction(this::deliverNext)) {
            tried++;
        }
        return tried;
    }

    /** Tries the next due delivery in the caller's transaction; false when none is due. */
    boolean deliverNext(Handle handle) {
        final Optional<Due> due = handle.createQuery("""
                        select d.business_id, d.event_id, d.endpoint_id, d.attempts, e.type, e.data, e.created_at,
                               n.url, n.secret_sealed, n.disabled_at is not null as disabled
                        from webhook_deliveries d
                        join webhook_events e on e.business_id = d.business_id and e.id = d.event_id
                        join webhook_endpoints n on n.business_id = d.business_id and n.id = d.endpoint_id
                        where d.status = 'pending' and d.next_attempt_at <= clock_timestamp()
                        order by d.next_attempt_at
                        limit 1
                        for update of d skip locked
                        """)
                .map((rs, ctx) -> new Due(
                        rs.getLong("business_id"),
                        rs.getLong("event_id"),
                        rs.getLong("endpoint_id"),
                        rs.getInt("attempts"),
                        rs.getString("type"),
                        rs.getString("data"),
                        rs.getObject("created_at", OffsetDateTime.class),
                        rs.getString("url"),
                        rs.getString("secret_sealed"),
                        rs.getBoolean("disabled")))
                .findOne();
        if (due.isEmpty()) {
            return false;
        }
        final Due delivery = due.get();
        if (delivery.endpointDisabled()) {
            // Queued by a commit that raced the endpoint being disabled: dropped like the rest.
            handle.createUpdate("""
                    update webhook_deliveries set status = 'failed'
                    where business_id = :business_id and event_id = :event_id and endpoint_id = :endpoint_id
                    """)
                    .bind("business_id", delivery.businessId())
                    .bind("event_id", delivery.eventNumber())
                    .bind("endpoint_id", delivery.endpointId())
                    .execute();
            return true;
        }
        final long started = System.nanoTime();
        final Outcome outcome = send(delivery);
        record(handle, delivery, outcome, (int)
                Duration.ofNanos(System.nanoTime() - started).toMillis());
        return true;
    }

    private record Due(
            long businessId,
            long eventNumber,
            long endpointId,
            int attempts,
            String type,
            String data,
            OffsetDateTime createdAt,
            String url,
            String secretSealed,
            boolean endpointDisabled) {}

    private record Outcome(Optional<Integer> status, Optional<String> error) {
        boolean delivered() {
            return status.filter(code -> code / 100 == 2).isPresent();
        }
    }

    private Outcome send(Due delivery) {
        final String eventId = Webhooks.eventId(delivery.businessId(), delivery.eventNumber());
        try {
            final URI uri = URI.create(delivery.url());
            if (!webhooks.privateAddressesAllowed() && isPrivate(uri.getHost())) {
                return new Outcome(Optional.empty(), Optional.of("refused: the address is on a private network"));
            }
            final ObjectNode body = Json.mapper().createObjectNode();
            body.put("id", eventId);
            body.put("type", delivery.type());
            body.put("created_at", delivery.createdAt().toInstant().toString());
            body.put("business_id", delivery.businessId());
            body.set("data", Json.mapper().readTree(delivery.data()));
            final String json = Json.mapper().writeValueAsString(body);
            final long timestamp = Instant.now().getEpochSecond();
            final HttpRequest request = HttpRequest.newBuilder(uri)
                    .timeout(TIMEOUT)
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Settle-Webhooks/1")
                    .header("Settle-Event-Id", eventId)
                    .header("Settle-Event-Type", delivery.type())
                    .header(
                            "Settle-Signature",
                            signature(webhooks.secret(delivery.businessId(), delivery.secretSealed()), timestamp, json))
                    .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                    .build();
            final HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            return new Outcome(Optional.of(response.statusCode()), Optional.empty());
        } catch (IOException | IllegalArgumentException e) {
            return new Outcome(
                    Optional.empty(), Optional.of(String.valueOf(e.getMessage() == null ? e : e.getMessage())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(Optional.empty(), Optional.of("interrupted"));
        }
    }

    /**
     * {@code t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">}: the receiver recomputes it with
     * its secret and refuses an old timestamp, so a captured request can't be replayed later.
     */
    public static String signature(String secret, long timestamp, String body) {
        try {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            final byte[] digest = mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            return "t=" + timestamp + ",v1=" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void record(Handle handle, Due delivery, Outcome outcome, int durationMs) {
        final int attempt = delivery.attempts() + 1;
        handle.createUpdate("""
                insert into webhook_attempts (business_id, event_id, endpoint_id, attempt, response_status, error,
                                              duration_ms)
                values (:business_id, :event_id, :endpoint_id, :attempt, :status, :error, :duration_ms)
                """)
                .bind("business_id", delivery.businessId())
                .bind("event_id", delivery.eventNumber())
                .bind("endpoint_id", delivery.endpointId())
                .bind("attempt", attempt)
                .bind("status", outcome.status().orElse(null))
                .bind(
                        "error",
                        outcome.error()
                                .map(text -> text.length() > 500 ? text.substring(0, 500) : text)
                                .orElse(null))
                .bind("duration_ms", durationMs)
                .execute();
        final String status = outcome.delivered() ? "delivered" : attempt >= ATTEMPTS_MAX ? "failed" : "pending";
        if (!outcome.delivered()) {
            log.warn(
                    "webhook event {} to endpoint {} not delivered (try {}): {}",
                    Webhooks.eventId(delivery.businessId(), delivery.eventNumber()),
                    delivery.endpointId(),
                    attempt,
                    outcome.status()
                            .map(code -> "HTTP " + code)
                            .orElseGet(() -> outcome.error().orElse("")));
        }
        handle.createUpdate("""
                update webhook_deliveries
                set status = :status, attempts = :attempt,
                    delivered_at = case when :status = 'delivered' then clock_timestamp() end,
                    next_attempt_at = clock_timestamp() + make_interval(secs => :backoff_seconds)
                where business_id = :business_id and event_id = :event_id and endpoint_id = :endpoint_id
                """)
                .bind("status", status)
                .bind("attempt", attempt)
                .bind("backoff_seconds", backoff(attempt).toSeconds())
                .bind("business_id", delivery.businessId())
                .bind("event_id", delivery.eventNumber())
                .bind("endpoint_id", delivery.endpointId())
                .execute();
    }

    /** A minute after the first failure, doubling each time, at most six hours. */
    static Duration backoff(int attempt) {
        final Duration doubled = Duration.ofMinutes(1L << Math.min(attempt - 1, 20));
        return doubled.compareTo(BACKOFF_MAX) > 0 ? BACKOFF_MAX : doubled;
    }

    /**
     * Not a public address: loopback, this network, link-local (cloud metadata), shared (carrier
     * NAT, some clouds' metadata), benchmarking, multicast, or IPv6 forms that carry an IPv4
     * address (NAT64, 6to4, mapped) other than a public one.
     */
    static boolean isPrivate(String host) throws UnknownHostException {
        for (InetAddress address : InetAddress.getAllByName(host)) {
            if (isPrivate(address.getAddress()) || address.isMulticastAddress()) {
                return true;
            }
        }
        return false;
    }

    private static boolean isPrivate(byte[] bytes) throws UnknownHostException {
        if (bytes.length == 16) {
            final boolean nat64 = (bytes[0] & 0xff) == 0x00
                    && (bytes[1] & 0xff) == 0x64
                    && (bytes[2] & 0xff) == 0xff
                    && (bytes[3] & 0xff) == 0x9b;
            final boolean sixToFour = (bytes[0] & 0xff) == 0x20 && (bytes[1] & 0xff) == 0x02;
            if (nat64) {
                return isPrivate(java.util.Arrays.copyOfRange(bytes, 12, 16));
            }
            if (sixToFour) {
                return isPrivate(java.util.Arrays.copyOfRange(bytes, 2, 6));
            }
            final InetAddress address = InetAddress.getByAddress(bytes);
            return address.isLoopbackAddress()
                    || address.isAnyLocalAddress()
                    || address.isSiteLocalAddress()
                    || address.isLinkLocalAddress()
                    || (bytes[0] & 0xfe) == 0xfc;
        }
        final int first = bytes[0] & 0xff;
        final int second = bytes[1] & 0xff;
        return first == 0
                || first == 10
                || first == 127
                || first >= 224
                || (first == 100 && second >= 64 && second < 128)
                || (first == 169 && second == 254)
                || (first == 172 && second >= 16 && second < 32)
                || (first == 192 && second == 168)
                || (first == 192 && second == 0 && (bytes[2] & 0xff) == 0)
                || (first == 198 && (second == 18 || second == 19));
    }
}

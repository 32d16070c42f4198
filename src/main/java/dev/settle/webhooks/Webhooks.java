package dev.settle.webhooks;

import dev.settle.Problem;
import dev.settle.business.SecretBox;
import dev.settle.business.Secrets;
import dev.settle.business.TextInput;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * A business's webhook endpoints and what was sent to them (decision 0017). The events themselves
 * are written by the database when a transaction posting ledger entries commits; {@link
 * WebhookDelivery} sends them.
 */
public final class Webhooks {
    /** The event types an endpoint can take, with what each means to the owner choosing them. */
    public static final Map<String, String> EVENT_TYPES = eventTypes();

    /** Active endpoints a business may have: each event is sent to every one of them. */
    static final int ENDPOINTS_MAX = 10;

    public record Endpoint(
            long id,
            String url,
            Optional<String> description,
            List<String> events,
            OffsetDateTime createdAt,
            Optional<OffsetDateTime> disabledAt) {}

    /** A new endpoint and its signing secret, which is shown this once. */
    public record Created(Endpoint endpoint, String secret) {}

    /** One try at sending an event to an endpoint, as the delivery log shows it. */
    public record Attempt(
            int attempt, OffsetDateTime at, Optional<Integer> responseStatus, Optional<String> error, int durationMs) {
        public boolean succeeded() {
            return responseStatus.filter(status -> status / 100 == 2).isPresent();
        }
    }

    /** An event and where it stands with one endpoint. */
    public record Delivery(
            String eventId,
            long eventNumber,
            String type,
            long endpointId,
            String url,
            String status,
            int attempts,
            OffsetDateTime createdAt,
            OffsetDateTime nextAttemptAt,
            Optional<OffsetDateTime> deliveredAt,
            List<Attempt> log) {
        Delivery withLog(List<Attempt> tries) {
            return new Delivery(
                    eventId,
                    eventNumber,
                    type,
                    endpointId,
                    url,
                    status,
                    attempts,
                    createdAt,
                    nextAttemptAt,
                    deliveredAt,
                    List.copyOf(tries));
        }
    }

    private final SecretBox box;
    private final boolean privateAddressesAllowed;

    /**
     * @param privateAddressesAllowed whether endpoints may be plain http and on this machine or its
     *     network (development and tests); otherwise https to public addresses only.
     */
    public Webhooks(SecretBox box, boolean privateAddressesAllowed) {
        this.box = box;
        this.privateAddressesAllowed = privateAddressesAllowed;
    }

    /** The id an event carries to every endpoint and on every retry: what a receiver dedupes on. */
    public static String eventId(long businessId, long eventNumber) {
        return "evt_" + businessId + "_" + eventNumber;
    }

    public Created create(
            Handle handle,
            long businessId,
            String url,
            Optional<String> description,
            List<String> events,
            Optional<Long> staffId) {
        final String checkedUrl = checkUrl(url);
        if (events.isEmpty()) {
            throw Problem.validation("events", "Choose at least one event to send");
        }
        for (String event : events) {
            if (!EVENT_TYPES.containsKey(event)) {
                throw Problem.validation("events", "events must be among " + String.join(", ", EVENT_TYPES.keySet()));
            }
        }
        final Optional<String> checkedDescription =
                description.flatMap(text -> TextInput.optional(text, "description", "Description", 200));
        // Endpoints are counted under the business's row lock, so two owners adding at once stay within the cap.
        // No key update: an entry being posted (which key-share locks the business) need not wait.
        handle.createQuery("select id from businesses where id = :id for no key update")
                .bind("id", businessId)
                .mapTo(Long.class)
                .one();
        final int active = handle.createQuery(
                        "select count(*) from webhook_endpoints where business_id = :business_id and disabled_at is null")
                .bind("business_id", businessId)
                .mapTo(Integer.class)
                .one();
        if (active >= ENDPOINTS_MAX) {
            throw Problem.validation("url", "A business can have at most " + ENDPOINTS_MAX + " active endpoints");
        }
        final String secret = "whsec_" + Secrets.random256();
        final long id = handle.createQuery("""
                        insert into webhook_endpoints (business_id, url, description, events, secret_sealed,
                                                       created_by_staff_id)
                        values (:business_id, :url, :description, :events, :secret, :staff_id)
                        returning id
                        """)
                .bind("business_id", businessId)
                .bind("url", checkedUrl)
                .bind("description", checkedDescription.orElse(null))
                .bindArray("events", String.class, List.copyOf(new java.util.LinkedHashSet<>(events)))
                .bind("secret", box.seal(secret, context(businessId)))
                .bind("staff_id", staffId.orElse(null))
                .mapTo(Long.class)
                .one();
        return new Created(require(handle, businessId, id), secret);
    }

    public List<Endpoint> list(Handle handle, long businessId) {
        return handle.createQuery(ENDPOINT + "where business_id = :business_id order by disabled_at nulls first, id")
                .bind("business_id", businessId)
                .map(Webhooks::endpoint)
                .list();
    }

    public Endpoint require(Handle handle, long businessId, long endpointId) {
        return handle.createQuery(ENDPOINT + "where business_id = :business_id and id = :id")
                .bind("business_id", businessId)
                .bind("id", endpointId)
                .map(Webhooks::endpoint)
                .findOne()
                .orElseThrow(() -> Problem.notFound("endpointId", "no webhook endpoint has id " + endpointId));
    }

    /** Stops sending to the endpoint: events not yet delivered to it are dropped, and none are made for it. */
    public Endpoint disable(Handle handle, long businessId, long endpointId) {
        require(handle, businessId, endpointId);
        handle.createUpdate("""
                update webhook_endpoints set disabled_at = coalesce(disabled_at, clock_timestamp())
                where business_id = :business_id and id = :id
                """)
                .bind("business_id", businessId)
                .bind("id", endpointId)
                .execute();
        handle.createUpdate("""
                update webhook_deliveries set status = 'failed'
                where business_id = :business_id and endpoint_id = :id and status = 'pending'
                """)
                .bind("business_id", businessId)
                .bind("id", endpointId)
                .execute();
        return require(handle, businessId, endpointId);
    }

    /** The latest deliveries (of one endpoint, or all), newest first, each with its attempts. */
    public List<Delivery> deliveries(Handle handle, long businessId, Optional<Long> endpointId, int limit) {
        final List<Delivery> deliveries = handle.createQuery("""
                        select e.id as event_number, e.type, e.created_at, d.endpoint_id, n.url, d.status, d.attempts,
                               d.next_attempt_at, d.delivered_at
                        from webhook_deliveries d
                        join webhook_events e on e.business_id = d.business_id and e.id = d.event_id
                        join webhook_endpoints n on n.business_id = d.business_id and n.id = d.endpoint_id
                        where d.business_id = :business_id and (cast(:endpoint_id as bigint) is null or d.endpoint_id = :endpoint_id)
                        order by d.event_id desc, d.endpoint_id
                        limit :limit
                        """)
                .bind("business_id", businessId)
                .bind("endpoint_id", endpointId.orElse(null))
                .bind("limit", limit)
                .map((rs, ctx) -> new Delivery(
                        eventId(businessId, rs.getLong("event_number")),
                        rs.getLong("event_number"),
                        rs.getString("type"),
                        rs.getLong("endpoint_id"),
                        rs.getString("url"),
                        rs.getString("status"),
                        rs.getInt("attempts"),
                        rs.getObject("created_at", OffsetDateTime.class),
                        rs.getObject("next_attempt_at", OffsetDateTime.class),
                        Optional.ofNullable(rs.getObject("delivered_at", OffsetDateTime.class)),
                        List.of()))
                .list();
        return deliveries.stream()
                .map(delivery ->
                        delivery.withLog(attempts(handle, businessId, delivery.eventNumber(), delivery.endpointId())))
                .toList();
    }

    /** Sends a delivery that gave up (or is waiting out its backoff) again at once, to an active endpoint. */
    public void retry(Handle handle, long businessId, long eventNumber, long endpointId) {
        final Endpoint endpoint = require(handle, businessId, endpointId);
        if (endpoint.disabledAt().isPresent()) {
            throw Problem.validation("endpointId", "The endpoint is disabled: nothing is sent to it");
        }
        final int changed = handle.createUpdate("""
                        update webhook_deliveries set status = 'pending', next_attempt_at = clock_timestamp()
                        where business_id = :business_id and event_id = :event_id and endpoint_id = :endpoint_id
                          and status <> 'delivered'
                        """)
                .bind("business_id", businessId)
                .bind("event_id", eventNumber)
                .bind("endpoint_id", endpointId)
                .execute();
        if (changed == 0) {
            throw Problem.notFound("eventId", "no undelivered event " + eventId(businessId, eventNumber) + " for it");
        }
    }

    String secret(long businessId, String sealed) {
        return box.open(sealed, context(businessId));
    }

    boolean privateAddressesAllowed() {
        return privateAddressesAllowed;
    }

    private List<Attempt> attempts(Handle handle, long businessId, long eventNumber, long endpointId) {
        return handle.createQuery("""
                        select attempt, attempted_at, response_status, error, duration_ms from webhook_attempts
                        where business_id = :business_id and event_id = :event_id and endpoint_id = :endpoint_id
                        order by attempt
                        """)
                .bind("business_id", businessId)
                .bind("event_id", eventNumber)
                .bind("endpoint_id", endpointId)
                .map((rs, ctx) -> new Attempt(
                        rs.getInt("attempt"),
                        rs.getObject("attempted_at", OffsetDateTime.class),
                        Optional.ofNullable(rs.getObject("response_status", Integer.class)),
                        Optional.ofNullable(rs.getString("error")),
                        rs.getInt("duration_ms")))
                .list();
    }

    /** An absolute http(s) URL with a host; https only unless private addresses are allowed. */
    private String checkUrl(String typed) {
        final String url = typed == null ? "" : typed.strip();
        final URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw Problem.validation("url", "Enter a URL such as https://example.com/settle-events");
        }
        final String scheme = Optional.ofNullable(uri.getScheme()).orElse("").toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw Problem.validation("url", "Enter a URL such as https://example.com/settle-events");
        }
        if (scheme.equals("http") && !privateAddressesAllowed) {
            throw Problem.validation("url", "The URL must start with https://, so events travel encrypted");
        }
        if (uri.getUserInfo() != null || uri.getFragment() != null) {
            throw Problem.validation("url", "The URL must not hold a user name, password or #fragment");
        }
        if (url.length() > 2000) {
            throw Problem.validation("url", "The URL must be at most 2000 characters");
        }
        return url;
    }

    private static String context(long businessId) {
        return "business " + businessId + " webhook signing secret";
    }

    private static Map<String, String> eventTypes() {
        final Map<String, String> types = new LinkedHashMap<>();
        types.put("client.balance_changed", "A client's balance due, open payments or credits changed");
        types.put("invoice.paid", "An invoice was paid in full");
        types.put("gift_card.redeemed", "Value was taken off a gift card (spent, or loaded onto an account)");
        types.put("credit.expired", "A client's credit expired unused");
        return java.util.Collections.unmodifiableMap(types);
    }

    private static final String ENDPOINT = """
            select id, url, description, events, created_at, disabled_at from webhook_endpoints
            """;

    private static Endpoint endpoint(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws java.sql.SQLException {
        return new Endpoint(
                rs.getLong("id"),
                rs.getString("url"),
                Optional.ofNullable(rs.getString("description")),
                List.of((String[]) rs.getArray("events").getArray()),
                rs.getObject("created_at", OffsetDateTime.class),
                Optional.ofNullable(rs.getObject("disabled_at", OffsetDateTime.class)));
    }
}

package dev.settle.clients;

import com.fasterxml.jackson.databind.JsonNode;
import dev.settle.Problem;
import dev.settle.business.ApiKeys;
import dev.settle.business.DateInput;
import dev.settle.ledger.Account;
import dev.settle.web.ApiAuth;
import dev.settle.web.ApiWrites;
import dev.settle.web.Json;
import dev.settle.web.PathIds;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** {@code /api/v1/clients}: clients and their three balances. */
public final class ClientsApi {
    private final Jdbi jdbi;
    private final Clients clients;
    private final ClientHistory history;
    private final ApiWrites writes;

    public ClientsApi(Jdbi jdbi, Clients clients, ClientHistory history, ApiWrites writes) {
        this.jdbi = jdbi;
        this.clients = clients;
        this.history = history;
        this.writes = writes;
    }

    record ClientBody(String name, String email, String phone) {}

    /** A change to a client; which fields it names is read from the body itself (see {@link #update}). */
    record ClientPatch(String name, String email, String phone, Boolean archived) {}

    record SummaryJson(
            long id,
            String name,
            Optional<String> email,
            Optional<String> phone,
            boolean archived,
            String currency,
            long balanceDueMinor,
            long openPaymentsMinor,
            long creditsMinor) {}

    record ListJson(List<SummaryJson> clients, Optional<String> nextCursor) {}

    record BalanceJson(
            long clientId,
            String currency,
            Instant asOf,
            long balanceDueMinor,
            long openPaymentsMinor,
            long creditsMinor) {}

    static final int LIST_LIMIT_MAX = 200;

    /** A page of history, with the client's balances now: a client screen needs both, in one request. */
    record HistoryJson(
            String currency,
            long balanceDueMinor,
            long openPaymentsMinor,
            long creditsMinor,
            List<ClientHistory.Row> rows,
            Optional<String> nextCursor) {}

    record AccountRef(long id, long balanceMinor) {}

    public record ClientJson(
            long id,
            String name,
            Optional<String> email,
            Optional<String> phone,
            boolean archived,
            String currency,
            long balanceDueMinor,
            long openPaymentsMinor,
            long creditsMinor,
            AccountsJson accounts) {}

    record AccountsJson(long receivable, long openPayments, long credits) {}

    public void create(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final ClientBody body = Json.read(ctx, ClientBody.class);
        writes.submit(
                ctx,
                caller,
                List.of(),
                201,
                handle -> clients.create(
                        handle,
                        caller.businessId(),
                        body.name(),
                        Optional.ofNullable(body.email()),
                        Optional.ofNullable(body.phone())),
                client -> json(client, caller.currency()));
    }

    public void get(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long clientId = PathIds.of(ctx, "clientId");
        ctx.json(json(
                jdbi.withHandle(handle -> clients.require(handle, caller.businessId(), clientId)), caller.currency()));
    }

    /** {@code GET /api/v1/clients?q=&limit=&cursor=&archived=true}: by name, a page at a time. */
    public void list(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final int limit = limit(ctx.queryParam("limit"));
        final Clients.Search search = new Clients.Search(
                Optional.ofNullable(ctx.queryParam("q")).orElse(""),
                "true".equals(ctx.queryParam("archived")),
                Optional.ofNullable(ctx.queryParam("cursor")).map(Clients.Cursor::decode),
                limit + 1);
        if (search.query().length() > 100 || search.query().chars().anyMatch(Character::isISOControl)) {
            throw Problem.validation("q", "q must be at most 100 characters, without control characters");
        }
        final List<Clients.Summary> found =
                jdbi.withHandle(handle -> clients.search(handle, caller.businessId(), search));
        final List<Clients.Summary> page = found.subList(0, Math.min(found.size(), limit));
        ctx.json(new ListJson(
                page.stream()
                        .map(summary -> new SummaryJson(
                                summary.id(),
                                summary.name(),
                                summary.email(),
                                summary.phone(),
                                summary.archived(),
                                caller.currency(),
                                summary.balanceDueMinor(),
                                summary.openPaymentsMinor(),
                                summary.creditsMinor()))
                        .toList(),
                found.size() > limit ? Optional.of(page.getLast().cursor().encode()) : Optional.empty()));
    }

    /** {@code PATCH /api/v1/clients/{clientId}}: name, email, phone, archived. */
    public void update(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long clientId = PathIds.of(ctx, "clientId");
        final ClientPatch patch = Json.read(ctx, ClientPatch.class);
        // An absent field stays as it is; "email": null clears the email. Only the raw body tells
        // the two apart.
        final JsonNode named = Json.read(ctx, JsonNode.class);
        writes.submit(
                ctx,
                caller,
                List.of(),
                200,
                handle -> {
                    final Clients.Client current = clients.require(handle, caller.businessId(), clientId);
                    final Clients.Contact contact = Clients.Contact.of(
                            named.has("name") ? patch.name() : current.name(),
                            named.has("email") ? Optional.ofNullable(patch.email()) : current.email(),
                            named.has("phone") ? Optional.ofNullable(patch.phone()) : current.phone());
                    clients.edit(handle, caller.businessId(), clientId, contact);
                    return patch.archived() == null
                            ? clients.find(handle, caller.businessId(), clientId)
                                    .orElseThrow()
                            : clients.archive(handle, caller.businessId(), clientId, patch.archived());
                },
                client -> json(client, caller.currency()));
    }

    /** {@code GET /api/v1/clients/{clientId}/balance?asOf=}: the three balances, now or at an instant. */
    public void balance(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long clientId = PathIds.of(ctx, "clientId");
        final Instant asOf = Optional.ofNullable(ctx.queryParam("asOf"))
                .map(text -> instant(text, "asOf"))
                .orElseGet(Instant::now);
        final Clients.Balances balances = jdbi.withHandle(
                handle -> clients.balancesAt(handle, clients.require(handle, caller.businessId(), clientId), asOf));
        ctx.json(new BalanceJson(
                clientId,
                caller.currency(),
                asOf,
                balances.balanceDueMinor(),
                balances.openPaymentsMinor(),
                balances.creditsMinor()));
    }

    /** {@code GET /api/v1/clients/{clientId}/history?cursor=&limit=}: newest first, a page at a time. */
    public void history(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long clientId = PathIds.of(ctx, "clientId");
        final int limit = limit(ctx.queryParam("limit"));
        final Optional<Long> cursor =
                Optional.ofNullable(ctx.queryParam("cursor")).map(ClientsApi::entryCursor);
        final Optional<String> kind = Optional.ofNullable(ctx.queryParam("kind"));
        if (kind.isPresent() && !ClientHistory.KINDS.containsKey(kind.get())) {
            throw Problem.validation("kind", "kind must be one of " + String.join(", ", ClientHistory.KINDS.keySet()));
        }
        final ClientHistory.Filter filter = new ClientHistory.Filter(
                kind,
                Optional.ofNullable(ctx.queryParam("from")).map(text -> instant(text, "from")),
                Optional.ofNullable(ctx.queryParam("to")).map(text -> instant(text, "to")));
        ctx.json(jdbi.withHandle(handle -> {
            final Clients.Client client = clients.require(handle, caller.businessId(), clientId);
            final ClientHistory.Page page = history.page(handle, client, filter, cursor, limit);
            return new HistoryJson(
                    caller.currency(),
                    client.receivable().balanceMinor(),
                    client.openPayments().balanceMinor(),
                    client.credits().balanceMinor(),
                    page.rows(),
                    page.olderThanEntryId().map(String::valueOf));
        }));
    }

    private static long entryCursor(String text) {
        if (!text.matches("[1-9][0-9]{0,17}")) {
            throw Problem.validation("cursor", "cursor must be a nextCursor this API returned");
        }
        return Long.parseLong(text);
    }

    private static Instant instant(String text, String field) {
        try {
            final OffsetDateTime at = OffsetDateTime.parse(text);
            DateInput.parse(at.toLocalDate().toString(), field);
            return at.toInstant();
        } catch (DateTimeParseException e) {
            throw Problem.validation(
                    field, field + " must be an ISO 8601 instant with offset, e.g. 2026-11-23T10:00:00Z");
        }
    }

    private static int limit(String text) {
        if (text == null) {
            return 50;
        }
        if (!text.matches("[0-9]{1,3}") || Integer.parseInt(text) < 1 || Integer.parseInt(text) > LIST_LIMIT_MAX) {
            throw Problem.validation("limit", "limit must be 1 to " + LIST_LIMIT_MAX);
        }
        return Integer.parseInt(text);
    }

    public static ClientJson json(Clients.Client client, String currency) {
        final Account receivable = client.receivable();
        return new ClientJson(
                client.id(),
                client.name(),
                client.email(),
                client.phone(),
                client.archived(),
                currency,
                receivable.balanceMinor(),
                client.openPayments().balanceMinor(),
                client.credits().balanceMinor(),
                new AccountsJson(
                        receivable.id(),
                        client.openPayments().id(),
                        client.credits().id()));
    }
}

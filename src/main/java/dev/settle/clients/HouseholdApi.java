package dev.settle.clients;

import dev.settle.Problem;
import dev.settle.business.ApiKeys;
import dev.settle.web.ApiAuth;
import dev.settle.web.Json;
import dev.settle.web.PathIds;
import io.javalin.http.Context;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** {@code /api/v1/clients/{id}/household}: who shares the client's open payments and credits. */
public final class HouseholdApi {
    private final Jdbi jdbi;
    private final Clients clients;
    private final Households households;

    public HouseholdApi(Jdbi jdbi, Clients clients, Households households) {
        this.jdbi = jdbi;
        this.clients = clients;
        this.households = households;
    }

    record JoinBody(Long withClientId) {}

    record HouseholdJson(List<Long> memberIds, long openPaymentsMinor, long creditsMinor, String currency) {}

    public void get(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long clientId = PathIds.of(ctx, "clientId");
        ctx.json(json(
                jdbi.withHandle(
                        handle -> households.of(handle, clients.require(handle, caller.businessId(), clientId))),
                caller));
    }

    /** Puts the client in another client's household (a new one if that client has none). */
    public void join(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long clientId = PathIds.of(ctx, "clientId");
        final JoinBody body = Json.read(ctx, JoinBody.class);
        if (body.withClientId() == null) {
            throw Problem.validation("withClientId", "withClientId is required: the client to share a household with");
        }
        ctx.json(json(
                jdbi.inTransaction(
                        handle -> households.join(handle, caller.businessId(), clientId, body.withClientId())),
                caller));
    }

    public void leave(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long clientId = PathIds.of(ctx, "clientId");
        ctx.json(json(jdbi.inTransaction(handle -> households.leave(handle, caller.businessId(), clientId)), caller));
    }

    private static HouseholdJson json(Households.Household household, ApiKeys.Caller caller) {
        return new HouseholdJson(
                household.members().stream().map(Clients.Client::id).toList(),
                household.openPaymentsMinor(),
                household.creditsMinor(),
                caller.currency());
    }
}

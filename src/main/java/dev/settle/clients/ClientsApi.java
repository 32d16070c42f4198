package dev.settle.clients;

import dev.settle.Problem;
import dev.settle.business.ApiKeys;
import dev.settle.ledger.Account;
import dev.settle.web.ApiAuth;
import dev.settle.web.ApiWrites;
import dev.settle.web.Json;
import dev.settle.web.PathIds;
import io.javalin.http.Context;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** {@code /api/v1/clients}: clients and their three balances. */
public final class ClientsApi {
    private final Jdbi jdbi;
    private final Clients clients;
    private final ApiWrites writes;

    public ClientsApi(Jdbi jdbi, Clients clients, ApiWrites writes) {
        this.jdbi = jdbi;
        this.clients = clients;
        this.writes = writes;
    }

    record ClientBody(String name, String email, String phone) {}

    record AccountRef(long id, long balanceMinor) {}

    record ClientJson(
            long id,
            String name,
            Optional<String> email,
            Optional<String> phone,
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
        ctx.json(jdbi.withHandle(handle -> clients.find(handle, caller.businessId(), clientId))
                .map(client -> json(client, caller.currency()))
                .orElseThrow(() -> Problem.notFound("clientId", "no client has id " + clientId)));
    }

    private static ClientJson json(Clients.Client client, String currency) {
        final Account receivable = client.receivable();
        return new ClientJson(
                client.id(),
                client.name(),
                client.email(),
                client.phone(),
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

package dev.settle.statements;

import dev.settle.business.ApiKeys;
import dev.settle.business.BusinessSettings;
import dev.settle.clients.ClientHistory;
import dev.settle.clients.Clients;
import dev.settle.web.ApiAuth;
import dev.settle.web.ApiWrites;
import dev.settle.web.Json;
import dev.settle.web.PathIds;
import io.javalin.http.Context;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code /api/v1/clients/{id}/statement}: a client's statement for {@code from}..{@code to} as
 * JSON, or {@code statement.pdf}; {@code statement-emails} emails the PDF.
 */
public final class StatementsApi {
    private final Jdbi jdbi;
    private final Clients clients;
    private final Statements statements;
    private final ApiWrites writes;
    private final BusinessSettings settings = new BusinessSettings();

    public StatementsApi(Jdbi jdbi, Clients clients, Statements statements, ApiWrites writes) {
        this.jdbi = jdbi;
        this.writes = writes;
        this.clients = clients;
        this.statements = statements;
    }

    record StatementJson(
            long clientId,
            LocalDate from,
            LocalDate to,
            String currency,
            Clients.Balances opening,
            Clients.Balances closing,
            List<ClientHistory.Row> movements) {}

    record EmailBody(String from, String to, String emailTo) {}

    record EmailedJson(String status, String to) {}

    public void get(Context ctx) {
        final Statements.Statement statement = jdbi.inTransaction(
                StatementPages.READ_ONE_SNAPSHOT,
                handle -> build(handle, ctx, ctx.queryParam("from"), ctx.queryParam("to")));
        ctx.json(new StatementJson(
                statement.client().id(),
                statement.period().from(),
                statement.period().to(),
                statement.business().currency().getCurrencyCode(),
                statement.opening(),
                statement.closing(),
                statement.movements()));
    }

    public void pdf(Context ctx) {
        StatementPages.send(
                ctx,
                jdbi.inTransaction(
                        StatementPages.READ_ONE_SNAPSHOT,
                        handle -> build(handle, ctx, ctx.queryParam("from"), ctx.queryParam("to"))));
    }

    /**
     * Queues the statement as a PDF to {@code emailTo}, or to the client's address; once per
     * Idempotency-Key. The PDF is made before the write, so the write itself stays short.
     */
    public void email(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final EmailBody body = Json.read(ctx, EmailBody.class);
        final Statements.Statement statement = jdbi.inTransaction(
                StatementPages.READ_ONE_SNAPSHOT, handle -> build(handle, ctx, body.from(), body.to()));
        final byte[] pdf = StatementPdf.render(statement);
        writes.submit(
                ctx,
                caller,
                List.of(),
                202,
                handle ->
                        statements.email(handle, statement, pdf, Optional.ofNullable(body.emailTo()), Optional.empty()),
                address -> new EmailedJson("queued", address));
    }

    private Statements.Statement build(Handle handle, Context ctx, String from, String to) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long clientId = PathIds.of(ctx, "clientId");
        final BusinessSettings.Settings business = settings.find(handle, caller.businessId());
        final Clients.Client client = clients.require(handle, caller.businessId(), clientId);
        return statements.build(handle, business, client, Statements.Period.of(from, to, business.timeZone()), true);
    }
}

package dev.settle.statements;

import dev.settle.business.BusinessSettings;
import dev.settle.clients.ClientHistory;
import dev.settle.clients.Clients;
import dev.settle.web.Form;
import dev.settle.web.Pages;
import dev.settle.web.PathIds;
import dev.settle.web.SignedIn;
import dev.settle.web.StaffAuth;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * A client's statement in the staff app (front desk): choose the days, read it, download it as a
 * PDF, or email it to the client.
 */
public final class StatementPages {
    private final Jdbi jdbi;
    private final Clients clients;
    private final Statements statements;
    private final Pages pages;
    private final BusinessSettings settings = new BusinessSettings();

    /** How a statement is read: its movements and both balances from one snapshot. */
    public static final org.jdbi.v3.core.transaction.TransactionIsolationLevel READ_ONE_SNAPSHOT =
            org.jdbi.v3.core.transaction.TransactionIsolationLevel.REPEATABLE_READ;

    public StatementPages(Jdbi jdbi, Clients clients, Statements statements, Pages pages) {
        this.jdbi = jdbi;
        this.clients = clients;
        this.statements = statements;
        this.pages = pages;
    }

    public void show(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final long clientId = PathIds.of(ctx, "clientId");
        final Form form = Form.of(Map.of(
                "from", Optional.ofNullable(ctx.queryParam("from")).orElse(""),
                "to", Optional.ofNullable(ctx.queryParam("to")).orElse("")));
        // One snapshot: the movements and both balances see the same committed entries.
        jdbi.useTransaction(READ_ONE_SNAPSHOT, handle -> {
            final BusinessSettings.Settings business = settings.find(handle, signedIn.businessId());
            final Clients.Client client = clients.require(handle, signedIn.businessId(), clientId);
            final Statements.Chosen chosen =
                    Statements.Period.chosen(form.value("from"), form.value("to"), business.timeZone());
            final Form shown = chosen.problem()
                    .map(form::withError)
                    .orElseGet(() -> Form.of(Map.of(
                            "from", chosen.period().from().toString(),
                            "to", chosen.period().to().toString(),
                            "emailTo", client.email().orElse(""))));
            final Statements.Statement statement = statements.build(handle, business, client, chosen.period(), true);
            pages.render(
                    ctx,
                    chosen.problem().isPresent() ? HttpStatus.UNPROCESSABLE_CONTENT : HttpStatus.OK,
                    "statements/show.jte",
                    "Statement · " + client.name(),
                    Pages.Section.CLIENTS,
                    Map.of("statement", statement, "form", shown, "kinds", ClientHistory.KINDS));
        });
    }

    public void pdf(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final long clientId = PathIds.of(ctx, "clientId");
        final Statements.Statement statement =
                read(signedIn.businessId(), clientId, ctx.queryParam("from"), ctx.queryParam("to"));
        send(ctx, statement);
    }

    public void email(Context ctx) {
        final long clientId = PathIds.of(ctx, "clientId");
        final Form form = Form.of(ctx);
        pages.afterAction(
                ctx,
                "/clients/" + clientId + "/statement?from=" + Pages.encode(form.value("from")) + "&to="
                        + Pages.encode(form.value("to")),
                "Statement not sent",
                signedIn -> {
                    final Statements.Statement statement =
                            read(signedIn.businessId(), clientId, form.value("from"), form.value("to"));
                    // Laid out before the write, which then only queues the email.
                    final byte[] pdf = StatementPdf.render(statement);
                    return "Statement on its way by email to "
                            + jdbi.inTransaction(handle -> statements.email(
                                    handle,
                                    statement,
                                    pdf,
                                    Optional.of(form.value("emailTo")),
                                    Optional.of(signedIn.staffId())))
                            + ".";
                });
    }

    /** The statement for the typed days, read in one snapshot; days that will not do are refused. */
    private Statements.Statement read(long businessId, long clientId, String from, String to) {
        return jdbi.inTransaction(READ_ONE_SNAPSHOT, handle -> {
            final BusinessSettings.Settings business = settings.find(handle, businessId);
            return statements.build(
                    handle,
                    business,
                    clients.require(handle, businessId, clientId),
                    Statements.Period.of(from, to, business.timeZone()),
                    true);
        });
    }

    /** The statement as a PDF download. */
    public static void send(Context ctx, Statements.Statement statement) {
        ctx.contentType("application/pdf");
        // Front desk computers are shared: a client's statement is not kept in a cache.
        ctx.header("Cache-Control", "no-store");
        ctx.header("Content-Disposition", "attachment; filename=\"" + Statements.filename(statement) + "\"");
        ctx.result(StatementPdf.render(statement));
    }
}

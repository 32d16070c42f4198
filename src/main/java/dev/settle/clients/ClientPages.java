package dev.settle.clients;

import dev.settle.Problem;
import dev.settle.web.Form;
import dev.settle.web.Pages;
import dev.settle.web.PathIds;
import dev.settle.web.Sessions;
import dev.settle.web.SignedIn;
import dev.settle.web.StaffAuth;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Staff pages for clients: the list with search, the as-you-type results, a client, a new client. */
public final class ClientPages {
    static final int PAGE_SIZE = 50;
    static final int SEARCH_RESULTS_MAX = 8;
    private static final int QUERY_LENGTH_MAX = 100;
    private static final int PAGES_MAX = 1_000;

    private final Jdbi jdbi;
    private final Clients clients;
    private final Sessions sessions;
    private final Pages pages;

    public ClientPages(Jdbi jdbi, Clients clients, Sessions sessions, Pages pages) {
        this.jdbi = jdbi;
        this.clients = clients;
        this.sessions = sessions;
        this.pages = pages;
    }

    public void list(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final String query = query(ctx);
        final int page = pageNumber(ctx);
        // One more than a page, to know whether there is a next one.
        final List<Clients.Summary> found = jdbi.withHandle(
                handle -> clients.search(handle, signedIn.businessId(), query, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE));
        pages.render(
                ctx,
                "clients/list.jte",
                "Clients",
                Pages.Section.CLIENTS,
                Map.of(
                        "clients",
                        found.subList(0, Math.min(found.size(), PAGE_SIZE)),
                        "query",
                        query,
                        "pageNumber",
                        page,
                        "hasNext",
                        found.size() > PAGE_SIZE));
    }

    /** The global search box's results, as the person types. */
    public void search(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final String query = query(ctx);
        final List<Clients.Summary> found = query.isBlank()
                ? List.of()
                : jdbi.withHandle(
                        handle -> clients.search(handle, signedIn.businessId(), query, SEARCH_RESULTS_MAX, 0));
        pages.fragment(
                ctx,
                "clients/search-results.jte",
                Map.of("clients", found, "query", query, "formats", signedIn.formats()));
    }

    public void newForm(Context ctx) {
        showNew(ctx, HttpStatus.OK, Form.empty());
    }

    public void create(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final Form form = Form.of(ctx);
        try {
            final Clients.Client client = jdbi.inTransaction(handle -> {
                final Clients.Client created = clients.create(
                        handle,
                        signedIn.businessId(),
                        form.value("name"),
                        optional(form.value("email")),
                        optional(form.value("phone")));
                sessions.flash(handle, signedIn, created.name() + " is added.");
                return created;
            });
            ctx.redirect("/clients/" + client.id(), HttpStatus.SEE_OTHER);
        } catch (Problem problem) {
            showNew(ctx, HttpStatus.UNPROCESSABLE_CONTENT, form.withError(problem));
        }
    }

    public void show(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final long clientId = PathIds.of(ctx, "clientId");
        final Clients.Client client = jdbi.withHandle(handle -> clients.find(handle, signedIn.businessId(), clientId))
                .orElseThrow(() -> Problem.notFound("clientId", "No client has id " + clientId));
        pages.render(ctx, "clients/show.jte", client.name(), Pages.Section.CLIENTS, Map.of("client", client));
    }

    private void showNew(Context ctx, HttpStatus status, Form form) {
        pages.render(ctx, status, "clients/new.jte", "New client", Pages.Section.CLIENTS, Map.of("form", form));
    }

    private static String query(Context ctx) {
        final String query = ctx.queryParam("q");
        if (query == null) {
            return "";
        }
        // Control characters can't match a name, and NUL can't even be sent to PostgreSQL.
        final String stripped = query.replaceAll("\\p{Cntrl}", "").strip();
        return stripped.length() > QUERY_LENGTH_MAX ? stripped.substring(0, QUERY_LENGTH_MAX) : stripped;
    }

    private static int pageNumber(Context ctx) {
        final String page = ctx.queryParam("page");
        return page != null && page.matches("[1-9][0-9]{0,3}") ? Math.min(Integer.parseInt(page), PAGES_MAX) : 1;
    }

    private static Optional<String> optional(String text) {
        return text.isBlank() ? Optional.empty() : Optional.of(text);
    }
}

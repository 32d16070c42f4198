package dev.settle.clients;

import dev.settle.Problem;
import dev.settle.web.Form;
import dev.settle.web.Pages;
import dev.settle.web.PathIds;
import dev.settle.web.SignedIn;
import dev.settle.web.StaffAuth;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The client page's household panel: find a client to share with, join, leave. */
public final class HouseholdPages {
    private static final int CANDIDATES_MAX = 8;

    private final Jdbi jdbi;
    private final Clients clients;
    private final Households households;
    private final Pages pages;

    public HouseholdPages(Jdbi jdbi, Clients clients, Households households, Pages pages) {
        this.jdbi = jdbi;
        this.clients = clients;
        this.households = households;
        this.pages = pages;
    }

    /** Clients matching what was typed, each with a button to share a household with them (htmx). */
    public void candidates(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final long clientId = PathIds.of(ctx, "clientId");
        final String query = Optional.ofNullable(ctx.queryParam("q")).orElse("").strip();
        final List<Clients.Summary> found = query.isEmpty()
                ? List.of()
                : jdbi.withHandle(handle -> {
                    final List<Long> members =
                            households
                                    .of(handle, clients.require(handle, signedIn.businessId(), clientId))
                                    .members()
                                    .stream()
                                    .map(Clients.Client::id)
                                    .toList();
                    return clients
                            .search(
                                    handle,
                                    signedIn.businessId(),
                                    new Clients.Search(query, false, Optional.empty(), CANDIDATES_MAX + members.size()))
                            .stream()
                            .filter(candidate -> !members.contains(candidate.id()))
                            .limit(CANDIDATES_MAX)
                            .toList();
                });
        pages.fragment(
                ctx,
                "clients/household-candidates.jte",
                Map.of("clientId", clientId, "candidates", found, "query", query, "csrf", signedIn.csrfToken()));
    }

    public void join(Context ctx) {
        change(ctx, (signedIn, clientId, form) -> {
            final long other;
            try {
                other = Long.parseLong(form.value("withClientId"));
            } catch (NumberFormatException e) {
                throw Problem.validation("withClientId", "Choose a client from the list");
            }
            final Households.Household household =
                    jdbi.inTransaction(handle -> households.join(handle, signedIn.businessId(), clientId, other));
            return "Household: "
                    + String.join(
                            ", ",
                            household.members().stream()
                                    .map(Clients.Client::name)
                                    .toList())
                    + " now share " + signedIn.formats().money(household.openPaymentsMinor()) + " in open payments and "
                    + signedIn.formats().money(household.creditsMinor()) + " in credits.";
        });
    }

    public void leave(Context ctx) {
        change(ctx, (signedIn, clientId, form) -> {
            jdbi.useTransaction(handle -> households.leave(handle, signedIn.businessId(), clientId));
            return "Left the household. Their own open payments and credits stay theirs.";
        });
    }

    private interface Change {
        String apply(SignedIn signedIn, long clientId, Form form);
    }

    private void change(Context ctx, Change change) {
        final long clientId = PathIds.of(ctx, "clientId");
        final Form form = Form.of(ctx);
        pages.afterAction(
                ctx,
                "/clients/" + clientId + "#household",
                "Household not changed",
                signedIn -> change.apply(signedIn, clientId, form));
    }
}

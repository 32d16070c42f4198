package dev.settle.webhooks;

import dev.settle.Problem;
import dev.settle.web.Form;
import dev.settle.web.Pages;
import dev.settle.web.PathIds;
import dev.settle.web.SignedIn;
import dev.settle.web.StaffAuth;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Settings › Webhooks (owner): add an endpoint (its signing secret shown once), choose its events,
 * disable it, and read the delivery log, retrying a delivery that gave up.
 */
public final class WebhookPages {
    /** Deliveries the log page shows. */
    private static final int LOG_ROWS = 50;

    private final Jdbi jdbi;
    private final Webhooks webhooks;
    private final Pages pages;

    public WebhookPages(Jdbi jdbi, Webhooks webhooks, Pages pages) {
        this.jdbi = jdbi;
        this.webhooks = webhooks;
        this.pages = pages;
    }

    public void show(Context ctx) {
        show(ctx, HttpStatus.OK, Form.of(Map.of()), List.copyOf(Webhooks.EVENT_TYPES.keySet()), Optional.empty());
    }

    public void create(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final Form form = Form.of(ctx);
        final List<String> events = ctx.formParams("events");
        try {
            final Webhooks.Created created = jdbi.inTransaction(handle -> webhooks.create(
                    handle,
                    signedIn.businessId(),
                    form.value("url"),
                    Optional.of(form.value("description").strip()).filter(text -> !text.isEmpty()),
                    events,
                    Optional.of(signedIn.staffId())));
            show(
                    ctx,
                    HttpStatus.OK,
                    Form.of(Map.of()),
                    List.copyOf(Webhooks.EVENT_TYPES.keySet()),
                    Optional.of(created));
        } catch (Problem problem) {
            show(ctx, HttpStatus.UNPROCESSABLE_CONTENT, form.withError(problem), events, Optional.empty());
        }
    }

    public void disable(Context ctx) {
        final long endpointId = PathIds.of(ctx, "endpointId");
        pages.afterAction(ctx, "/settings/webhooks", "Not disabled", signedIn -> {
            final Webhooks.Endpoint endpoint =
                    jdbi.inTransaction(handle -> webhooks.disable(handle, signedIn.businessId(), endpointId));
            return "Nothing more is sent to " + endpoint.url() + ".";
        });
    }

    public void retry(Context ctx) {
        final long endpointId = PathIds.of(ctx, "endpointId");
        final long eventNumber = PathIds.of(ctx, "eventNumber");
        pages.afterAction(ctx, "/settings/webhooks", "Not sent again", signedIn -> {
            jdbi.useTransaction(handle -> webhooks.retry(handle, signedIn.businessId(), eventNumber, endpointId));
            return "Event " + Webhooks.eventId(signedIn.businessId(), eventNumber) + " will be sent again in a moment.";
        });
    }

    private void show(
            Context ctx, HttpStatus status, Form form, List<String> chosenEvents, Optional<Webhooks.Created> created) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        pages.render(
                ctx,
                status,
                "settings/webhooks.jte",
                "Webhooks",
                Pages.Section.SETTINGS,
                jdbi.withHandle(handle -> Map.of(
                        "form",
                        form,
                        "chosenEvents",
                        chosenEvents,
                        "eventTypes",
                        Webhooks.EVENT_TYPES,
                        "endpoints",
                        webhooks.list(handle, signedIn.businessId()),
                        "deliveries",
                        webhooks.deliveries(handle, signedIn.businessId(), Optional.empty(), LOG_ROWS),
                        "created",
                        created)));
    }
}

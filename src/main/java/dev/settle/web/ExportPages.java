package dev.settle.web;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Map;

/**
 * A long export's progress, polled by htmx until the file is ready (or, without script, a page
 * with a link to look again), and the finished file.
 */
public final class ExportPages {
    private final Exports exports;
    private final Pages pages;

    public ExportPages(Exports exports, Pages pages) {
        this.exports = exports;
        this.pages = pages;
    }

    public Exports exports() {
        return exports;
    }

    /**
     * Starts an export and shows it: htmx gets the progress in place (or why it was refused, in the
     * same place: htmx drops answers that are errors), others its page.
     */
    public void start(Context ctx, java.util.function.LongSupplier start) {
        final long exportId;
        try {
            exportId = start.getAsLong();
        } catch (dev.settle.Problem problem) {
            if (!isHtmx(ctx)) {
                throw problem;
            }
            pages.fragment(ctx, "exports/refused.jte", Map.of("message", problem.detail()));
            return;
        }
        showStarted(ctx, exportId);
    }

    private void showStarted(Context ctx, long exportId) {
        if (isHtmx(ctx)) {
            progress(ctx, exports.find(StaffAuth.signedIn(ctx).businessId(), exportId));
        } else {
            ctx.redirect("/exports/" + exportId, HttpStatus.SEE_OTHER);
        }
    }

    public void show(Context ctx) {
        final Exports.Export export = exports.find(StaffAuth.signedIn(ctx).businessId(), PathIds.of(ctx, "exportId"));
        if (isHtmx(ctx)) {
            progress(ctx, export);
        } else {
            pages.render(ctx, "exports/show.jte", export.filename(), Pages.Section.CLIENTS, Map.of("export", export));
        }
    }

    public void file(Context ctx) {
        final Exports.File file = exports.file(StaffAuth.signedIn(ctx).businessId(), PathIds.of(ctx, "exportId"));
        CsvDownload.send(ctx, file.filename(), file.content());
    }

    private void progress(Context ctx, Exports.Export export) {
        pages.fragment(
                ctx,
                "exports/progress.jte",
                Map.of("export", export, "formats", StaffAuth.signedIn(ctx).formats(), "autoDownload", true));
    }

    private static boolean isHtmx(Context ctx) {
        return "true".equals(ctx.header("HX-Request"));
    }
}

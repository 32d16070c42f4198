package dev.settle.web;

import dev.settle.business.Role;
import dev.settle.money.Money;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Renders staff pages: JTE templates compiled at build time ({@code src/main/jte}), each inside the
 * one layout (navigation, client search, flash message). Templates escape every value for HTML.
 */
public final class Pages {
    private static final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);

    /** The parts of the app the top navigation leads to. */
    public enum Section {
        CLIENTS,
        CHECKOUT,
        GIFT_CARDS,
        APPROVALS,
        OUTBOX,
        REPORTS,
        SETTINGS,
        ACCOUNT,
        NONE
    }

    /** What the layout needs: the page's title and section, who is signed in, a message to show once. */
    public record Page(String title, Section section, Optional<SignedIn> staff, Optional<String> flash) {
        public boolean isOwner() {
            return staff.map(signedIn -> signedIn.role() == Role.OWNER).orElse(false);
        }
    }

    private final Jdbi jdbi;
    private final Sessions sessions;

    public Pages(Jdbi jdbi, Sessions sessions) {
        this.jdbi = jdbi;
        this.sessions = sessions;
    }

    /** A whole staff page; the template gets {@code page} and {@code params}. */
    public void render(Context ctx, String template, String title, Section section, Map<String, Object> params) {
        render(ctx, HttpStatus.OK, template, title, section, params);
    }

    public void render(
            Context ctx,
            HttpStatus status,
            String template,
            String title,
            Section section,
            Map<String, Object> params) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final Optional<String> flash = jdbi.withHandle(handle -> sessions.takeFlash(handle, signedIn));
        write(ctx, status, template, new Page(title, section, Optional.of(signedIn), flash), params);
    }

    /**
     * A one-click action's answer (a button, no form to show again): back to {@code back} with what
     * the action says it did, or with {@code notDone} and the reason it was refused. Something that
     * does not exist stays a 404 page.
     */
    public void afterAction(
            Context ctx, String back, String notDone, java.util.function.Function<SignedIn, String> action) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        String message;
        try {
            message = action.apply(signedIn);
        } catch (dev.settle.Problem problem) {
            if (problem.kind() == dev.settle.Problem.Kind.NOT_FOUND) {
                throw problem;
            }
            message = notDone + ": " + problem.detail();
        }
        final String said = message;
        jdbi.useHandle(handle -> sessions.flash(handle, signedIn, said));
        ctx.redirect(back, HttpStatus.SEE_OTHER);
    }

    /** A page shown before sign-in: the layout without navigation. */
    public void renderPublic(
            Context ctx, HttpStatus status, String template, String title, Map<String, Object> params) {
        write(ctx, status, template, new Page(title, Section.NONE, Optional.empty(), Optional.empty()), params);
    }

    /** Part of a page, for htmx to put in place. */
    public void fragment(Context ctx, String template, Map<String, Object> params) {
        final StringOutput output = new StringOutput();
        engine.render(template, params, output);
        ctx.html(output.toString());
    }

    /** A page that says why a request was refused (or failed), and that nothing was changed. */
    public void refuse(Context ctx, HttpStatus status, String title, String message) {
        final Page page = new Page(title, Section.NONE, StaffAuth.signedInIfAny(ctx), Optional.empty());
        write(ctx, status, "errors/refused.jte", page, Map.of("message", message));
    }

    /** An amount written in {@code localeTag} and {@code currencyCode}, to show what a locale means. */
    public static String sample(String localeTag, String currencyCode) {
        try {
            return Money.of(1_234_50, currencyCode).format(Locale.forLanguageTag(localeTag));
        } catch (IllegalArgumentException e) {
            return Money.of(1_234_50, "USD").format(Locale.forLanguageTag(localeTag));
        }
    }

    /** Text for a URL's query string. */
    public static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static void write(Context ctx, HttpStatus status, String template, Page page, Map<String, Object> params) {
        final Map<String, Object> all = new HashMap<>(params);
        all.put("page", page);
        final StringOutput output = new StringOutput();
        engine.render(template, all, output);
        ctx.status(status).html(output.toString());
    }
}

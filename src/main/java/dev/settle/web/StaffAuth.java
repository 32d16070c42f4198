package dev.settle.web;

import dev.settle.business.Role;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Guards every staff page: a live session, a matching CSRF token on every form post, a password
 * that is the person's own, and a role that includes the page's. A refused request changes nothing.
 */
public final class StaffAuth {
    public static final String CSRF_FIELD = "_csrf";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    static final String SESSION_COOKIE = "settle_session";
    private static final String SIGNED_IN = "settle.signedIn";
    static final String PASSWORD_PAGE = "/account/password";

    private final Jdbi jdbi;
    private final Sessions sessions;
    private final Pages pages;

    public StaffAuth(Jdbi jdbi, Sessions sessions, Pages pages) {
        this.jdbi = jdbi;
        this.sessions = sessions;
        this.pages = pages;
    }

    /** {@code handler}, served only to staff whose role includes {@code least}. */
    public Handler page(Role least, Handler handler) {
        return ctx -> {
            final Optional<SignedIn> found =
                    jdbi.withHandle(handle -> sessions.find(handle, ctx.cookie(SESSION_COOKIE)));
            if (found.isEmpty()) {
                toSignIn(ctx);
                return;
            }
            final SignedIn signedIn = found.get();
            ctx.attribute(SIGNED_IN, signedIn);
            if (isWrite(ctx) && !sameSecret(csrfSent(ctx), signedIn.csrfToken())) {
                pages.refuse(
                        ctx,
                        HttpStatus.FORBIDDEN,
                        "This form has expired",
                        "The form was not sent from this Settle page, or your session changed since it was"
                                + " opened. Nothing was changed. Go back, reload the page and try again.");
                return;
            }
            if (signedIn.mustChangePassword()
                    && !ctx.path().equals(PASSWORD_PAGE)
                    && !ctx.path().equals("/signout")) {
                redirect(ctx, PASSWORD_PAGE);
                return;
            }
            if (!signedIn.role().includes(least)) {
                pages.refuse(
                        ctx,
                        HttpStatus.FORBIDDEN,
                        "Not allowed",
                        "This needs the " + least.label + " role. You are signed in as " + signedIn.staffName() + " ("
                                + signedIn.role().label + "). Nothing was changed.");
                return;
            }
            handler.handle(ctx);
        };
    }

    /** The staff member {@link #page} let through. */
    public static SignedIn signedIn(Context ctx) {
        final SignedIn signedIn = ctx.attribute(SIGNED_IN);
        if (signedIn == null) {
            throw new IllegalStateException("route " + ctx.path() + " is not behind StaffAuth");
        }
        return signedIn;
    }

    /** The signed-in staff member, on pages open to everyone (error pages). */
    static Optional<SignedIn> signedInIfAny(Context ctx) {
        return Optional.ofNullable(ctx.attribute(SIGNED_IN));
    }

    static void setSessionCookie(Context ctx, String token) {
        ctx.cookie(cookie(ctx, SESSION_COOKIE, token, -1));
    }

    static void clearSessionCookie(Context ctx) {
        ctx.cookie(cookie(ctx, SESSION_COOKIE, "", 0));
    }

    /** HttpOnly (no script reads it), SameSite=Lax (no cross-site form posts carry it), Secure over HTTPS. */
    public static Cookie cookie(Context ctx, String name, String value, int maxAgeSeconds) {
        final boolean https =
                "https".equalsIgnoreCase(ctx.scheme()) || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
        return new Cookie(name, value, "/", maxAgeSeconds, https, true, null, SameSite.LAX);
    }

    public static boolean sameSecret(String sent, String expected) {
        return sent != null
                && MessageDigest.isEqual(
                        sent.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends the browser somewhere else; an htmx request is told to navigate the whole page. */
    static void redirect(Context ctx, String location) {
        if (ctx.header("HX-Request") != null) {
            ctx.header("HX-Redirect", location);
            ctx.status(HttpStatus.NO_CONTENT);
        } else {
            ctx.redirect(location, HttpStatus.SEE_OTHER);
        }
    }

    private static boolean isWrite(Context ctx) {
        return ctx.method() != HandlerType.GET && ctx.method() != HandlerType.HEAD;
    }

    private static String csrfSent(Context ctx) {
        final String header = ctx.header(CSRF_HEADER);
        return header != null ? header : ctx.formParam(CSRF_FIELD);
    }

    private static void toSignIn(Context ctx) {
        final boolean canReturn = ctx.method() == HandlerType.GET && ctx.header("HX-Request") == null;
        redirect(ctx, canReturn ? "/signin?next=" + URLEncoder.encode(ctx.path(), StandardCharsets.UTF_8) : "/signin");
    }
}

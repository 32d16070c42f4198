package dev.settle.web;

import dev.settle.Problem;
import dev.settle.business.Passwords;
import dev.settle.business.StaffUsers;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Signing in and out. Wrong passwords are throttled per email; a session starts only on success. */
public final class SignInPages {
    // A pre-session CSRF secret (double-submit): a sign-in form on another site cannot sign a
    // browser into an account of the attacker's choosing.
    private static final String SIGNIN_COOKIE = "settle_signin";
    // Checked when no account has the email, so an unknown address takes as long as a known one.
    private static final String DUMMY_HASH = Passwords.hash("not anyone's password");

    private final Jdbi jdbi;
    private final StaffUsers staff;
    private final Sessions sessions;
    private final PasswordThrottle throttle;
    private final Pages pages;

    public SignInPages(Jdbi jdbi, StaffUsers staff, Sessions sessions, PasswordThrottle throttle, Pages pages) {
        this.jdbi = jdbi;
        this.staff = staff;
        this.sessions = sessions;
        this.throttle = throttle;
        this.pages = pages;
    }

    public void form(Context ctx) {
        final String notice = ctx.queryParam("signedOut") != null ? "You are signed out." : "";
        freshForm(ctx, HttpStatus.OK, Form.of(Map.of("next", safeNext(ctx.queryParam("next")))), notice);
    }

    /**
     * The sign-in form, with the browser's CSRF secret (a new one if it has none), so a second tab
     * or an older one still signs in.
     */
    private void freshForm(Context ctx, HttpStatus status, Form form, String notice) {
        final String existing = ctx.cookie(SIGNIN_COOKIE);
        final String token = existing != null && existing.matches("[A-Za-z0-9_-]{43}") ? existing : Sessions.newToken();
        ctx.cookie(StaffAuth.cookie(ctx, SIGNIN_COOKIE, token, -1));
        show(ctx, status, token, form, List.of(), notice);
    }

    public void signIn(Context ctx) {
        final String presented = ctx.cookie(SIGNIN_COOKIE);
        final Form form = Form.of(ctx);
        if (presented == null || !StaffAuth.sameSecret(ctx.formParam(StaffAuth.CSRF_FIELD), presented)) {
            freshForm(
                    ctx,
                    HttpStatus.FORBIDDEN,
                    Form.of(Map.of("email", form.value("email"), "next", safeNext(form.value("next")))),
                    "The sign-in form had expired or came from another site. Enter your email and password again.");
            return;
        }
        final String email = form.value("email").strip().toLowerCase(Locale.ROOT);
        final String password = form.value("password");
        if (email.isEmpty() || email.length() > 254 || password.isEmpty() || password.length() > 1000) {
            refuse(ctx, presented, form, "email", "Enter your email and password");
            return;
        }
        if (email.chars().anyMatch(Character::isISOControl)) {
            refuse(ctx, presented, form, "email", "Email must be an address such as name@example.com");
            return;
        }
        final Optional<Duration> wait = throttle.claim(email);
        if (wait.isPresent()) {
            refuse(ctx, presented, form, Form.WHOLE_FORM, PasswordThrottle.waitMessage(wait.get()));
            return;
        }
        final List<StaffUsers.SignInCandidate> matching = matching(email, password);
        if (matching.isEmpty()) {
            refuse(
                    ctx,
                    presented,
                    form,
                    Form.WHOLE_FORM,
                    "That email and password don't match. Check both and try again.");
            return;
        }
        final Optional<StaffUsers.SignInCandidate> chosen = matching.size() == 1
                ? Optional.of(matching.getFirst())
                : matching.stream()
                        .filter(candidate ->
                                String.valueOf(candidate.businessId()).equals(form.value("businessId")))
                        .findFirst();
        if (chosen.isEmpty()) {
            show(ctx, HttpStatus.OK, presented, form, matching, "");
            return;
        }
        final String token = jdbi.inTransaction(handle -> {
            throttle.succeeded(handle, email);
            return sessions.start(
                    handle, chosen.get().businessId(), chosen.get().staffId());
        });
        StaffAuth.setSessionCookie(ctx, token);
        ctx.removeCookie(SIGNIN_COOKIE, "/");
        ctx.redirect(safeNext(form.value("next")), HttpStatus.SEE_OTHER);
    }

    public void signOut(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        jdbi.useHandle(handle -> sessions.end(handle, signedIn.sessionTokenHash()));
        StaffAuth.clearSessionCookie(ctx);
        ctx.redirect("/signin?signedOut", HttpStatus.SEE_OTHER);
    }

    /** The accounts this email and password open; checks every candidate so timing tells nothing. */
    private List<StaffUsers.SignInCandidate> matching(String email, String password) {
        final List<StaffUsers.SignInCandidate> candidates =
                jdbi.withHandle(handle -> staff.signInCandidates(handle, email));
        if (candidates.isEmpty()) {
            Passwords.matches(password, DUMMY_HASH);
            return List.of();
        }
        return candidates.stream()
                .filter(candidate -> Passwords.matches(password, candidate.passwordHash()))
                .toList();
    }

    private void refuse(Context ctx, String csrf, Form form, String field, String message) {
        show(
                ctx,
                HttpStatus.UNPROCESSABLE_CONTENT,
                csrf,
                form.withError(Problem.validation(field, message)),
                List.of(),
                "");
    }

    private void show(
            Context ctx,
            HttpStatus status,
            String csrf,
            Form form,
            List<StaffUsers.SignInCandidate> businesses,
            String notice) {
        pages.renderPublic(
                ctx,
                status,
                "signin/signin.jte",
                "Sign in",
                Map.of("form", form, "csrf", csrf, "businesses", businesses, "notice", notice));
    }

    /** Only a path on this site: an open redirect would let a link send staff anywhere after sign-in. */
    static String safeNext(String next) {
        return next != null && next.matches("/[A-Za-z0-9/_\\-]{0,200}") && !next.startsWith("//") ? next : "/clients";
    }
}

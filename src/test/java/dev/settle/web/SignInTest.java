package dev.settle.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.business.Role;
import dev.settle.support.StaffSession;
import dev.settle.support.TestApp;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import dev.settle.support.TestStaff;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Sign-in at the HTTP level: cookies, redirects, and one person in two businesses. */
class SignInTest {

    @Test
    void theSessionCookieIsHttpOnlyAndSameSiteAndSecureBehindHttps() {
        final TestStaff desk = TestBusiness.create().staff(Role.FRONT_DESK);
        final StaffSession browser = new StaffSession();
        browser.get("/signin");

        final TestApp.Reply reply =
                browser.post("/signin", Map.of("email", desk.email(), "password", TestStaff.PASSWORD));

        final String cookie = reply.headers().get("set-cookie").stream()
                .filter(header -> header.startsWith("settle_session="))
                .findFirst()
                .orElseThrow();
        assertThat(cookie)
                .contains("HttpOnly")
                .containsIgnoringCase("SameSite=Lax")
                .doesNotContain("Secure");
        final StaffSession proxied = new StaffSession();
        final TestApp.Reply overHttps = proxied.send(proxied.request("/signin")
                .header("X-Forwarded-Proto", "https")
                .GET()
                .build());
        assertThat(overHttps.headers().get("set-cookie")).anyMatch(header -> header.contains("Secure"));
    }

    @Test
    void signInNeverRedirectsOffSite() {
        assertThat(SignInPages.safeNext("//attacker.example/x")).isEqualTo("/clients");
        assertThat(SignInPages.safeNext("https://attacker.example")).isEqualTo("/clients");
        assertThat(SignInPages.safeNext("/\\attacker.example")).isEqualTo("/clients");
        assertThat(SignInPages.safeNext("/clients/12")).isEqualTo("/clients/12");
    }

    @Test
    void someoneOnTheStaffOfTwoBusinessesChoosesWhichToSignInto() {
        final TestBusiness first = TestBusiness.create();
        final TestBusiness second = TestBusiness.create();
        final TestStaff atFirst = first.staff(Role.MANAGER);
        TestDatabase.get()
                .jdbi()
                .useHandle(handle -> handle.createUpdate("""
                        insert into staff_users (business_id, email, display_name, role, password_hash)
                        select :business_id, email, display_name, 'owner', password_hash from staff_users where id = :id
                        """)
                        .bind("business_id", second.id())
                        .bind("id", atFirst.id())
                        .execute());
        final StaffSession browser = new StaffSession();
        browser.get("/signin");

        final TestApp.Reply choose =
                browser.post("/signin", Map.of("email", atFirst.email(), "password", TestStaff.PASSWORD));
        assertThat(choose.body())
                .contains("You work for more than one business")
                .contains(second.name());

        final TestApp.Reply signedIn = browser.post(
                "/signin",
                Map.of(
                        "email", atFirst.email(),
                        "password", TestStaff.PASSWORD,
                        "businessId", String.valueOf(second.id())));
        assertThat(signedIn.status()).isEqualTo(303);
        assertThat(browser.get("/settings").body()).contains(second.name());
    }

    @Test
    void aSignInFormFromElsewhereIsRefused() {
        final TestStaff desk = TestBusiness.create().staff(Role.FRONT_DESK);
        final StaffSession browser = new StaffSession();

        final TestApp.Reply reply =
                browser.postWithoutToken("/signin", Map.of("email", desk.email(), "password", TestStaff.PASSWORD));

        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.body()).contains("The sign-in form had expired or came from another site.");
        assertThat(browser.get("/clients").header("Location")).isEqualTo("/signin?next=%2Fclients");
    }

    @Test
    void guessesSentAllAtOnceAreThrottledAsSurelyAsOneByOne() throws Exception {
        final TestStaff desk = TestBusiness.create().staff(Role.FRONT_DESK);
        final StaffSession browser = new StaffSession();
        browser.get("/signin");
        final int guesses = 12;
        final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(guesses);
        final List<java.util.concurrent.Future<TestApp.Reply>> replies = new java.util.ArrayList<>();
        for (int guess = 0; guess < guesses; guess++) {
            final String password = "guess " + guess;
            replies.add(
                    pool.submit(() -> browser.post("/signin", Map.of("email", desk.email(), "password", password))));
        }
        int checked = 0;
        for (java.util.concurrent.Future<TestApp.Reply> reply : replies) {
            if (reply.get().body().contains("don&#39;t match")
                    || reply.get().body().contains("don't match")) {
                checked++;
            }
        }
        pool.shutdown();

        assertThat(checked).isEqualTo(PasswordThrottle.FAILURES_MAX);
        assertThat(browser.post("/signin", Map.of("email", desk.email(), "password", TestStaff.PASSWORD))
                        .body())
                .contains("Too many wrong passwords for this email.");
    }

    @Test
    void aNulInTheEmailIsRefusedLikeAnyMistake() {
        final StaffSession browser = new StaffSession();
        browser.get("/signin");

        final TestApp.Reply reply = browser.post("/signin", Map.of("email", "a\u0000@b.example", "password", "x"));

        assertThat(reply.status()).isEqualTo(422);
        assertThat(reply.body()).contains("Email must be an address such as name@example.com");
    }

    @Test
    void staffPagesAreNeverCachedButAssetsMayBe() {
        final StaffSession desk = StaffSession.signIn(TestBusiness.create().staff(Role.FRONT_DESK));

        assertThat(desk.get("/clients").header("Cache-Control")).isEqualTo("no-store");
        assertThat(desk.get("/signin").header("Cache-Control")).isEqualTo("no-store");
        final TestApp.Reply css = desk.get("/assets/settle.css");
        assertThat(css.header("Cache-Control")).isEqualTo("no-cache");
        assertThat(css.contentType()).startsWith("text/css");
        assertThat(desk.send(desk.request("/assets/settle.css")
                                .header("If-None-Match", css.header("ETag"))
                                .build())
                        .status())
                .as("an unchanged file is not sent again")
                .isEqualTo(304);
        assertThat(desk.get("/webjars/htmx.org/2.0.4/dist/htmx.min.js").body()).contains("htmx");
        assertThat(desk.get("/assets/missing.css").status()).isEqualTo(404);
    }

    @Test
    void someoneWithATemporaryPasswordCanStillSignOut() {
        final TestStaff desk = TestBusiness.create().staff(Role.FRONT_DESK);
        TestDatabase.get()
                .jdbi()
                .useHandle(handle -> handle.createUpdate(
                                "update staff_users set must_change_password = true where id = :id")
                        .bind("id", desk.id())
                        .execute());
        final StaffSession browser = new StaffSession();
        browser.get("/signin");
        browser.post("/signin", Map.of("email", desk.email(), "password", TestStaff.PASSWORD));
        browser.get("/account/password");

        final TestApp.Reply reply = browser.post("/signout", Map.of());

        assertThat(reply.header("Location")).isEqualTo("/signin?signedOut");
        assertThat(browser.get("/account/password").header("Location")).startsWith("/signin");
    }

    @Test
    void theCurrentPasswordCannotBeGuessedFreelyFromAnOpenSession() {
        final TestStaff desk = TestBusiness.create().staff(Role.FRONT_DESK);
        final StaffSession session = StaffSession.signIn(desk);
        session.get("/account/password");
        final Map<String, String> change =
                Map.of("newPassword", "a long new password", "confirmPassword", "a long new password");
        for (int guess = 0; guess < PasswordThrottle.FAILURES_MAX; guess++) {
            final Map<String, String> fields = new java.util.HashMap<>(change);
            fields.put("currentPassword", "guess " + guess);
            assertThat(session.post("/account/password", fields).body()).contains("That is not your current password");
        }
        final Map<String, String> right = new java.util.HashMap<>(change);
        right.put("currentPassword", TestStaff.PASSWORD);

        assertThat(session.post("/account/password", right).body())
                .contains("Too many wrong passwords for this email.");
    }

    @Test
    void aSessionIdleTooLongHasEnded() {
        final TestBusiness business = TestBusiness.create();
        final TestStaff desk = business.staff(Role.FRONT_DESK);
        final Sessions sessions = new Sessions();
        final var jdbi = TestDatabase.get().jdbi();
        final String token = jdbi.withHandle(handle -> sessions.start(handle, business.id(), desk.id()));
        assertThat(find(sessions, token)).isPresent();

        jdbi.useHandle(
                handle -> handle.createUpdate("update staff_sessions set expires_at = now() where token_hash = :hash")
                        .bind("hash", Sessions.hash(token))
                        .execute());

        assertThat(find(sessions, token)).isEmpty();
    }

    private static Optional<SignedIn> find(Sessions sessions, String token) {
        return TestDatabase.get().jdbi().withHandle(handle -> sessions.find(handle, token));
    }
}

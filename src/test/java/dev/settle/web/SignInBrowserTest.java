package dev.settle.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.Route;
import com.microsoft.playwright.options.AriaRole;
import dev.settle.business.Role;
import dev.settle.support.Browser;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestStaff;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SignInBrowserTest {
    @RegisterExtension
    final Browser browser = new Browser();

    @Test
    void staffSignInLandOnClientsAndSignOutEndsTheSession() {
        final TestStaff desk = TestBusiness.create().staff(Role.FRONT_DESK);
        final Page page = browser.signIn(desk);

        assertThat(page).hasURL(Browser.baseUrl() + "/clients");
        assertThat(page.locator(".me")).containsText(desk.name());
        assertThat(page.locator(".me")).containsText("Front desk");

        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign out"))
                .click();
        assertThat(page.getByRole(AriaRole.STATUS)).hasText("You are signed out.");
        page.navigate("/clients");
        assertThat(page).hasURL(Browser.baseUrl() + "/signin?next=%2Fclients");
    }

    @Test
    void aPageOpenedBeforeSignInIsWhereSignInLeads() {
        final TestStaff manager = TestBusiness.create().staff(Role.MANAGER);
        final Page page = browser.page();
        page.navigate("/clients/new");
        Browser.fillSignIn(page, manager.email(), TestStaff.PASSWORD);

        assertThat(page).hasURL(Browser.baseUrl() + "/clients/new");
    }

    @Test
    void aWrongPasswordIsRefusedAndTheEmailIsKept() {
        final TestStaff desk = TestBusiness.create().staff(Role.FRONT_DESK);
        final Page page = Browser.signIn(browser.page(), desk.email(), "not the password");

        assertThat(page.getByRole(AriaRole.ALERT))
                .hasText("That email and password don't match. Check both and try again.");
        assertThat(page.getByLabel("Email")).hasValue(desk.email());
        assertThat(page.getByLabel("Password")).hasValue("");
        page.navigate("/clients");
        assertThat(page).hasURL(Browser.baseUrl() + "/signin?next=%2Fclients");
    }

    @Test
    void repeatedWrongPasswordsLockTheEmailEvenForTheRightOne() {
        final TestStaff desk = TestBusiness.create().staff(Role.FRONT_DESK);
        final Page page = browser.page();
        for (int attempt = 0; attempt < PasswordThrottle.FAILURES_MAX; attempt++) {
            Browser.signIn(page, desk.email(), "guess " + attempt);
        }
        Browser.signIn(page, desk.email(), TestStaff.PASSWORD);

        assertThat(page.getByRole(AriaRole.ALERT))
                .hasText("Too many wrong passwords for this email. Try again in 15 minutes.");
        assertThat(page).hasURL(Browser.baseUrl() + "/signin");
    }

    @Test
    void aFrontDeskIsRefusedTheOwnersPagesAndSeesNoLinkToThem() {
        final TestStaff desk = TestBusiness.create().staff(Role.FRONT_DESK);
        final Page page = browser.signIn(desk);

        assertThat(page.getByRole(AriaRole.NAVIGATION, new Page.GetByRoleOptions().setName("Main")))
                .not()
                .containsText("Settings");
        for (String ownersPage : new String[] {"/settings", "/staff", "/api-keys"}) {
            final var response = page.navigate(ownersPage);
            assertThat(response.status()).isEqualTo(403);
            assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setLevel(1)))
                    .hasText("Not allowed");
            assertThat(page.locator("main"))
                    .containsText("This needs the Owner role. You are signed in as " + desk.name()
                            + " (Front desk). Nothing was changed.");
        }
    }

    @Test
    void aForgedPostWithoutTheFormsTokenIsRefusedAndChangesNothing() {
        final TestBusiness business = TestBusiness.create();
        final Page page = browser.signIn(business.staff(Role.OWNER));

        // Same origin, session cookie sent, but no CSRF token: what a script injected elsewhere could do.
        final Object status =
                page.evaluate("() => fetch('/settings', {method: 'POST', body: new URLSearchParams({name: 'Forged',"
                        + " currency: 'EUR', timeZone: 'UTC', locale: 'de-DE'})}).then(r => r.status)");
        assertThat(status).isEqualTo(403);

        // A form on a Settle page that lacks the token (HTML injected into a page, say).
        page.setContent(forgedForm());
        page.evaluate("() => document.getElementById('forged').submit()");
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setLevel(1)))
                .hasText("This form has expired");

        // Another site's form posting here: the SameSite cookie stays home, so it is not even signed in.
        page.route(
                "http://attacker.example/**",
                route -> route.fulfill(new Route.FulfillOptions()
                        .setContentType("text/html")
                        .setBody(forgedForm() + "<script>document.getElementById('forged').submit()</script>")));
        page.navigate("http://attacker.example/");
        page.waitForURL(Browser.baseUrl() + "/signin");

        page.navigate("/settings");
        assertThat(page.getByLabel("Business name")).hasValue(business.name());
        assertThat(page.getByLabel("Currency")).hasValue("USD");
    }

    private static String forgedForm() {
        return "<form id=forged method=post action='" + Browser.baseUrl() + "/settings'>"
                + "<input name=name value=Forged><input name=currency value=EUR>"
                + "<input name=timeZone value=UTC><input name=locale value=de-DE></form>";
    }
}

package dev.settle.business;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import dev.settle.support.Browser;
import dev.settle.support.TestApp;
import dev.settle.support.TestBusiness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ApiKeysBrowserTest {
    @RegisterExtension
    final Browser browser = new Browser();

    @Test
    void anOwnerCreatesAKeySeesItOnceAndRevokesIt() {
        final TestBusiness business = TestBusiness.create();
        final Page page = browser.signIn(business.staff(Role.OWNER));
        page.navigate("/api-keys");

        page.getByLabel("Label").fill("Booking site");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create key"))
                .click();
        final String key = page.getByTestId("created-key").textContent();
        assertThat(key).startsWith("settle_");
        assertThat(TestApp.get(key, "/api/v1/business").status()).isEqualTo(200);

        page.navigate("/api-keys");
        assertThat(page.getByTestId("created-key")).hasCount(0);
        assertThat(page.content()).doesNotContain(key);
        final var row = page.locator("tr", new Page.LocatorOptions().setHasText("Booking site"));
        assertThat(row).containsText(key.substring(0, 13));

        page.onceDialog(dialog -> dialog.accept());
        row.getByRole(AriaRole.BUTTON, new com.microsoft.playwright.Locator.GetByRoleOptions().setName("Revoke"))
                .click();
        assertThat(page.getByRole(AriaRole.STATUS))
                .hasText("The key is revoked: requests made with it are refused from now on.");
        assertThat(row).containsText("Revoked");
        assertThat(TestApp.get(key, "/api/v1/business").status()).isEqualTo(401);
    }

    @Test
    void dismissingTheQuestionKeepsTheKey() {
        final TestBusiness business = TestBusiness.create();
        final Page page = browser.signIn(business.staff(Role.OWNER));
        page.navigate("/api-keys");

        page.onceDialog(dialog -> dialog.dismiss());
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Revoke"))
                .first()
                .click();

        assertThat(TestApp.get(business.apiKey(), "/api/v1/business").status()).isEqualTo(200);
    }

    @Test
    void aKeyNeedsALabel() {
        final TestBusiness business = TestBusiness.create();
        final Page page = browser.signIn(business.staff(Role.OWNER));
        page.navigate("/api-keys");

        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create key"))
                .click();

        assertThat(page.locator("#label-error")).hasText("Label is required");
        assertThat(page.locator("tbody tr")).hasCount(1);
    }
}

package dev.settle.business;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import dev.settle.support.Browser;
import dev.settle.support.TestBusiness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SettingsBrowserTest {
    @RegisterExtension
    final Browser browser = new Browser();

    @Test
    void theLocaleChosenInSettingsFormatsMoneyEverywhere() {
        final TestBusiness business = TestBusiness.create("EUR");
        final var client = business.aClient("Ana Silva");
        business.charge(client, 1_234_50);
        final Page page = browser.signIn(business.staff(Role.OWNER));

        page.navigate("/clients/" + client.id());
        assertThat(page.getByTestId("balance-due")).hasText("€1,234.50");

        page.navigate("/settings");
        page.getByLabel("Locale").selectOption("de-DE");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save settings"))
                .click();
        assertThat(page.getByRole(AriaRole.STATUS)).hasText("Settings saved.");

        page.navigate("/clients/" + client.id());
        assertThat(page.getByTestId("balance-due")).hasText("1.234,50\u00a0€");
        page.navigate("/clients");
        assertThat(page.locator("td.money").first()).hasText("1.234,50\u00a0€");
    }

    @Test
    void badSettingsAreRefusedBesideTheFieldWithTheValuesKeptAndNothingSaved() {
        final TestBusiness business = TestBusiness.create();
        final Page page = browser.signIn(business.staff(Role.OWNER));
        page.navigate("/settings");

        page.getByLabel("Business name").fill("Renamed");
        page.getByLabel("Currency").fill("XYZ");
        save(page);
        assertThat(page.locator("#currency-error")).hasText("XYZ is not an ISO 4217 currency code");
        assertThat(page.getByLabel("Business name")).hasValue("Renamed");
        assertThat(page.getByLabel("Currency")).hasValue("XYZ");

        page.getByLabel("Currency").fill("USD");
        page.getByLabel("Approval limit for manual balance changes").fill("12.345");
        save(page);
        assertThat(page.locator("#adjustmentApprovalLimit-error"))
                .hasText("Approval limit can have at most 2 decimal places in USD");

        page.getByLabel("Approval limit for manual balance changes").fill("-5");
        save(page);
        assertThat(page.locator("#adjustmentApprovalLimit-error")).hasText("Approval limit must not be negative");

        page.getByLabel("Approval limit for manual balance changes").fill("");
        page.getByLabel("Time zone").fill("Mars/Olympus");
        save(page);
        assertThat(page.locator("#timeZone-error"))
                .hasText("Time zone must be a name such as America/New_York or Europe/London");

        page.getByLabel("Business name").fill("   ");
        save(page);
        assertThat(page.locator("#name-error")).hasText("Business name is required");

        page.navigate("/settings");
        assertThat(page.getByLabel("Business name")).hasValue(business.name());
    }

    @Test
    void theApprovalLimitIsKeptInMinorUnitsAndShownAsTyped() {
        final TestBusiness business = TestBusiness.create();
        final Page page = browser.signIn(business.staff(Role.OWNER));
        page.navigate("/settings");

        page.getByLabel("Approval limit for manual balance changes").fill("250.5");
        page.getByLabel("Apply a client's open payments and credits to new invoices automatically")
                .check();
        save(page);

        assertThat(page.getByLabel("Approval limit for manual balance changes")).hasValue("250.50");
        assertThat(page.getByLabel("Apply a client's open payments and credits to new invoices automatically"))
                .isChecked();
        assertThat(page.getByTestId("processor-status")).containsText("Not connected.");
    }

    @Test
    void theCurrencyCannotChangeOnceMoneyHasMoved() {
        final TestBusiness business = TestBusiness.create();
        final var client = business.aClient("Ben Ode");
        business.charge(client, 10_00);
        final Page page = browser.signIn(business.staff(Role.OWNER));
        page.navigate("/settings");

        page.getByLabel("Currency").fill("EUR");
        save(page);

        assertThat(page.locator("#currency-error"))
                .hasText("Currency can't change once money has been recorded in USD");
    }

    @Test
    void htmlInABusinessNameIsShownAsTextNotRun() {
        final TestBusiness business = TestBusiness.create();
        final Page page = browser.signIn(business.staff(Role.OWNER));
        page.navigate("/settings");

        page.getByLabel("Business name").fill("<script>document.title='owned'</script><b>Bold</b>");
        save(page);

        assertThat(page.locator(".brand .business")).hasText("<script>document.title='owned'</script><b>Bold</b>");
        assertThat(page).hasTitle("Settings · Settle");
    }

    private static void save(Page page) {
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save settings"))
                .click();
        page.waitForLoadState();
    }
}

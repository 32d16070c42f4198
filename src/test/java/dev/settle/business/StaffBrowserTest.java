package dev.settle.business;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import dev.settle.support.Browser;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestStaff;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class StaffBrowserTest {
    @RegisterExtension
    final Browser browser = new Browser();

    @Test
    void aNewStaffMemberSignsInWithTheTemporaryPasswordAndMustChooseTheirOwn() {
        final TestBusiness business = TestBusiness.create();
        final Page owner = browser.signIn(business.staff(Role.OWNER));
        owner.navigate("/staff");
        owner.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).fill("Dana Cruz");
        owner.getByLabel("Email (they sign in with it)").fill("Dana.Cruz@Example.com");
        owner.getByLabel("Role", new Page.GetByLabelOptions().setExact(true)).selectOption("manager");
        owner.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add staff member"))
                .click();
        final String temporary = owner.getByTestId("temporary-password").textContent();
        assertThat(owner.locator("tr", new Page.LocatorOptions().setHasText("Dana Cruz")))
                .containsText("dana.cruz@example.com");

        final Page dana = Browser.signIn(browser.anotherBrowser(), "dana.cruz@example.com", temporary);
        assertThat(dana).hasURL(Browser.baseUrl() + "/account/password");
        dana.navigate("/clients");
        assertThat(dana).hasURL(Browser.baseUrl() + "/account/password");

        dana.getByLabel("Current password").fill(temporary);
        dana.getByLabel("New password", new Page.GetByLabelOptions().setExact(true))
                .fill("short");
        dana.getByLabel("New password again").fill("short");
        dana.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Change password"))
                .click();
        assertThat(dana.locator("#newPassword-error")).hasText("Use at least 10 characters");

        dana.getByLabel("Current password").fill(temporary);
        dana.getByLabel("New password", new Page.GetByLabelOptions().setExact(true))
                .fill("a long new password");
        dana.getByLabel("New password again").fill("a long new password");
        dana.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Change password"))
                .click();
        assertThat(dana).hasURL(Browser.baseUrl() + "/clients");
        assertThat(dana.locator(".me")).containsText("Manager");
    }

    @Test
    void aDeactivatedStaffMemberIsSignedOutAtOnceAndCannotSignIn() {
        final TestBusiness business = TestBusiness.create();
        final TestStaff desk = business.staff(Role.FRONT_DESK);
        final Page deskPage = Browser.signIn(browser.anotherBrowser(), desk.email(), TestStaff.PASSWORD);
        final Page owner = browser.signIn(business.staff(Role.OWNER));
        owner.navigate("/staff");

        owner.onceDialog(dialog -> dialog.accept());
        owner.locator("tr", new Page.LocatorOptions().setHasText(desk.name()))
                .getByRole(
                        AriaRole.BUTTON, new com.microsoft.playwright.Locator.GetByRoleOptions().setName("Deactivate"))
                .click();
        assertThat(owner.getByRole(AriaRole.STATUS))
                .hasText(desk.name() + " is deactivated and can no longer sign in.");

        deskPage.navigate("/clients");
        assertThat(deskPage).hasURL(Browser.baseUrl() + "/signin?next=%2Fclients");
        Browser.fillSignIn(deskPage, desk.email(), TestStaff.PASSWORD);
        assertThat(deskPage.getByRole(AriaRole.ALERT)).containsText("don't match");
    }

    @Test
    void aRoleChangeTakesEffectOnTheNextPage() {
        final TestBusiness business = TestBusiness.create();
        final TestStaff manager = business.staff(Role.MANAGER);
        final Page managerPage = Browser.signIn(browser.anotherBrowser(), manager.email(), TestStaff.PASSWORD);
        final Page owner = browser.signIn(business.staff(Role.OWNER));
        owner.navigate("/staff");

        final var row = owner.locator("tr", new Page.LocatorOptions().setHasText(manager.name()));
        row.getByLabel("Role of " + manager.name()).selectOption("owner");
        row.getByRole(AriaRole.BUTTON, new com.microsoft.playwright.Locator.GetByRoleOptions().setName("Change"))
                .click();
        assertThat(owner.getByRole(AriaRole.STATUS)).hasText(manager.name() + " is now Owner.");

        managerPage.navigate("/settings");
        assertThat(managerPage.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setLevel(1)))
                .hasText("Settings");
    }

    @Test
    void anOwnerCannotRemoveTheirOwnAccessAndAnEmailIsUsedOnce() {
        final TestBusiness business = TestBusiness.create();
        final TestStaff owner = business.staff(Role.OWNER);
        final Page page = browser.signIn(owner);
        page.navigate("/staff");

        final var own = page.locator("tr", new Page.LocatorOptions().setHasText(owner.name()));
        assertThat(own.getByRole(AriaRole.BUTTON)).hasCount(0);

        page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).fill("Someone");
        page.getByLabel("Email (they sign in with it)").fill(owner.email());
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add staff member"))
                .click();
        assertThat(page.locator("#email-error"))
                .hasText("Someone on your staff already signs in with " + owner.email());
        assertThat(page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)))
                .hasValue("Someone");
    }
}

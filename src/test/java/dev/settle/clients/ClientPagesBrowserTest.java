package dev.settle.clients;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import dev.settle.business.Role;
import dev.settle.support.Browser;
import dev.settle.support.TestBusiness;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ClientPagesBrowserTest {
    @RegisterExtension
    final Browser browser = new Browser();

    @Test
    void theSearchBoxFindsClientsByNameEmailOrPhoneAsYouType() {
        final TestBusiness business = TestBusiness.create();
        business.aClient("Priya Patel");
        business.aClient("Peter Pan");
        business.aClient("Lou Reed", Optional.of("lou@velvet.example"), Optional.of("(555) 010-4477"));
        final TestBusiness other = TestBusiness.create();
        other.aClient("Priya Somebody-Else");
        final Page page = browser.signIn(business.staff(Role.FRONT_DESK));
        final var search = page.getByLabel("Search clients");
        final var results = page.locator("#search-results li a .name");

        search.pressSequentially("pri");
        assertThat(results).hasText(new String[] {"Priya Patel"});

        search.fill("velvet");
        assertThat(results).hasText(new String[] {"Lou Reed"});

        search.fill("4477");
        assertThat(results).hasText(new String[] {"Lou Reed"});

        search.fill("nobody");
        assertThat(page.locator("#search-results .none")).hasText("No client matches “nobody”.");

        search.fill("pete");
        assertThat(results).hasText(new String[] {"Peter Pan"});
        search.press("ArrowDown");
        page.keyboard().press("Enter");
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setLevel(1)))
                .hasText("Peter Pan");
    }

    @Test
    void aClientAddedWithMarkupInTheNameIsShownAsText() {
        final TestBusiness business = TestBusiness.create();
        final Page page = browser.signIn(business.staff(Role.FRONT_DESK));
        page.navigate("/clients/new");

        page.getByLabel("Name").fill("<img src=x onerror=alert(1)> Zoë");
        page.getByLabel("Email (optional)").fill("not-an-email");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add client"))
                .click();
        assertThat(page.locator("#email-error")).hasText("Email must be an address such as client@example.com");
        assertThat(page.getByLabel("Name")).hasValue("<img src=x onerror=alert(1)> Zoë");

        page.getByLabel("Email (optional)").fill("zoe@example.com");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add client"))
                .click();

        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setLevel(1)))
                .hasText("<img src=x onerror=alert(1)> Zoë");
        assertThat(page.getByRole(AriaRole.STATUS)).hasText("<img src=x onerror=alert(1)> Zoë is added.");
        assertThat(page.getByTestId("balance-due")).hasText("$0.00");
        assertThat(page.locator("main img")).hasCount(0);
    }

    @Test
    void aFormOnceSentIsNotSentAgainByASecondClick() {
        final Page page = browser.signIn(TestBusiness.create().staff(Role.FRONT_DESK));
        page.navigate("/clients/new");
        page.getByLabel("Name").fill("Dee Double");

        // Listening last (on window) shows what the page's own script decided; then the navigation
        // is stopped so the two submits can be compared.
        final Object prevented = page.evaluate("""
                () => {
                  const decided = [];
                  window.addEventListener("submit", (event) => {
                    decided.push(event.defaultPrevented);
                    event.preventDefault();
                  });
                  const form = document.querySelector("main form");
                  form.requestSubmit();
                  form.requestSubmit();
                  return decided;
                }""");

        org.assertj.core.api.Assertions.assertThat(prevented).isEqualTo(List.of(false, true));
    }

    @Test
    void aManagerEditsAClientArchivesThemAndBringsThemBack() {
        final TestBusiness business = TestBusiness.create();
        final var lou = business.aClient("Lou Reed", Optional.of("lou@old.example"), Optional.empty());
        final Page page = browser.signIn(business.staff(Role.MANAGER));
        page.navigate("/clients/" + lou.id());

        page.getByRole(
                        AriaRole.LINK,
                        new Page.GetByRoleOptions().setName("Edit").setExact(true))
                .click();
        page.getByLabel("Email (optional)").fill("lou@new.example");
        page.getByLabel("Phone (optional)").fill("555 0199");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save"))
                .click();
        assertThat(page.getByRole(AriaRole.STATUS)).hasText("Saved.");
        assertThat(page.locator(".heading .contact")).hasText("lou@new.example 555 0199");

        page.onceDialog(dialog -> dialog.accept());
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Archive"))
                .click();
        assertThat(page.getByRole(AriaRole.STATUS))
                .hasText("Lou Reed is archived: left out of searches, history kept.");
        assertThat(page.getByRole(AriaRole.NOTE)).containsText("Archived");
        page.getByLabel("Search clients").fill("Lou");
        assertThat(page.locator("#search-results .none")).hasText("No client matches “Lou”.");
        page.navigate("/clients?q=Lou&archived=on");
        assertThat(page.locator("tbody tr")).containsText("archived");

        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Lou Reed"))
                .click();
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Bring back"))
                .click();
        assertThat(page.getByRole(AriaRole.STATUS)).hasText("Lou Reed is back among active clients.");
    }

    @Test
    void aFrontDeskEditsButDoesNotArchive() {
        final TestBusiness business = TestBusiness.create();
        final var lou = business.aClient("Lou Reed");
        final Page page = browser.signIn(business.staff(Role.FRONT_DESK));
        page.navigate("/clients/" + lou.id());

        assertThat(page.getByRole(
                        AriaRole.LINK,
                        new Page.GetByRoleOptions().setName("Edit").setExact(true)))
                .isVisible();
        assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Archive")))
                .hasCount(0);
    }

    @Test
    void theBalancesAsOfAPastDayAreShownBesideTodays() {
        final TestBusiness business = TestBusiness.create();
        final var ana = business.aClient("Ana Silva");
        final ZoneId zone = ZoneId.of("America/New_York");
        business.charge(ana, 60_00, OffsetDateTime.now(zone).minusDays(10));
        business.payment(ana, 20_00);
        final Page page = browser.signIn(business.staff(Role.FRONT_DESK));
        page.navigate("/clients/" + ana.id());
        assertThat(page.getByTestId("balance-due")).hasText("$40.00");
        assertThat(page.locator("figure.chart figcaption")).containsText("$40.00 now, highest $60.00.");

        page.getByLabel("Balances at the end of")
                .fill(LocalDate.now(zone).minusDays(5).toString());
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Show"))
                .click();
        assertThat(page.getByTestId("as-of").locator("dd").first()).hasText("$60.00");

        page.getByLabel("Balances at the end of")
                .fill(LocalDate.now(zone).plusDays(2).toString());
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Show"))
                .click();
        assertThat(page.locator("#asOf-error")).hasText("Choose a date up to today");
    }

    @Test
    void anotherBusinesssClientIsNotFound() {
        final TestBusiness other = TestBusiness.create();
        final var theirs = other.aClient("Not Yours");
        final Page page = browser.signIn(TestBusiness.create().staff(Role.OWNER));

        final var response = page.navigate("/clients/" + theirs.id());

        org.assertj.core.api.Assertions.assertThat(response.status()).isEqualTo(404);
        assertThat(page.locator("main")).not().containsText("Not Yours");
    }
}

package dev.settle.tour;

import com.microsoft.playwright.Page;
import dev.settle.demo.DemoBusiness;
import dev.settle.support.Browser;
import dev.settle.support.TestDatabase;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Not a test: a walk through the staff app over the demo business, saving a screenshot of each page
 * at desk (1280 px) and tablet (768 px) widths to {@code target/screenshots/}, for a person to look
 * at. Its name keeps it out of the suite; run it with
 * {@code ./mvnw test -Dtest=ScreenshotTour -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class ScreenshotTour {
    private static final Path OUT = Path.of("target", "screenshots");

    @RegisterExtension
    final Browser browser = new Browser();

    @Test
    void walkThroughTheStaffApp() {
        final DemoBusiness.Demo demo =
                TestDatabase.get().jdbi().inTransaction(handle -> new DemoBusiness().create(handle, 1, 50, 120));
        final DemoBusiness.DemoStaff owner = demo.staff().getFirst();
        final Page page = browser.page();
        page.navigate("/signin");
        shoot(page, "signin");
        Browser.fillSignIn(page, owner.email(), "wrong password");
        shoot(page, "signin-wrong-password");
        Browser.fillSignIn(page, owner.email(), owner.password());
        shoot(page, "clients");
        page.getByLabel("Search clients").pressSequentially("ava");
        page.locator("#search-results li").first().waitFor();
        shoot(page, "clients-search");
        page.locator("#search-results li a").first().click();
        shoot(page, "client");
        final String client = page.url().replaceAll(".*/clients/", "/clients/");
        page.waitForDownload(() -> page.getByText("Download CSV").click());
        shoot(page, "client-exported");
        page.navigate("/exports/" + runningExport(demo, owner));
        shoot(page, "export-progress");
        page.navigate("/clients");
        page.locator("tr:has(td.owes) a").first().click();
        shoot(page, "client-owing");
        final String owing = page.url().replaceAll(".*/clients/", "/clients/");
        page.navigate(owing + "/charge");
        page.getByLabel("Amount (USD)").fill("250");
        page.getByLabel("Reason").fill("Colour correction after a missed appointment");
        page.getByText("Add charge").last().click();
        shoot(page, "client-charged");
        page.navigate("/approvals");
        shoot(page, "approvals");
        page.navigate(client);
        page.getByLabel("Share a household with").pressSequentially("a");
        page.locator("#household-candidates li").first().waitFor();
        shoot(page, "client-household-search");
        page.locator("#household-candidates button").first().click();
        shoot(page, "client-household");
        page.navigate("/invoices/new?clientId=" + owing.replaceAll("\\D", ""));
        page.getByLabel("What, line 1").fill("Cut & blow-dry");
        page.getByLabel("Price, line 1").fill("65");
        page.getByLabel("Kind of line 2").selectOption("tip");
        page.getByLabel("What, line 2").fill("Tip");
        page.getByLabel("Price, line 2").fill("10");
        shoot(page, "ticket-new");
        page.getByText("Continue to checkout").click();
        page.getByLabel("Cash (USD)").fill("65");
        page.getByLabel("Cash handed over").fill("80");
        page.getByLabel("Pay later: onto the balance due (USD)").fill("10");
        com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat(page.getByTestId("remaining"))
                .hasText("$0.00");
        shoot(page, "checkout");
        page.getByText("Complete checkout").click();
        shoot(page, "receipt");
        page.getByText("Email receipt").click();
        shoot(page, "receipt-emailed");
        page.navigate("/gift-cards");
        shoot(page, "gift-cards");
        page.locator("[data-testid=gift-cards] tbody tr a").first().click();
        shoot(page, "gift-card");
        page.navigate("/gift-cards/new");
        page.getByLabel("Amount (USD)").fill("40");
        page.getByLabel("Reason").fill("Apology for a late start");
        page.getByLabel("For (optional)").fill("Ava Abbott");
        page.getByText("Issue card").click();
        shoot(page, "gift-card-issued");
        page.navigate("/invoices/new");
        page.getByLabel("What, line 1").fill("Blow-dry");
        page.getByLabel("Price, line 1").fill("40");
        page.getByText("Continue to checkout").click();
        shoot(page, "checkout-walk-in");
        page.navigate("/portal/" + demo.businessId() + "/gift-cards");
        shoot(page, "gift-card-balance");
        for (String form : List.of("/payment", "/charge", "/open-payment", "/refund", "/credit", "/edit")) {
            page.navigate(client + form);
            shoot(page, "client-" + form.substring(1));
        }
        page.navigate(client + "/statement?from=2020-01-01");
        shoot(page, "client-statement");
        page.waitForDownload(() -> page.getByText("Download PDF").click()).saveAs(OUT.resolve("client-statement.pdf"));
        for (String path : List.of(
                "/clients/new",
                "/outbox",
                "/settings",
                "/staff",
                "/api-keys",
                "/settings/webhooks",
                "/account/password",
                "/reports/trial-balance",
                "/reports/aging",
                "/reports/liability",
                "/reports/tenders",
                "/reports/breakage")) {
            page.navigate(path);
            shoot(page, path.substring(1).replace('/', '-'));
        }
        page.navigate("/settings");
        page.getByLabel("Currency").fill("XYZ");
        page.getByLabel("Approval limit for manual balance changes").fill("12.345");
        page.getByText("Save settings").click();
        shoot(page, "settings-error");
        Browser.signIn(
                        browser.anotherBrowser(),
                        demo.staff().getLast().email(),
                        demo.staff().getLast().password())
                .navigate("/settings");
    }

    @Test
    void walkThroughTheClientPortalAtAPhonesWidth() throws Exception {
        final DemoBusiness.Demo demo =
                TestDatabase.get().jdbi().inTransaction(handle -> new DemoBusiness().create(handle, 2, 50, 120));
        final String email = TestDatabase.get()
                .jdbi()
                .withHandle(handle -> handle.createQuery("""
                                select c.email from clients c join accounts a on a.business_id = c.business_id
                                  and a.client_id = c.id and a.kind = 'receivable'
                                where c.business_id = :id and a.balance_minor > 0 order by c.id limit 1
                                """)
                        .bind("id", demo.businessId())
                        .mapTo(String.class)
                        .one());
        TestDatabase.get()
                .jdbi()
                .useHandle(handle -> handle.execute(
                        "update businesses set portal_shows_funds = true where id = ?", demo.businessId()));
        final Page page = browser.page();
        page.setViewportSize(375, 800);
        page.navigate("/portal/" + demo.businessId());
        phone(page, "portal-signin");
        page.getByLabel("Email").fill(email);
        page.getByText("Email me a sign-in link").click();
        phone(page, "portal-link-sent");
        final String body =
                dev.settle.support.TestMail.awaitNewTo(email).getContent().toString();
        final java.util.regex.Matcher link =
                java.util.regex.Pattern.compile("https?://\\S+/link/\\S+").matcher(body);
        link.find();
        page.navigate(link.group());
        phone(page, "portal-account");
        page.navigate(java.net
                .URI
                .create(link.group())
                .resolve("/portal/" + demo.businessId() + "/statement?from=2020-01-01")
                .toString());
        phone(page, "portal-statement");
        page.navigate(java.net
                .URI
                .create(link.group())
                .resolve("/portal/" + demo.businessId())
                .toString());
        page.locator("[data-testid=invoices] a").first().click();
        phone(page, "portal-invoice");
        page.getByText("by card").first().click();
        phone(page, "test-processor");
        page.navigate(java.net
                .URI
                .create(link.group())
                .resolve("/portal/" + demo.businessId() + "/buy-gift-card")
                .toString());
        phone(page, "portal-buy-gift-card");
        page.navigate("/portal/" + demo.businessId() + "/gift-cards");
        phone(page, "portal-gift-card-balance");
    }

    private static void phone(Page page, String name) {
        page.waitForLoadState();
        page.screenshot(new Page.ScreenshotOptions()
                .setPath(OUT.resolve(name + "-375.png"))
                .setFullPage(true));
    }

    private static void shoot(Page page, String name) {
        page.waitForLoadState();
        for (int width : new int[] {1280, 768}) {
            page.setViewportSize(width, 900);
            page.screenshot(new Page.ScreenshotOptions()
                    .setPath(OUT.resolve(name + "-" + width + ".png"))
                    .setFullPage(true));
        }
        page.setViewportSize(1280, 900);
    }

    /** An export part-way through, as a page polling it would see it. */
    private static long runningExport(DemoBusiness.Demo demo, DemoBusiness.DemoStaff owner) {
        return TestDatabase.get()
                .jdbi()
                .withHandle(handle -> handle.createUpdate("""
                        insert into exports (business_id, filename, started_by, rows_written, rows_expected)
                        select business_id, 'client-12-ava-jones-history.csv', id, 1200, 4500
                        from staff_users where business_id = :business_id and email = :email
                        """)
                        .bind("business_id", demo.businessId())
                        .bind("email", owner.email())
                        .executeAndReturnGeneratedKeys("id")
                        .mapTo(Long.class)
                        .one());
    }
}

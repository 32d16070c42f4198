package dev.settle.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import dev.settle.business.Role;
import dev.settle.support.Browser;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestStaff;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** axe (the accessibility engine browsers' own audits use) on every staff page: no WCAG A/AA violations. */
class AccessibilityBrowserTest {
    private static final String AXE = "META-INF/resources/webjars/axe-core/4.6.3/axe.min.js";

    @RegisterExtension
    final Browser browser = Browser.bypassingContentSecurityPolicy();

    @Test
    void everyStaffPageMeetsWcagAAsFarAsAxeCanTell() throws IOException {
        final TestBusiness business = TestBusiness.create();
        final var client = business.aClient("Ana Silva", Optional.of("ana@example.com"), Optional.empty());
        final TestStaff owner = business.staff(Role.OWNER);
        // Every panel of the client page filled: a balance due, funds to apply, credits, a household,
        // and a change waiting for approval.
        business.openPayment(client, 20_00);
        business.credit(client, 5_00);
        business.charge(client, 30_00);
        final var household = business.aClient("Ben Silva");
        dev.settle.support.TestDatabase.get()
                .jdbi()
                .useTransaction(handle -> new dev.settle.clients.Households(
                                new dev.settle.clients.Clients(new dev.settle.ledger.Ledger()))
                        .join(handle, business.id(), client.id(), household.id()));
        dev.settle.support.TestDatabase.get()
                .jdbi()
                .useHandle(handle -> handle.execute(
                        "update businesses set adjustment_approval_limit_minor = 100 where id = ?", business.id()));
        final long giftCard = business.giftCard(30_00).card().id();
        final Page page = browser.page();

        page.navigate("/signin");
        assertNoViolations(page);
        Browser.fillSignIn(page, owner.email(), "wrong password");
        assertNoViolations(page);
        Browser.fillSignIn(page, owner.email(), TestStaff.PASSWORD);
        for (String path : List.of(
                "/clients",
                "/clients/new",
                "/clients/" + client.id(),
                "/clients/" + client.id() + "/payment",
                "/clients/" + client.id() + "/charge",
                "/clients/" + client.id() + "/statement?from=2020-01-01",
                "/approvals",
                "/outbox",
                "/gift-cards",
                "/gift-cards/new",
                "/gift-cards/" + giftCard,
                "/invoices/new",
                "/invoices/new?clientId=" + client.id(),
                "/settings",
                "/staff",
                "/api-keys",
                "/settings/webhooks",
                "/account/password",
                "/reports/trial-balance",
                "/reports/aging",
                "/reports/liability",
                "/reports/tenders",
                "/reports/breakage",
                "/no-such-page")) {
            page.navigate(path);
            assertNoViolations(page);
        }
        page.navigate("/clients/" + client.id() + "/charge");
        page.getByLabel("Amount (USD)").fill("5");
        page.getByLabel("Reason").fill("Late fee");
        page.getByText("Add charge").last().click();
        page.getByTestId("waiting").waitFor();
        assertNoViolations(page);
        page.navigate("/approvals");
        assertNoViolations(page);
        page.navigate("/invoices/new?clientId=" + client.id());
        page.getByLabel("What, line 1").fill("Cut");
        page.getByLabel("Price, line 1").fill("45");
        page.getByText("Continue to checkout").click();
        page.getByLabel("Cash (USD)").fill("45");
        page.getByTestId("remaining").waitFor();
        assertNoViolations(page);
        page.getByText("Complete checkout").click();
        page.getByTestId("status").waitFor();
        assertNoViolations(page);
        page.navigate("/gift-cards/new");
        page.getByLabel("Amount (USD)").fill("20");
        page.getByLabel("Reason").fill("Raffle");
        page.getByText("Issue card").click();
        page.getByTestId("gift-card").waitFor();
        assertNoViolations(page);
        page.navigate("/settings");
        page.getByLabel("Currency").fill("XYZ");
        page.getByText("Save settings").click();
        assertNoViolations(page);
        page.getByLabel("Search clients").pressSequentially("ana");
        page.locator("#search-results li").first().waitFor();
        assertNoViolations(page);
        page.navigate("/portal/" + business.id() + "/gift-cards");
        assertNoViolations(page);
        page.navigate("/portal/" + business.id());
        assertNoViolations(page);

        // With cards taken and one saved: Charge Client at the desk, and the signed-in portal.
        final var jdbi = dev.settle.support.TestDatabase.get().jdbi();
        jdbi.useHandle(handle -> handle.execute(
                "update businesses set card_processor = 'test', gift_cards_enabled = true where id = ?",
                business.id()));
        jdbi.useHandle(handle -> handle.execute("""
                insert into saved_cards (business_id, client_id, processor, account_ref, customer_ref,
                                         payment_method_ref, brand, last4)
                values (?, ?, 'test', '', 'tcus_a11y', 'tpm_a11y_' || ?, 'Test card', '4242')
                """, business.id(), client.id(), business.id()));
        page.navigate("/invoices/" + business.unpaidInvoices(client).getFirst().id());
        page.getByText("Charge Client").waitFor();
        assertNoViolations(page);
        final String token = jdbi.inTransaction(handle -> new dev.settle.portal.PortalAccess()
                .newLink(handle, business.id(), client.id())
                .orElseThrow());
        page.navigate("/portal/" + business.id() + "/link/" + token);
        page.getByTestId("saved-cards").waitFor();
        assertNoViolations(page);
        page.navigate("/portal/" + business.id() + "/statement?from=2020-01-01");
        page.getByTestId("statement").waitFor();
        assertNoViolations(page);
        page.navigate("/portal/" + business.id() + "/buy-gift-card");
        page.getByText("Pay by card").click();
        page.locator("#amount-error").waitFor();
        assertNoViolations(page);
        page.navigate("/portal/" + business.id() + "/invoices/"
                + business.unpaidInvoices(client).getFirst().id());
        assertNoViolations(page);
        page.getByText("by card").first().click();
        page.getByLabel("Card number").waitFor();
        assertNoViolations(page);
    }

    private static void assertNoViolations(Page page) throws IOException {
        page.addScriptTag(new Page.AddScriptTagOptions().setContent(axeSource()));
        @SuppressWarnings("unchecked")
        final List<Map<String, Object>> violations = (List<Map<String, Object>>) page.evaluate("""
                async () => {
                  const results = await axe.run(document, {runOnly: ["wcag2a", "wcag2aa", "best-practice"]});
                  return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                      nodes: v.nodes.map(n => n.html).slice(0, 3)}));
                }""");
        assertThat(violations).as("accessibility on %s", page.url()).isEmpty();
    }

    private static String axeSource() throws IOException {
        try (InputStream in = AccessibilityBrowserTest.class.getClassLoader().getResourceAsStream(AXE)) {
            if (in == null) {
                throw new IllegalStateException("axe-core is not on the test classpath: " + AXE);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}

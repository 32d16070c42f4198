package dev.settle.clients;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import dev.settle.business.Role;
import dev.settle.support.Browser;
import dev.settle.support.TestBusiness;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ClientMoneyBrowserTest {
    @RegisterExtension
    final Browser browser = new Browser();

    @Test
    void anOpenPaymentByCheckNeedsItsNumberAndShowsInTheHistory() {
        final TestBusiness business = TestBusiness.create();
        final var ana = business.aClient("Ana Silva");
        final Page page = browser.signIn(business.staff(Role.FRONT_DESK));
        page.navigate("/clients/" + ana.id());

        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Record open payment"))
                .click();
        page.getByLabel("Amount (USD)").fill("50");
        page.getByLabel("Paid by").selectOption("check");
        submit(page, "Record payment");
        assertThat(page.locator("#reference-error")).hasText("Enter the check number");
        assertThat(page.getByLabel("Amount (USD)")).hasValue("50");

        page.getByLabel("Check number or description").fill("123");
        submit(page, "Record payment");
        assertThat(page.getByRole(AriaRole.STATUS))
                .hasText(
                        "Record payment: done. Ana Silva now owes $0.00 and has $50.00 in open payments and $0.00 in credits.");
        assertThat(page.getByTestId("open-payments")).hasText("$50.00");
        final Locator newest = page.locator(".history tbody tr").first();
        assertThat(newest).containsText("Open payment: Check #123");
        assertThat(newest).containsText("+$50.00");
        assertThat(newest).containsText("Front desk");
    }

    @Test
    void aManagerRefundsNoMoreThanTheClientHasAndGivesCreditsThatExpire() {
        final TestBusiness business = TestBusiness.create();
        final var ana = business.aClient("Ana Silva");
        final Page page = browser.signIn(business.staff(Role.MANAGER));
        page.navigate("/clients/" + ana.id() + "/open-payment");
        page.getByLabel("Amount (USD)").fill("80");
        submit(page, "Record payment");

        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Refund"))
                .click();
        page.getByLabel("Amount (USD)").fill("80.01");
        submit(page, "Refund");
        assertThat(page.locator("#amountMinor-error")).hasText("The refund is more than the client's open payments");
        page.getByLabel("Amount (USD)").fill("30");
        submit(page, "Refund");
        assertThat(page.getByTestId("open-payments")).hasText("$50.00");

        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Issue credit"))
                .click();
        page.getByLabel("Amount (USD)").fill("10");
        page.getByLabel("Reason").selectOption("referral");
        page.getByLabel("Note").fill("Sent us Ben");
        page.getByLabel("Expires on (optional)")
                .fill(LocalDate.now(ZoneId.of("America/New_York")).plusMonths(3).toString());
        submit(page, "Issue credit");
        assertThat(page.getByTestId("credits")).hasText("$10.00");

        final Locator rows = page.locator(".history tbody tr");
        assertThat(rows).hasCount(3);
        assertThat(rows.nth(0)).containsText("Credit: Referral — Sent us Ben");
        assertThat(rows.nth(1)).containsText("Refund of open payment: Cash");
        assertThat(rows.nth(1)).containsText("−$30.00");
        assertThat(rows.nth(2)).containsText("+$80.00");
    }

    @Test
    void theHistoryFiltersByKindAndDownloadsAsCsv() throws java.io.IOException {
        final TestBusiness business = TestBusiness.create();
        final var ana = business.aClient("Ana Silva");
        final Page page = browser.signIn(business.staff(Role.MANAGER));
        page.navigate("/clients/" + ana.id() + "/open-payment");
        page.getByLabel("Amount (USD)").fill("12.50");
        page.getByLabel("Paid by").selectOption("external");
        page.getByLabel("Check number or description").fill("Transfer \"4471\", ref A,B");
        submit(page, "Record payment");
        page.navigate("/clients/" + ana.id() + "/credit");
        page.getByLabel("Amount (USD)").fill("5");
        page.getByLabel("Note").fill("=HYPERLINK(\"x\")");
        submit(page, "Issue credit");

        page.getByLabel("Kind").selectOption("credit_issued");
        submit(page, "Filter");
        assertThat(page.locator(".history tbody tr")).hasCount(1);
        assertThat(page.locator(".history tbody tr")).containsText("Credit: Goodwill");

        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Clear"))
                .click();
        final var download = page.waitForDownload(
                () -> page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Download CSV"))
                        .click());
        assertThat(page.getByTestId("export")).containsText("Ready: Download client-" + ana.id());
        final List<String> lines = java.nio.file.Files.readAllLines(download.path());

        org.assertj.core.api.Assertions.assertThat(download.suggestedFilename())
                .isEqualTo("client-" + ana.id() + "-ana-silva-history.csv");
        org.assertj.core.api.Assertions.assertThat(lines).hasSize(3);
        org.assertj.core.api.Assertions.assertThat(lines.getFirst())
                .startsWith("\uFEFFtime,kind,description,by,currency");
        org.assertj.core.api.Assertions.assertThat(lines.get(1)).contains("Credit: Goodwill — =HYPERLINK");
        org.assertj.core.api.Assertions.assertThat(lines.get(1))
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d[-+]\\d\\d:\\d\\d,.*");
        org.assertj.core.api.Assertions.assertThat(lines.get(2))
                .contains(",open_payment,\"Open payment: Transfer \"\"4471\"\", ref A,B\",")
                .contains(",USD,0.00,0.00,12.50,12.50,0.00,0.00,");
    }

    @Test
    void removeCreditAddsAChargeAsAnInvoiceAndAddCreditPaysItKeepingTheRestAsAnOpenPayment() {
        final TestBusiness business = TestBusiness.create();
        final var ana = business.aClient("Ana Silva");
        final Page page = browser.signIn(business.staff(Role.MANAGER));
        page.navigate("/clients/" + ana.id());

        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Add charge"))
                .click();
        page.getByLabel("Amount (USD)").fill("40");
        submit(page, "Add charge");
        assertThat(page.locator("#reason-error")).hasText("Reason is required");
        page.getByLabel("Reason").fill("Missed appointment fee");
        submit(page, "Add charge");
        assertThat(page.getByTestId("balance-due")).hasText("$40.00");
        assertThat(page.locator("#invoices tbody tr")).hasCount(1);
        assertThat(page.locator("#invoices tbody tr").first()).containsText("Missed appointment fee");

        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Receive payment"))
                .click();
        assertThat(page.locator("main")).containsText("Ana Silva owes $40.00");
        page.getByLabel("Amount (USD)").fill("60");
        submit(page, "Record payment");

        assertThat(page.getByRole(AriaRole.STATUS))
                .hasText("Record payment: done. $20.00 more than the balance due was kept as an open payment."
                        + " Ana Silva now owes $0.00 and has $20.00 in open payments and $0.00 in credits.");
        assertThat(page.getByTestId("balance-due")).hasText("$0.00");
        assertThat(page.getByTestId("open-payments")).hasText("$20.00");
        assertThat(page.locator("#invoices")).containsText("Nothing unpaid.");
        final Locator newest = page.locator(".history tbody tr").first();
        assertThat(newest).containsText("Payment: Cash");
        assertThat(newest).containsText("−$40.00");
        assertThat(newest).containsText("+$20.00");
    }

    @Test
    void aDismissedFundsReminderStaysAwayUntilTheFiguresChange() {
        final TestBusiness business = TestBusiness.create();
        final var ana = business.aClient("Ana Silva");
        business.charge(ana, 50_00);
        business.credit(ana, 10_00);
        final Page page = browser.signIn(business.staff(Role.FRONT_DESK));
        page.navigate("/clients/" + ana.id());

        submit(page, "Dismiss");
        assertThat(page.getByRole(AriaRole.STATUS))
                .hasText("Reminder dismissed. It comes back if the balance due or the funds change.");
        assertThat(page.getByTestId("funds-reminder")).hasCount(0);
        business.credit(ana, 5_00);
        page.reload();

        assertThat(page.getByTestId("funds-reminder")).containsText("$15.00 in credits");
    }

    @Test
    void theFundsReminderAppliesOpenPaymentsThenCreditsInOneClickEach() {
        final TestBusiness business = TestBusiness.create();
        final var ana = business.aClient("Ana Silva");
        business.charge(ana, 50_00);
        business.openPayment(ana, 20_00);
        business.credit(ana, 45_00);
        final Page page = browser.signIn(business.staff(Role.FRONT_DESK));
        page.navigate("/clients/" + ana.id());

        assertThat(page.getByTestId("funds-reminder")).containsText("Balance due $50.00");
        submit(page, "Apply $20.00 of open payments");
        assertThat(page.getByRole(AriaRole.STATUS)).containsText("Open payments applied: $20.00.");
        submit(page, "Apply $30.00 of credits");

        assertThat(page.getByTestId("balance-due")).hasText("$0.00");
        assertThat(page.getByTestId("credits")).hasText("$15.00");
        assertThat(page.getByTestId("funds-reminder")).hasCount(0);
        assertThat(page.locator("#credits tbody tr").first()).containsText("$15.00");
    }

    @Test
    void aChargeAboveTheLimitWaitsForASecondManagerWhoApprovesIt() {
        final TestBusiness business = TestBusiness.create();
        final var ana = business.aClient("Ana Silva");
        dev.settle.support.TestDatabase.get()
                .jdbi()
                .useHandle(handle -> handle.execute(
                        "update businesses set adjustment_approval_limit_minor = 10000 where id = ?", business.id()));
        final var asker = business.staff(Role.MANAGER);
        final Page page = browser.signIn(asker);
        page.navigate("/clients/" + ana.id() + "/charge");
        page.getByLabel("Amount (USD)").fill("150");
        page.getByLabel("Reason").fill("Damaged kennel");
        submit(page, "Add charge");

        assertThat(page.getByRole(AriaRole.STATUS)).containsText("Sent for approval");
        assertThat(page.getByTestId("balance-due")).hasText("$0.00");
        assertThat(page.getByTestId("waiting")).containsText("Another manager must approve");

        final var approver = business.staff(Role.MANAGER);
        final Page other =
                Browser.signIn(browser.anotherBrowser(), approver.email(), dev.settle.support.TestStaff.PASSWORD);
        other.navigate("/approvals");
        assertThat(other.getByTestId("waiting")).containsText("Damaged kennel");
        submit(other, "Approve");
        assertThat(other.getByRole(AriaRole.STATUS)).containsText("Approved and recorded. Ana Silva now owes $150.00");
        other.navigate("/clients/" + ana.id());
        assertThat(other.locator(".history tbody tr").first())
                .containsText(asker.name() + ", approved by " + approver.name());
    }

    @Test
    void aHouseholdIsLinkedFromTheClientPageAndItsFundsPayAMembersBalance() {
        final TestBusiness business = TestBusiness.create();
        final var ana = business.aClient("Ana Silva");
        final var ben = business.aClient("Ben Silva");
        business.openPayment(ben, 30_00);
        business.charge(ana, 20_00);
        final Page page = browser.signIn(business.staff(Role.FRONT_DESK));
        page.navigate("/clients/" + ana.id());
        assertThat(page.getByTestId("funds-reminder")).hasCount(0);

        page.getByLabel("Share a household with").pressSequentially("Silva");
        submit(page, "Share with Ben Silva");

        assertThat(page.getByRole(AriaRole.STATUS))
                .hasText("Household: Ana Silva, Ben Silva now share $30.00 in open payments and $0.00 in credits.");
        assertThat(page.locator("#household")).containsText("Shares open payments and credits with Ben Silva.");
        assertThat(page.getByTestId("open-payments")).hasText("$30.00");
        submit(page, "Apply $20.00 of open payments");
        assertThat(page.getByTestId("balance-due")).hasText("$0.00");
        assertThat(page.getByTestId("open-payments")).hasText("$10.00");
        page.navigate("/clients/" + ben.id());
        assertThat(page.locator(".history tbody tr").first())
                .containsText("Open payments applied to the balance due of Ana Silva (household funds)");
    }

    @Test
    void aFrontDeskCannotRefundOrGiveCredit() {
        final TestBusiness business = TestBusiness.create();
        final var ana = business.aClient("Ana Silva");
        final Page page = browser.signIn(business.staff(Role.FRONT_DESK));
        page.navigate("/clients/" + ana.id());

        assertThat(page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Issue credit")))
                .hasCount(0);
        page.navigate("/clients/" + ana.id() + "/credit");
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setLevel(1)))
                .hasText("Not allowed");
    }

    private static void submit(Page page, String button) {
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(button))
                .click();
        page.waitForLoadState();
    }
}

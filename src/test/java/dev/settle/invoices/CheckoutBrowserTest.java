package dev.settle.invoices;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import dev.settle.business.Role;
import dev.settle.support.Browser;
import dev.settle.support.TestBusiness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The DaySmart checkout at the desk, in Chromium: a ticket, its tenders, the receipt. */
class CheckoutBrowserTest {
    @RegisterExtension
    final Browser browser = new Browser();

    @Test
    void payLaterPutsTheRestOfTheTicketOnTheBalanceDue() {
        final TestBusiness business = TestBusiness.create();
        final var ana = business.aClient("Ana Silva");
        final Page page = browser.signIn(business.staff(Role.FRONT_DESK));
        page.navigate("/clients/" + ana.id());
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("New ticket"))
                .click();
        page.getByLabel("What, line 1").fill("Colour");
        page.getByLabel("Price, line 1").fill("100");
        click(page, "Continue to checkout");

        page.getByLabel("Cash (USD)").fill("40");
        assertThat(page.getByTestId("remaining")).hasText("$60.00");
        page.getByLabel("Pay later: onto the balance due (USD)").fill("60");
        assertThat(page.getByTestId("remaining")).hasText("$0.00");
        click(page, "Complete checkout");

        assertThat(page.getByRole(AriaRole.STATUS)).hasText("Checked out.");
        assertThat(page.getByTestId("status")).hasText("Open");
        assertThat(page.getByTestId("unpaid")).hasText("$60.00");
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Back to Ana Silva"))
                .click();
        assertThat(page.getByTestId("balance-due")).hasText("$60.00");
    }

    @Test
    void aLaterTicketPaysOffTheBalanceWithItsOwnLine() {
        final TestBusiness business = TestBusiness.create();
        final var ana = business.aClient("Ana Silva");
        business.charge(ana, 60_00);
        final Page page = browser.signIn(business.staff(Role.FRONT_DESK));
        page.navigate("/invoices/new?clientId=" + ana.id());
        page.getByLabel("What, line 1").fill("Trim");
        page.getByLabel("Price, line 1").fill("30");
        click(page, "Continue to checkout");

        page.getByLabel("Paid Towards Balance Due (USD)").fill("60");
        assertThat(page.getByTestId("total-due")).hasText("$90.00");
        page.getByLabel("Card (USD)").fill("90");
        page.getByLabel("Card's last 4 digits").fill("4242");
        click(page, "Complete checkout");

        assertThat(page.locator(".receipt")).containsText("Paid Towards Balance Due");
        assertThat(page.locator(".receipt")).containsText("Card ending 4242");
        assertThat(page.getByTestId("status")).hasText("Paid");
        page.navigate("/clients/" + ana.id());
        assertThat(page.getByTestId("balance-due")).hasText("$0.00");
    }

    @Test
    void creditRedeemedAndCashWithChangeSplitATicket() {
        final TestBusiness business = TestBusiness.create();
        final var ana = business.aClient("Ana Silva");
        business.credit(ana, 10_00);
        final Page page = browser.signIn(business.staff(Role.FRONT_DESK));
        page.navigate("/invoices/new?clientId=" + ana.id());
        page.getByLabel("What, line 1").fill("Cut");
        page.getByLabel("Price, line 1").fill("45");
        click(page, "Continue to checkout");

        page.getByLabel("Client Balance to Redeem: credit (USD)").fill("10");
        page.getByLabel("Cash (USD)").fill("30");
        click(page, "Complete checkout");
        assertThat(page.locator(".form-error")).isVisible();
        assertThat(page.getByRole(AriaRole.ALERT).last())
                .hasText("The payments cover $40.00 of $45.00: add a tender, or put the rest on pay later");

        page.getByLabel("Cash (USD)").fill("35");
        page.getByLabel("Cash handed over").fill("40");
        assertThat(page.getByTestId("change")).hasText("$5.00");
        click(page, "Complete checkout");

        assertThat(page.getByRole(AriaRole.STATUS)).hasText("Checked out. Change due: $5.00.");
        assertThat(page.locator(".receipt")).containsText("Client credit");
        page.navigate("/clients/" + ana.id());
        assertThat(page.getByTestId("credits")).hasText("$0.00");
    }

    @Test
    void anOpenInvoiceRemindsOfFundsAndTakesAPartPayment() {
        final TestBusiness business = TestBusiness.create();
        final var ana = business.aClient("Ana Silva");
        business.charge(ana, 80_00);
        business.openPayment(ana, 30_00);
        final Page page = browser.signIn(business.staff(Role.FRONT_DESK));
        page.navigate("/clients/" + ana.id());
        page.locator("#invoices tbody a").first().click();

        assertThat(page.getByTestId("funds-reminder")).containsText("$30.00 in open payments");
        click(page, "Apply $30.00 of open payments");
        assertThat(page.getByRole(AriaRole.STATUS))
                .hasText("Open payments applied. $50.00 is still unpaid. Ana Silva owes $50.00 in all.");
        assertThat(page.getByTestId("funds-reminder")).hasCount(0);
        page.getByLabel("Amount (USD)").fill("20");
        click(page, "Record payment");

        assertThat(page.getByRole(AriaRole.STATUS))
                .hasText("Payment recorded: $20.00. $30.00 is still unpaid. Ana Silva owes $30.00 in all.");
        assertThat(page.getByTestId("unpaid")).hasText("$30.00");
    }

    @Test
    void aManagerRefundsAPaymentAsAnOpenPaymentAndThenVoidsTheInvoice() {
        final TestBusiness business = TestBusiness.create();
        final var ana = business.aClient("Ana Silva");
        final Page page = browser.signIn(business.staff(Role.MANAGER));
        page.navigate("/invoices/new?clientId=" + ana.id());
        page.getByLabel("What, line 1").fill("Colour");
        page.getByLabel("Price, line 1").fill("80");
        click(page, "Continue to checkout");
        page.getByLabel("Cash (USD)").fill("80");
        click(page, "Complete checkout");

        page.locator("details.refund summary").click();
        page.getByLabel("to", new Page.GetByLabelOptions().setExact(true)).selectOption("open_payment");
        page.onceDialog(dialog -> dialog.accept());
        page.locator("details.refund")
                .getByRole(AriaRole.BUTTON, new com.microsoft.playwright.Locator.GetByRoleOptions().setName("Refund"))
                .click();
        assertThat(page.getByRole(AriaRole.STATUS))
                .hasText("Refunded. Invoice " + page.url().replaceAll(".*/", "") + " now has $80.00 unpaid.");
        assertThat(page.locator(".receipt")).containsText("refunded $80.00");

        page.onceDialog(dialog -> dialog.accept());
        click(page, "Void invoice");
        assertThat(page.getByTestId("status")).hasText("Void");
        page.navigate("/clients/" + ana.id());
        assertThat(page.getByTestId("balance-due")).hasText("$0.00");
        assertThat(page.getByTestId("open-payments")).hasText("$80.00");
    }

    @Test
    void aManagerMovesWhatWasPaidOnATicketToAnOlderInvoice() {
        final TestBusiness business = TestBusiness.create();
        final var ana = business.aClient("Ana Silva");
        business.charge(ana, 30_00);
        final Page page = browser.signIn(business.staff(Role.MANAGER));
        page.navigate("/invoices/new?clientId=" + ana.id());
        page.getByLabel("What, line 1").fill("Cut");
        page.getByLabel("Price, line 1").fill("50");
        click(page, "Continue to checkout");
        page.getByLabel("Cash (USD)").fill("50");
        click(page, "Complete checkout");

        page.locator("details.move summary").click();
        assertThat(page.locator("#move-amount")).hasValue("30.00");
        page.onceDialog(dialog -> dialog.accept());
        click(page, "Move");

        assertThat(page.getByRole(AriaRole.STATUS)).containsText("Moved $30.00 of what was paid here to invoice");
        assertThat(page.getByTestId("unpaid")).hasText("$30.00");
        page.navigate("/clients/" + ana.id());
        assertThat(page.getByTestId("balance-due")).hasText("$30.00");
    }

    @Test
    void theOwnersTaxRateIsAddedToEveryTicketAndABadRateIsRefusedBesideItsField() {
        final TestBusiness business = TestBusiness.create();
        final Page owner = browser.signIn(business.staff(Role.OWNER));
        owner.navigate("/settings");
        owner.getByLabel("Tax on services (%)").fill("8.8751");
        click(owner, "Save settings");
        assertThat(owner.locator("#serviceTaxPercent-error"))
                .hasText("A tax rate is 0 to 99.999 percent, with at most three decimals");
        owner.getByLabel("Tax on services (%)").fill("8.875");
        click(owner, "Save settings");
        assertThat(owner.getByLabel("Tax on services (%)")).hasValue("8.875");

        owner.navigate("/invoices/new");
        assertThat(owner.locator("main"))
                .containsText("Tax is added from Settings: 8.875% on services, 0% on products.");
        owner.getByLabel("What, line 1").fill("Cut");
        owner.getByLabel("Price, line 1").fill("40");
        click(owner, "Continue to checkout");

        assertThat(owner.locator("main")).containsText("Tax on services (8.875%)");
        assertThat(owner.getByTestId("total-due")).hasText("$43.55");
    }

    @Test
    void theReceiptIsEmailedToTheClientAndShownInTheOutbox() {
        final TestBusiness business = TestBusiness.create();
        final var ana = business.aClient(
                "Ana Silva", java.util.Optional.of("ana.browser@client.example"), java.util.Optional.empty());
        final Page page = browser.signIn(business.staff(Role.MANAGER));
        page.navigate("/invoices/new?clientId=" + ana.id());
        page.getByLabel("What, line 1").fill("Blow-dry");
        page.getByLabel("Price, line 1").fill("35");
        click(page, "Continue to checkout");
        page.getByLabel("Cash (USD)").fill("35");
        click(page, "Complete checkout");

        assertThat(page.getByLabel("Email the receipt to")).hasValue("ana.browser@client.example");
        page.getByLabel("Email the receipt to").fill("ana at home");
        click(page, "Email receipt");
        assertThat(page.locator("#to-error")).hasText("Email must be an address such as name@example.com");
        page.getByLabel("Email the receipt to").fill("ana.browser@client.example");
        click(page, "Email receipt");
        assertThat(page.getByRole(AriaRole.STATUS)).hasText("Receipt sent to ana.browser@client.example.");

        dev.settle.support.TestMail.awaitTo("ana.browser@client.example");
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Outbox"))
                .click();
        assertThat(page.getByTestId("emails")).containsText("Your receipt from " + business.name());
    }

    private static void click(Page page, String button) {
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(button))
                .click();
        page.waitForLoadState();
    }
}

package dev.settle.giftcards;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import dev.settle.business.Role;
import dev.settle.support.Browser;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import dev.settle.support.TestMail;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Gift cards at the desk, in Chromium: sold on a ticket, redeemed in part twice, loaded onto a client. */
class GiftCardsBrowserTest {
    @RegisterExtension
    final Browser browser = new Browser();

    @BeforeEach
    @AfterEach
    void forgetWrongCodes() {
        TestDatabase.get().jdbi().useHandle(handle -> handle.execute("delete from gift_card_lookup_failures"));
    }

    @Test
    void aCardSoldAtTheDeskIsRedeemedInPartTwiceThenLoadedOntoAClientAsAnOpenPayment() {
        final TestBusiness business = TestBusiness.create();
        final var ana = business.aClient("Ana Silva");
        final var ben = business.aClient("Ben Okafor");
        final Page page = browser.signIn(business.staff(Role.FRONT_DESK));

        page.navigate("/invoices/new");
        page.getByLabel("Kind of line 1").selectOption("gift_card");
        page.getByLabel("What, line 1").fill("Gift card for Mum");
        page.getByLabel("Price, line 1").fill("100");
        click(page, "Continue to checkout");
        page.getByLabel("Cash (USD)").fill("100");
        click(page, "Complete checkout");

        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setLevel(1)))
                .hasText("Gift card ready");
        final String code = page.getByTestId("gift-card-code").textContent().strip();
        assertThat(page.getByTestId("gift-card").locator("svg")).isVisible();

        redeem(page, ana.id(), "Trim", "30", code, "30");
        assertThat(page.locator(".receipt")).containsText("Gift card ending " + code.substring(15));
        redeem(page, ana.id(), "Colour", "50", code.toLowerCase().replace("-", " "), "20");
        page.getByLabel("Cash (USD)").fill("30");
        click(page, "Complete checkout");
        assertThat(page.getByTestId("status")).hasText("Paid");

        page.navigate("/gift-cards");
        page.getByLabel("Gift card code").fill(code);
        click(page, "Check");
        assertThat(page.getByTestId("holds")).hasText("$50.00");
        assertThat(page.locator(".history tbody tr")).hasCount(3);

        page.navigate("/clients/" + ben.id());
        page.onDialog(dialog -> dialog.accept());
        page.getByLabel("Gift card code").fill(code);
        click(page, "Load onto account");
        assertThat(page.getByRole(AriaRole.STATUS))
                .hasText("Gift card ending " + code.substring(15)
                        + " loaded: $50.00 is now an open payment of Ben Okafor.");
        assertThat(page.getByTestId("open-payments")).hasText("$50.00");

        page.navigate("/gift-cards?status=empty");
        assertThat(page.getByTestId("gift-cards")).containsText(code.substring(15));
        assertThat(page.getByTestId("outstanding")).hasText("$0.00");
    }

    @Test
    void aWrongCodeIsSaidBesideTheFieldAndAManagerIssuesAPromotionalCardAndEmailsIt() throws Exception {
        final TestBusiness business = TestBusiness.create();
        final Page page = browser.signIn(business.staff(Role.MANAGER));
        page.navigate("/gift-cards");
        page.getByLabel("Gift card code").fill("0000-0000-0000-0000");
        click(page, "Check");
        assertThat(page.locator("#code-error")).hasText("No gift card here has that code");

        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Issue a promotional card"))
                .click();
        page.getByLabel("Amount (USD)").fill("2");
        page.getByLabel("Reason").fill("Raffle");
        click(page, "Issue card");
        assertThat(page.locator("#amount-error")).hasText("A gift card is $5.00 to $1,000.00");
        page.getByLabel("Amount (USD)").fill("25");
        click(page, "Issue card");

        assertThat(page.getByTestId("gift-card")).containsText("$25.00");
        final String code = page.getByTestId("gift-card-code").textContent().strip();
        page.getByText("Email card ending").click();
        page.getByLabel("Send to").fill("winner@client.example");
        page.getByLabel("Message (optional)").fill("Congratulations!");
        click(page, "Email card");
        assertThat(page.getByRole(AriaRole.STATUS))
                .hasText("Gift card emailed to winner@client.example. Its code is not kept once sent.");
        final String body =
                TestMail.awaitTo("winner@client.example").getContent().toString();
        org.assertj.core.api.Assertions.assertThat(body)
                .contains("Your code: " + code)
                .contains("Congratulations!");
        org.assertj.core.api.Assertions.assertThat(keptBody(business))
                .doesNotContain(code)
                .contains("••••-••••-••••-" + code.substring(15));
        page.navigate("/gift-cards");
        assertThat(page.getByTestId("outstanding")).hasText("$25.00");
        assertThat(page.getByTestId("gift-cards")).containsText("Promotion: Raffle");
    }

    @Test
    void aHolderChecksTheirBalanceOnThePublicPageWithoutSigningIn() {
        final TestBusiness business = TestBusiness.create();
        final GiftCards.Issued card = business.giftCard(40_00);
        final Page page = browser.page();
        page.navigate("/portal/" + business.id() + "/gift-cards");
        assertThat(page.locator("main")).containsText(business.name());

        page.getByLabel("Gift card code").fill("ZZZZ-ZZZZ-ZZZZ-ZZZZ");
        click(page, "Check balance");
        assertThat(page.locator("#code-error")).hasText("No gift card here has that code");
        page.getByLabel("Gift card code").fill(card.groupedCode().toLowerCase());
        click(page, "Check balance");

        assertThat(page.getByTestId("balance"))
                .containsText("Gift card ending " + card.card().last4() + " holds $40.00.");
        assertThat(page.getByTestId("balance")).containsText("It never expires.");
        page.navigate("/portal/" + TestBusiness.create().id() + "/gift-cards");
        page.getByLabel("Gift card code").fill(card.groupedCode());
        click(page, "Check balance");
        assertThat(page.locator("#code-error")).hasText("No gift card here has that code");
    }

    @Test
    void anExpirySetInSettingsIsWarnedOfAtTheSaleOfAPresetAmountAndPrintedOnTheCard() {
        final TestBusiness business = TestBusiness.create();
        final Page page = browser.signIn(business.staff(Role.OWNER));
        page.navigate("/settings");
        page.getByLabel("Gift cards expire after (months)").fill("0");
        click(page, "Save settings");
        assertThat(page.locator("#giftCardExpiryMonths-error"))
                .hasText("Months must be a whole number from 1 to 120, or empty for never");
        page.getByLabel("Gift cards expire after (months)").fill("12");
        page.getByLabel("Largest gift card (USD)").fill("200");
        click(page, "Save settings");
        assertThat(page.getByRole(AriaRole.STATUS)).hasText("Settings saved.");

        page.navigate("/invoices/new");
        page.getByLabel("Kind of line 1").selectOption("gift_card");
        page.getByLabel("What, line 1").fill("Gift card");
        page.getByLabel("Price, line 1").fill("250");
        click(page, "Continue to checkout");
        assertThat(page.locator("#price0 ~ .error, td:has(#price0) .error")).hasText("A gift card is $5.00 to $200.00");
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("$50.00"))
                .click();
        assertThat(page.getByLabel("Kind of line 1")).hasValue("gift_card");
        assertThat(page.getByLabel("Price, line 1")).hasValue("50.00");
        click(page, "Continue to checkout");

        assertThat(page.getByTestId("gift-card-expiry"))
                .hasText("The gift cards on this ticket expire 12 months from today (Settings). Tell the buyer.");
        page.getByLabel("Card (USD)").fill("50");
        click(page, "Complete checkout");
        assertThat(page.getByTestId("gift-card")).containsText("Valid until");
    }

    /** The outbox's copy of the business's one email, once the job has sent it. */
    private static String keptBody(TestBusiness business) throws InterruptedException {
        for (int tries = 0; tries < 100; tries++) {
            final String status = TestDatabase.get()
                    .jdbi()
                    .withHandle(handle -> handle.createQuery("select status from emails where business_id = :b")
                            .bind("b", business.id())
                            .mapTo(String.class)
                            .one());
            if (!status.equals("queued")) {
                break;
            }
            Thread.sleep(100);
        }
        return TestDatabase.get()
                .jdbi()
                .withHandle(handle -> handle.createQuery("select body from emails where business_id = :b")
                        .bind("b", business.id())
                        .mapTo(String.class)
                        .one());
    }

    private static void redeem(Page page, long clientId, String what, String price, String code, String amount) {
        page.navigate("/invoices/new?clientId=" + clientId);
        page.getByLabel("What, line 1").fill(what);
        page.getByLabel("Price, line 1").fill(price);
        click(page, "Continue to checkout");
        page.getByLabel("Gift card 1 code").fill(code);
        page.getByLabel("Gift card 1 (USD)").fill(amount);
        if (amount.equals(price)) {
            click(page, "Complete checkout");
        }
    }

    private static void click(Page page, String button) {
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(button))
                .click();
        page.waitForLoadState();
    }
}

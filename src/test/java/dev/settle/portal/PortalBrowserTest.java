package dev.settle.portal;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.AriaRole;
import dev.settle.clients.Clients;
import dev.settle.support.Browser;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import dev.settle.support.TestMail;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The client portal in Chromium, at a phone's width: sign-in by emailed link, the account, applying funds. */
class PortalBrowserTest {
    private static final Pattern LINK = Pattern.compile("https?://\\S+/link/\\S+");

    @RegisterExtension
    final Browser browser = new Browser();

    @Test
    void aClientSignsInWithALinkThatWorksOnceAndSeesWhatTheyOweButNotTheirFundsUnlessShown() throws Exception {
        final TestBusiness business = TestBusiness.create();
        final Clients.Client ana =
                business.aClient("Ana Silva", Optional.of("ana.portal@client.example"), Optional.empty());
        business.charge(ana, 40_00);
        business.credit(ana, 10_00);
        final Page page = phone();

        final String link = signIn(page, business, "ana.portal@client.example");

        assertThat(page.getByTestId("balance-due")).hasText("$40.00");
        assertThat(page.getByTestId("invoices")).containsText("Open");
        assertThat(page.getByTestId("credits")).hasCount(0);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign out"))
                .click();
        final Response reused = page.navigate(link);
        org.assertj.core.api.Assertions.assertThat(reused.status()).isEqualTo(410);
        assertThat(page.getByRole(AriaRole.STATUS)).containsText("expired or was already used");

        TestDatabase.get()
                .jdbi()
                .useHandle(handle ->
                        handle.execute("update businesses set portal_shows_funds = true where id = ?", business.id()));
        signIn(page, business, "ana.portal@client.example");
        assertThat(page.getByTestId("credits")).hasText("$10.00");
        assertThat(page.locator("main")).containsText("no expiry");
        org.assertj.core.api.Assertions.assertThat(
                        page.navigate("/portal/999999999").status())
                .as("no such business")
                .isEqualTo(404);
        org.assertj.core.api.Assertions.assertThat(
                        page.navigate("/portal/999999999/gift-cards").status())
                .isEqualTo(404);
    }

    @Test
    void aClientReadsTheirStatementWithoutTheFundsTheBusinessKeepsPrivateAndDownloadsItAsAPdf() throws Exception {
        final TestBusiness business = TestBusiness.create();
        final Clients.Client ana =
                business.aClient("Ana Silva", Optional.of("ana.reads@client.example"), Optional.empty());
        business.charge(ana, 40_00);
        business.credit(ana, 10_00);
        business.payment(ana, 15_00);
        final Page page = phone();
        final String origin = originOf(signIn(page, business, "ana.reads@client.example"));

        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Statement"))
                .click();
        final com.microsoft.playwright.Download download = page.waitForDownload(
                () -> page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Download PDF"))
                        .click());

        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Your statement")))
                .isVisible();
        assertThat(page.getByTestId("closing-balance-due")).hasText("$25.00");
        assertThat(page.getByTestId("statement")).containsText("Payment toward balance due");
        assertThat(page.getByTestId("statement")).not().containsText("Credit issued");
        assertThat(page.getByTestId("statement")
                        .locator("th", new com.microsoft.playwright.Locator.LocatorOptions().setHasText("Credits")))
                .hasCount(0);
        org.assertj.core.api.Assertions.assertThat(download.suggestedFilename()).startsWith("statement-" + ana.id());
        org.assertj.core.api.Assertions.assertThat(java.nio.file.Files.readAllBytes(download.path()))
                .startsWith("%PDF-".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        page.navigate(origin + "/portal/" + business.id() + "/statement?from="
                + java.time.LocalDate.now().plusDays(5));
        assertThat(page.locator("#to-error, #from-error")).containsText("Choose");
    }

    @Test
    void aClientAppliesTheirCreditToAnOpenInvoiceAndCannotOpenAnotherClientsInvoice() throws Exception {
        final TestBusiness business = TestBusiness.create();
        TestDatabase.get()
                .jdbi()
                .useHandle(handle ->
                        handle.execute("update businesses set portal_shows_funds = true where id = ?", business.id()));
        final Clients.Client ana =
                business.aClient("Ana Silva", Optional.of("ana.apply@client.example"), Optional.empty());
        business.charge(ana, 40_00);
        business.credit(ana, 10_00);
        final Clients.Client ben = business.aClient("Ben Okafor");
        business.charge(ben, 25_00);
        final long bens = business.unpaidInvoices(ben).getFirst().id();
        final Page page = phone();
        // The link is on Settle's public address; the session cookie belongs to that host.
        final String origin = java.net
                .URI
                .create(signIn(page, business, "ana.apply@client.example"))
                .resolve("/")
                .toString()
                .replaceAll("/$", "");

        page.getByTestId("invoices").getByRole(AriaRole.LINK).first().click();
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Apply $10.00 of credits"))
                .click();

        assertThat(page.getByRole(AriaRole.STATUS)).hasText("Applied.");
        assertThat(page.getByTestId("unpaid")).hasText("$30.00");
        final Response other = page.navigate(origin + "/portal/" + business.id() + "/invoices/" + bens);
        org.assertj.core.api.Assertions.assertThat(other.status()).isEqualTo(404);
        final Response elsewhere =
                page.navigate(origin + "/portal/" + TestBusiness.create().id());
        org.assertj.core.api.Assertions.assertThat(elsewhere.status())
                .as("a session is for one business")
                .isEqualTo(200);
        assertThat(page.getByLabel("Email")).isVisible();
    }

    @Test
    void staffSendAClientTheirPortalLinkFromTheClientPage() throws Exception {
        final TestBusiness business = TestBusiness.create();
        final Clients.Client ana =
                business.aClient("Ana Silva", Optional.of("ana.sent@client.example"), Optional.empty());
        final Page page = browser.signIn(business.staff(dev.settle.business.Role.FRONT_DESK));
        page.navigate("/clients/" + ana.id());
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Send portal link"))
                .click();

        assertThat(page.getByRole(AriaRole.STATUS)).hasText("Portal sign-in link sent to ana.sent@client.example.");
        org.assertj.core.api.Assertions.assertThat(TestMail.awaitNewTo("ana.sent@client.example")
                        .getContent()
                        .toString())
                .contains("/portal/" + business.id() + "/link/");
    }

    @Test
    void aClientPaysAnInvoiceByCardThroughTheTestProcessorAndItIsRecordedOnce() throws Exception {
        final TestBusiness business = TestBusiness.create();
        TestDatabase.get()
                .jdbi()
                .useHandle(handle ->
                        handle.execute("update businesses set card_processor = 'test' where id = ?", business.id()));
        final Clients.Client ana =
                business.aClient("Ana Silva", Optional.of("ana.card@client.example"), Optional.empty());
        business.charge(ana, 40_00);
        final Page page = phone();
        signIn(page, business, "ana.card@client.example");
        page.getByTestId("invoices").getByRole(AriaRole.LINK).first().click();

        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Pay $40.00 by card"))
                .click();
        page.getByLabel("Card number").fill("1234 5678");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Pay $40.00"))
                .click();
        assertThat(page.locator("#cardNumber-error")).containsText("Use one of the test cards");
        page.getByLabel("Card number").fill("4000 0000 0000 0002");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Pay $40.00"))
                .click();
        assertThat(page.getByRole(AriaRole.STATUS)).containsText("Your card was declined");
        assertThat(page.getByTestId("unpaid")).hasText("$40.00");

        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Pay $40.00 by card"))
                .click();
        page.getByLabel("Card number").fill("4242 4242 4242 4242");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Pay $40.00"))
                .click();
        assertThat(page.getByRole(AriaRole.STATUS)).hasText("Paid by card. Thank you.");
        assertThat(page.getByTestId("status")).hasText("Paid");
        assertThat(page.locator(".receipt")).containsText("Card ending 4242");
        final String intent = TestDatabase.get()
                .jdbi()
                .withHandle(handle -> handle.createQuery(
                                "select intent_id from card_payments where business_id = :b and status = 'succeeded'")
                        .bind("b", business.id())
                        .mapTo(String.class)
                        .one());
        final String origin =
                java.net.URI.create(page.url()).resolve("/").toString().replaceAll("/$", "");
        page.navigate(origin + "/portal/" + business.id() + "/card-return?intent=" + intent);

        assertThat(page.getByRole(AriaRole.STATUS)).hasText("Paid by card. Thank you.");
        org.assertj.core.api.Assertions.assertThat(
                        business.balance(business.account(dev.settle.ledger.AccountKind.CARD)))
                .as("recorded once, though the webhook and two returns asked")
                .isEqualTo(40_00);
        org.assertj.core.api.Assertions.assertThat(TestDatabase.violations()).isEmpty();
    }

    @Test
    void aClientBuysAGiftCardOnlyWhenGiftCardsAreOnAndCardsAreTakenAndItsRecipientGetsItByEmail() throws Exception {
        final TestBusiness business = TestBusiness.create();
        set(business, "card_processor = 'test', gift_cards_enabled = false");
        business.aClient("Ana Silva", Optional.of("ana.gift@client.example"), Optional.empty());
        final Page page = phone();
        final String origin = originOf(signIn(page, business, "ana.gift@client.example"));
        final Page.GetByRoleOptions buy = new Page.GetByRoleOptions().setName("Buy a gift card");

        assertThat(page.getByRole(AriaRole.LINK, buy)).hasCount(0);
        org.assertj.core.api.Assertions.assertThat(page.navigate(origin + "/portal/" + business.id() + "/buy-gift-card")
                        .status())
                .isEqualTo(404);
        set(business, "card_processor = 'none', gift_cards_enabled = true");
        page.navigate(origin + "/portal/" + business.id());
        assertThat(page.getByRole(AriaRole.LINK, buy)).hasCount(0);

        set(business, "card_processor = 'test'");
        page.navigate(origin + "/portal/" + business.id());
        page.getByRole(AriaRole.LINK, buy).click();
        page.getByLabel("Amount").fill("1");
        page.getByLabel("Their name").fill("Bea");
        page.getByLabel("Their email").fill("bea.gift@recipient.example");
        page.getByLabel("Message (optional)").fill("Happy birthday!");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Pay by card"))
                .click();
        assertThat(page.locator("#amount-error")).containsText("A gift card is");
        assertThat(page.getByLabel("Their name")).hasValue("Bea");
        page.getByLabel("Amount").fill("50");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Pay by card"))
                .click();
        page.getByLabel("Card number").fill("4242 4242 4242 4242");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Pay $50.00"))
                .click();

        assertThat(page.getByRole(AriaRole.STATUS)).containsText("Gift card bought");
        assertThat(page.getByTestId("invoices")).containsText("Gift card for Bea");
        final String email =
                TestMail.awaitTo("bea.gift@recipient.example").getContent().toString();
        org.assertj.core.api.Assertions.assertThat(email)
                .contains("Happy birthday!", "Ana Silva", "$50.00")
                .containsPattern("[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}");
        org.assertj.core.api.Assertions.assertThat(TestDatabase.violations()).isEmpty();
    }

    @Test
    void aClientPaysTheBalanceDueConfirmingWithTheirBankAndSavesTheCardThatTheDeskChargesLater() throws Exception {
        final TestBusiness business = TestBusiness.create();
        set(business, "card_processor = 'test'");
        final Clients.Client ana =
                business.aClient("Ana Silva", Optional.of("ana.saves@client.example"), Optional.empty());
        business.charge(ana, 20_00);
        business.charge(ana, 15_00);
        final Page phone = phone();
        signIn(phone, business, "ana.saves@client.example");

        phone.getByLabel("Save this card").check();
        phone.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Pay the balance due, $35.00, by card"))
                .click();
        phone.getByLabel("Card number").fill("4000 0025 0000 3155");
        phone.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Pay $35.00"))
                .click();
        phone.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Confirm $35.00"))
                .click();

        assertThat(phone.getByRole(AriaRole.STATUS)).hasText("Paid by card. Thank you.");
        assertThat(phone.getByTestId("balance-due")).hasText("$0.00");
        assertThat(phone.getByTestId("saved-cards")).containsText("ending 3155");

        business.charge(ana, 22_00);
        final long invoice = business.unpaidInvoices(ana).getFirst().id();
        final Page desk = browser.signIn(business.staff(dev.settle.business.Role.FRONT_DESK));
        desk.onDialog(dialog -> dialog.accept());
        desk.navigate("/invoices/" + invoice);
        assertThat(desk.getByLabel("Amount").first()).hasValue("22.00");
        desk.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Charge card"))
                .click();

        assertThat(desk.getByRole(AriaRole.STATUS)).hasText("Charged $22.00 to the card ending 3155.");
        assertThat(desk.locator("main")).containsText("Card ending 3155");
        org.assertj.core.api.Assertions.assertThat(
                        business.balance(business.account(dev.settle.ledger.AccountKind.CARD)))
                .isEqualTo(57_00);

        // Paid ahead: the open payment screen charges the saved card instead of recording cash.
        desk.navigate("/clients/" + ana.id() + "/open-payment");
        desk.locator(".charge-card").getByLabel("Amount").fill("10.00");
        desk.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Charge card"))
                .click();
        assertThat(desk.getByRole(AriaRole.STATUS)).hasText("Charged $10.00 to the card ending 3155.");
        org.assertj.core.api.Assertions.assertThat(
                        business.balance(ana.openPayments().id()))
                .isEqualTo(10_00);

        // A manager refunds part of it: back to the card through the processor, then recorded.
        final Page manager = browser.signIn(business.staff(dev.settle.business.Role.MANAGER));
        manager.navigate("/invoices/" + invoice);
        manager.locator("details.refund summary").first().click();
        manager.locator("details.refund input[name=amountMinor]").first().fill("5.00");
        manager.locator("details.refund button").first().click();

        assertThat(manager.getByRole(AriaRole.STATUS))
                .hasText("Refunded to the card through the processor. Invoice " + invoice + " now has $5.00 unpaid.");
        final long refundedAtProcessor = TestDatabase.get()
                .jdbi()
                .withHandle(handle -> handle.createQuery(
                                "select sum(refunded_minor) from test_processor_intents where business_id = ?")
                        .bind(0, business.id())
                        .mapTo(Long.class)
                        .one());
        org.assertj.core.api.Assertions.assertThat(refundedAtProcessor).isEqualTo(5_00);
        org.assertj.core.api.Assertions.assertThat(TestDatabase.violations()).isEmpty();
    }

    private static void set(TestBusiness business, String assignments) {
        TestDatabase.get()
                .jdbi()
                .useHandle(handle ->
                        handle.execute("update businesses set " + assignments + " where id = ?", business.id()));
    }

    /** The link is on Settle's public address; the session cookie belongs to that host. */
    private static String originOf(String link) {
        return java.net.URI.create(link).resolve("/").toString().replaceAll("/$", "");
    }

    /** A page at a phone's width (375 px): the portal is built for it first. */
    private Page phone() {
        final Page page = browser.page();
        page.setViewportSize(375, 740);
        return page;
    }

    /** Asks for a link, opens it from the email GreenMail caught, and returns it. */
    private static String signIn(Page page, TestBusiness business, String email) throws Exception {
        page.navigate("/portal/" + business.id());
        page.getByLabel("Email").fill(email);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Email me a sign-in link"))
                .click();
        assertThat(page.getByRole(AriaRole.STATUS)).containsText("a sign-in link is on its way");
        final String body = TestMail.awaitNewTo(email).getContent().toString();
        final Matcher link = LINK.matcher(body);
        org.assertj.core.api.Assertions.assertThat(link.find()).as(body).isTrue();
        page.navigate(link.group());
        assertThat(page.getByTestId("balance-due")).isVisible();
        return link.group();
    }
}

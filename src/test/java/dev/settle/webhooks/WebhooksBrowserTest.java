package dev.settle.webhooks;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import dev.settle.business.Role;
import dev.settle.clients.Clients;
import dev.settle.support.Browser;
import dev.settle.support.TestApp;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class WebhooksBrowserTest {
    private static final WireMockServer receiver =
            new WireMockServer(WireMockConfiguration.options().dynamicPort());

    static {
        receiver.start();
    }

    @RegisterExtension
    final Browser browser = new Browser();

    @AfterAll
    static void stopReceiver() {
        receiver.stop();
    }

    @Test
    void anOwnerAddsAnEndpointSeesItsSecretOnceReadsTheDeliveryLogAndDisablesIt() {
        receiver.stubFor(post(urlEqualTo("/settle")).willReturn(aResponse().withStatus(200)));
        final TestBusiness salon = TestBusiness.create();
        final Clients.Client ana = salon.aClient("Ana Silva");
        final Page page = browser.signIn(salon.staff(Role.OWNER));
        page.navigate("/settings");
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Webhooks"))
                .click();

        page.getByLabel("URL").fill("ftp://example.com");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add endpoint"))
                .click();
        assertThat(page.locator("#url-error")).containsText("Enter a URL such as https://example.com/settle-events");
        page.getByLabel("URL").fill(receiver.url("/settle"));
        page.getByLabel("Description").fill("Bookkeeping sync");
        page.getByLabel("invoice.paid").uncheck();
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add endpoint"))
                .click();
        final String secret = page.getByTestId("webhook-secret").textContent();
        salon.credit(ana, 5_00);
        new WebhookDelivery(new Webhooks(TestApp.SECRETS, true))
                .deliverDue(TestDatabase.get().jdbi());
        page.navigate("/settings/webhooks");

        assertThat(secret).startsWith("whsec_");
        assertThat(page.content()).doesNotContain(secret);
        final Locator endpoint = page.getByTestId("webhook-endpoints").locator("tbody tr");
        assertThat(endpoint).containsText("Bookkeeping sync");
        assertThat(endpoint).not().containsText("invoice.paid");
        assertThat(page.getByTestId("delivery-status")).containsText("Delivered");
        assertThat(page.getByTestId("webhook-deliveries")).containsText("client.balance_changed");
        page.locator("details summary").click();
        assertThat(page.locator("ol.attempts")).containsText("HTTP 200");
        assertThat(receiver.findAll(postRequestedFor(urlEqualTo("/settle")))).hasSize(1);

        page.onceDialog(dialog -> dialog.accept());
        endpoint.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Disable"))
                .click();
        assertThat(page.getByRole(AriaRole.STATUS)).containsText("Nothing more is sent to " + receiver.url("/settle"));
        assertThat(endpoint).containsText("Disabled");
    }
}

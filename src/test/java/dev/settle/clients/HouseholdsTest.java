package dev.settle.clients;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.settle.business.ApiKeys;
import dev.settle.business.Businesses;
import dev.settle.invoices.Invoices;
import dev.settle.ledger.Actor;
import dev.settle.ledger.Ledger;
import dev.settle.ledger.Verifier;
import dev.settle.support.TestApp;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import java.time.LocalDate;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** A household pools its members' open payments and credits; each balance due stays its own. */
class HouseholdsTest {
    private final Jdbi jdbi = TestDatabase.get().jdbi();
    private final Ledger ledger = new Ledger();
    private final Clients clients = new Clients(ledger);
    private final ClientMoney money =
            new ClientMoney(ledger, clients, new Businesses(ledger, new ApiKeys()), new Invoices());
    private final TestBusiness salon = TestBusiness.create();
    private final Clients.Client ana = salon.aClient("Ana Silva");
    private final Clients.Client ben = salon.aClient("Ben Silva");

    @Test
    void fundsAppliedForOneMemberComeFromTheirOwnFirstThenTheHouseholds() {
        join(ana, ben);
        salon.openPayment(ana, 10_00);
        salon.openPayment(ben, 50_00);
        salon.charge(ana, 35_00);
        salon.charge(ben, 5_00);

        final ClientMoney.Outcome applied = apply(ana, ClientMoney.Funds.OPEN_PAYMENTS);

        assertThat(applied.client().receivable().balanceMinor()).isZero();
        assertThat(salon.balance(ana.openPayments().id())).isZero();
        assertThat(salon.balance(ben.openPayments().id())).isEqualTo(25_00);
        assertThat(salon.balance(ben.receivable().id())).isEqualTo(5_00);
        final ClientHistory.Row bensRow = jdbi.withHandle(handle -> new ClientHistory()
                        .page(handle, clients.require(handle, salon.id(), ben.id()), Optional.empty(), 1))
                .rows()
                .getFirst();
        assertThat(bensRow.memo()).contains("Open payments applied to the balance due of Ana Silva (household funds)");
        assertThat(bensRow.openPaymentsChangeMinor()).isEqualTo(-25_00);
        assertThat(jdbi.withHandle(new Verifier()::verify).violations()).isEmpty();
    }

    @Test
    void householdCreditsAreSpentSoonestExpiringFirstWhoeverHoldsThem() {
        join(ana, ben);
        issue(ana, 10_00, Optional.empty());
        issue(ben, 10_00, Optional.of(LocalDate.now().plusDays(10)));
        salon.charge(ana, 15_00);

        apply(ana, ClientMoney.Funds.CREDITS);

        assertThat(salon.balance(ben.credits().id())).isZero();
        assertThat(salon.balance(ana.credits().id())).isEqualTo(5_00);
        assertThat(jdbi.withHandle(new Verifier()::verify).violations()).isEmpty();
    }

    @Test
    void aRefundMayTakeTheHouseholdsOpenPaymentsButNoMore() {
        join(ana, ben);
        salon.openPayment(ana, 10_00);
        salon.openPayment(ben, 20_00);

        final TestApp.Reply tooMuch = TestApp.post(
                salon.apiKey(),
                "/api/v1/clients/" + ana.id() + "/open-payments/refunds",
                "{\"amountMinor\": 3001, \"currency\": \"USD\", \"tender\": \"cash\"}");
        final TestApp.Reply refund = TestApp.post(
                salon.apiKey(),
                "/api/v1/clients/" + ana.id() + "/open-payments/refunds",
                "{\"amountMinor\": 2500, \"currency\": \"USD\", \"tender\": \"cash\"}");

        assertThat(tooMuch.status()).isEqualTo(422);
        assertThat(refund.status()).isEqualTo(201);
        assertThat(salon.balance(ana.openPayments().id())).isZero();
        assertThat(salon.balance(ben.openPayments().id())).isEqualTo(5_00);
    }

    @Test
    void theApiLinksAndUnlinksAHouseholdAndRefusesStrangers() {
        final Clients.Client cy = salon.aClient("Cy Silva");
        final Clients.Client theirs = TestBusiness.create().aClient("Not Yours");
        final String path = "/api/v1/clients/" + ana.id() + "/household";

        assertThat(TestApp.post(salon.apiKey(), path, "{\"withClientId\": " + ben.id() + "}")
                        .status())
                .isEqualTo(200);
        final JsonNode three = TestApp.post(
                        salon.apiKey(),
                        "/api/v1/clients/" + cy.id() + "/household",
                        "{\"withClientId\": " + ana.id() + "}")
                .json();
        final TestApp.Reply stranger = TestApp.post(salon.apiKey(), path, "{\"withClientId\": " + theirs.id() + "}");
        final TestApp.Reply self = TestApp.post(salon.apiKey(), path, "{\"withClientId\": " + ana.id() + "}");

        assertThat(three.get("memberIds")).extracting(JsonNode::asLong).containsExactly(cy.id(), ana.id(), ben.id());
        assertThat(stranger.status()).isEqualTo(400);
        assertThat(stranger.json().get("field").asText()).isEqualTo("withClientId");
        assertThat(self.status()).isEqualTo(400);

        TestApp.post(salon.apiKey(), path + "/leave", "");
        TestApp.post(salon.apiKey(), "/api/v1/clients/" + cy.id() + "/household/leave", "");
        assertThat(TestApp.get(salon.apiKey(), "/api/v1/clients/" + ben.id() + "/household")
                        .json()
                        .get("memberIds"))
                .extracting(JsonNode::asLong)
                .as("a household left with one member is no household")
                .containsExactly(ben.id());
    }

    private void join(Clients.Client client, Clients.Client with) {
        jdbi.useTransaction(handle -> new Households(clients).join(handle, salon.id(), client.id(), with.id()));
    }

    private ClientMoney.Outcome apply(Clients.Client client, ClientMoney.Funds funds) {
        return jdbi.inTransaction(
                handle -> money.applyFunds(handle, salon.id(), client.id(), funds, Optional.empty(), Actor.system()));
    }

    private void issue(Clients.Client client, long amountMinor, Optional<LocalDate> expiresOn) {
        jdbi.useTransaction(handle -> money.issueCredit(
                handle,
                salon.id(),
                client.id(),
                new ClientMoney.Credit(amountMinor, ClientMoney.CreditReason.REFERRAL, Optional.empty(), expiresOn),
                Actor.system()));
    }
}

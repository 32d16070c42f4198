package dev.settle.web;

import static dev.settle.web.ApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.clients.Clients;
import dev.settle.ledger.AccountKind;
import dev.settle.ledger.PostedEntry;
import dev.settle.ledger.PostingRequest;
import dev.settle.support.TestApp;
import dev.settle.support.TestBusiness;
import org.junit.jupiter.api.Test;

/** Invariant 7: business B's key can neither read nor move business A's data; it gets 404s. */
class TenantIsolationTest {
    private final TestBusiness salonA = TestBusiness.create();
    private final TestBusiness spaB = TestBusiness.create();
    private final Clients.Client anaOfA = salonA.aClient("Ana");
    private final PostedEntry entryOfA = salonA.post(
            "open_payment",
            PostingRequest.debit(salonA.account(AccountKind.CASH), 50_00),
            PostingRequest.credit(anaOfA.openPayments().id(), 50_00));

    @Test
    void anotherBusinessesKeyCannotReadItsAccountsClientsOrEntries() {
        for (String path : new String[] {
            "/api/v1/accounts/" + anaOfA.openPayments().id(),
            "/api/v1/accounts/" + anaOfA.openPayments().id() + "/postings",
            "/api/v1/clients/" + anaOfA.id(),
            "/api/v1/entries/" + entryOfA.id()
        }) {
            assertProblem(TestApp.get(spaB.apiKey(), path), 404, "not-found", null);
            assertThat(TestApp.get(salonA.apiKey(), path).status()).as(path).isEqualTo(200);
        }
        assertThat(TestApp.get(spaB.apiKey(), "/api/v1/accounts?clientId=" + anaOfA.id())
                        .json()
                        .get("accounts"))
                .isEmpty();
        assertThat(TestApp.get(spaB.apiKey(), "/api/v1/business")
                        .json()
                        .get("id")
                        .asLong())
                .isEqualTo(spaB.id());
    }

    @Test
    void anotherBusinessesKeyCannotMoveItsMoney() {
        final String drain = """
        {"kind": "refund", "postings": [
          {"accountId": %d, "side": "debit", "amountMinor": 5000},
          {"accountId": %d, "side": "credit", "amountMinor": 5000}]}
        """.formatted(anaOfA.openPayments().id(), spaB.account(AccountKind.CASH));

        assertProblem(TestApp.post(spaB.apiKey(), "/api/v1/entries", drain), 404, "not-found", "postings");
        final String aboutAnotherBusinessesClient =
                """
        {"kind": "checkout", "clientId": %d, "postings": [
          {"accountId": %d, "side": "debit", "amountMinor": 100},
          {"accountId": %d, "side": "credit", "amountMinor": 100}]}
        """.formatted(anaOfA.id(), spaB.account(AccountKind.CASH), spaB.account(AccountKind.SALES));
        assertProblem(
                TestApp.post(spaB.apiKey(), "/api/v1/entries", aboutAnotherBusinessesClient),
                404,
                "not-found",
                "clientId");
        assertProblem(
                TestApp.post(spaB.apiKey(), "/api/v1/entries/" + entryOfA.id() + "/reversal", "{}"),
                404,
                "not-found",
                "entryId");
        assertThat(salonA.balance(anaOfA.openPayments().id())).isEqualTo(50_00);
        assertThat(spaB.balance(spaB.account(AccountKind.CASH))).isZero();
    }
}

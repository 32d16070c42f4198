package dev.settle.clients;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.settle.ledger.AccountKind;
import dev.settle.support.TestApp;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import java.net.http.HttpRequest;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ClientMoneyApiTest {
    private final TestBusiness salon = TestBusiness.create();
    private final Clients.Client ana = salon.aClient("Ana");

    @Test
    void anOpenPaymentByCheckIsKeptOnAccountWithItsNumber() {
        final TestApp.Reply reply = post(
                "open-payments",
                "{\"amountMinor\": 5000, \"currency\": \"USD\", \"tender\": \"check\", \"reference\": \"123\"}");

        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.json().at("/client/openPaymentsMinor").asLong()).isEqualTo(50_00);
        assertThat(salon.balance(salon.account(AccountKind.CHECK))).isEqualTo(50_00);
        final String reference = TestDatabase.get()
                .jdbi()
                .withHandle(handle -> handle.createQuery(
                                "select tender || ' ' || reference from client_operations where business_id = :b and entry_id = :e")
                        .bind("b", salon.id())
                        .bind("e", reply.json().get("entryId").asLong())
                        .mapTo(String.class)
                        .one());
        assertThat(reference).isEqualTo("check 123");
    }

    @Test
    void aRefundGivesOpenPaymentsBackButNeverMoreThanTheClientHas() {
        post("open-payments", "{\"amountMinor\": 5000, \"currency\": \"USD\", \"tender\": \"cash\"}");

        final TestApp.Reply tooMuch =
                post("open-payments/refunds", "{\"amountMinor\": 5001, \"currency\": \"USD\", \"tender\": \"cash\"}");
        final TestApp.Reply refund =
                post("open-payments/refunds", "{\"amountMinor\": 2000, \"currency\": \"USD\", \"tender\": \"cash\"}");

        assertThat(tooMuch.status()).isEqualTo(422);
        assertThat(tooMuch.json().get("field").asText()).isEqualTo("amountMinor");
        assertThat(tooMuch.json().get("detail").asText())
                .isEqualTo("The refund is more than the client's open payments");
        assertThat(refund.json().at("/client/openPaymentsMinor").asLong()).isEqualTo(30_00);
        assertThat(salon.balance(salon.account(AccountKind.CASH))).isEqualTo(30_00);
    }

    @Test
    void twoRefundsAtOnceCannotBothTakeTheSameMoney() {
        post("open-payments", "{\"amountMinor\": 10000, \"currency\": \"USD\", \"tender\": \"card\"}");
        final String refund = "{\"amountMinor\": 6000, \"currency\": \"USD\", \"tender\": \"card\"}";

        final List<Integer> statuses = List.of(
                        CompletableFuture.supplyAsync(
                                () -> post("open-payments/refunds", refund).status()),
                        CompletableFuture.supplyAsync(
                                () -> post("open-payments/refunds", refund).status()),
                        CompletableFuture.supplyAsync(
                                () -> post("open-payments/refunds", refund).status()))
                .stream()
                .map(CompletableFuture::join)
                .sorted()
                .toList();

        assertThat(statuses).containsExactly(201, 422, 422);
        assertThat(salon.balance(ana.openPayments().id())).isEqualTo(40_00);
    }

    @Test
    void aCreditIsGivenWithAReasonAndAnExpiryAndKeptAsAGrant() {
        final String expiresOn = LocalDate.now().plusDays(30).toString();

        final TestApp.Reply reply = post(
                "credits",
                "{\"amountMinor\": 1000, \"currency\": \"USD\","
                        + " \"reason\": \"referral\", \"note\": \"Sent us Ben\", \"expiresOn\": \"" + expiresOn
                        + "\"}");

        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.json().at("/client/creditsMinor").asLong()).isEqualTo(10_00);
        assertThat(salon.balance(salon.account(AccountKind.PROMOTIONS))).isEqualTo(10_00);
        final String grant = TestDatabase.get()
                .jdbi()
                .withHandle(handle -> handle.createQuery(
                                "select remaining_minor || ' ' || expires_on from credit_grants where business_id = :b")
                        .bind("b", salon.id())
                        .mapTo(String.class)
                        .one());
        assertThat(grant).isEqualTo("1000 " + expiresOn);
    }

    @Test
    void badMoneyRequestsAreRefusedByFieldAndChangeNothing() {
        assertThat(problem("open-payments", "{\"amountMinor\": 0, \"currency\": \"USD\", \"tender\": \"cash\"}"))
                .isEqualTo("amountMinor: The amount must be more than zero");
        assertThat(problem("open-payments", "{\"amountMinor\": -5, \"currency\": \"USD\", \"tender\": \"cash\"}"))
                .isEqualTo("amountMinor: The amount must be more than zero");
        assertThat(problem("open-payments", "{\"amountMinor\": 25.5, \"currency\": \"USD\", \"tender\": \"cash\"}"))
                .startsWith("amountMinor: ");
        assertThat(problem(
                        "open-payments",
                        "{\"amountMinor\": 99999999999999999999, \"currency\": \"USD\", \"tender\": \"cash\"}"))
                .startsWith("amountMinor: ");
        assertThat(problem(
                        "open-payments",
                        "{\"amountMinor\": 1000000000001, \"currency\": \"USD\", \"tender\": \"cash\"}"))
                .isEqualTo("amountMinor: The amount is too large");
        assertThat(problem("open-payments", "{\"amountMinor\": 100, \"currency\": \"EUR\", \"tender\": \"cash\"}"))
                .isEqualTo("currency: This business keeps money in USD; send currency USD");
        assertThat(problem("open-payments", "{\"amountMinor\": 100, \"currency\": \"USD\", \"tender\": \"check\"}"))
                .isEqualTo("reference: Enter the check number");
        assertThat(problem("open-payments", "{\"amountMinor\": 100, \"currency\": \"USD\", \"tender\": \"gold\"}"))
                .isEqualTo("tender: tender must be cash, check, card or external");
        assertThat(problem("credits", "{\"amountMinor\": 100, \"currency\": \"USD\", \"reason\": \"other\"}"))
                .isEqualTo("note: Say why the credit is given");
        assertThat(problem(
                        "credits",
                        "{\"amountMinor\": 100, \"currency\": \"USD\", \"reason\": \"goodwill\"," + " \"expiresOn\": \""
                                + LocalDate.now().minusDays(1) + "\"}"))
                .isEqualTo("expiresOn: A credit must expire after today, or not at all");
        assertThat(problem(
                        "credits",
                        "{\"amountMinor\": 100, \"currency\": \"USD\", \"reason\": \"goodwill\","
                                + " \"expiresOn\": \"+9999999-01-01\"}"))
                .isEqualTo("expiresOn: Choose a date between 1900 and 9999");
        assertThat(salon.balance(ana.openPayments().id())).isZero();
        assertThat(salon.balance(ana.credits().id())).isZero();
    }

    @Test
    void anArchivedOrAnotherBusinesssClientTakesNoMoney() {
        final Clients.Client theirs = TestBusiness.create().aClient("Theirs");
        TestApp.send(TestApp.request(salon.apiKey(), "/api/v1/clients/" + ana.id())
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"archived\": true}"))
                .build());
        final String body = "{\"amountMinor\": 100, \"currency\": \"USD\", \"tender\": \"cash\"}";

        final TestApp.Reply archived = post("open-payments", body);
        final TestApp.Reply other =
                TestApp.post(salon.apiKey(), "/api/v1/clients/" + theirs.id() + "/open-payments", body);

        assertThat(archived.status()).isEqualTo(409);
        assertThat(archived.json().get("type").asText()).endsWith("/client-archived");
        assertThat(other.status()).isEqualTo(404);
        assertThat(salon.balance(salon.account(AccountKind.CASH))).isZero();
    }

    @Test
    void aRetryWithTheSameKeyRecordsThePaymentOnce() {
        final String body = "{\"amountMinor\": 2500, \"currency\": \"USD\", \"tender\": \"cash\"}";
        final String path = "/api/v1/clients/" + ana.id() + "/open-payments";

        final JsonNode first = TestApp.post(salon.apiKey(), path, body, "op-1").json();
        final TestApp.Reply again = TestApp.post(salon.apiKey(), path, body, "op-1");

        assertThat(again.json()).isEqualTo(first);
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(salon.balance(ana.openPayments().id())).isEqualTo(25_00);
    }

    @Test
    void aPaymentPaysTheOldestInvoicesFirstAndKeepsTheRestAsAnOpenPayment() {
        final long older = post(
                        "charges", "{\"amountMinor\": 3000, \"currency\": \"USD\", \"reason\": \"No-show fee\"}")
                .json()
                .at("/paid")
                .size();
        assertThat(older).isZero();
        post("charges", "{\"amountMinor\": 4000, \"currency\": \"USD\", \"reason\": \"Late cancel\"}");
        final List<Long> invoices = unpaidInvoices();

        final TestApp.Reply partial =
                post("payments", "{\"amountMinor\": 4500, \"currency\": \"USD\", \"tender\": \"cash\"}");
        final TestApp.Reply over = post(
                "payments",
                "{\"amountMinor\": 5000, \"currency\": \"USD\", \"tender\": \"check\", \"reference\": \"881\"}");

        assertThat(partial.status()).isEqualTo(201);
        assertThat(partial.json().at("/paid/0/invoiceId").asLong()).isEqualTo(invoices.get(0));
        assertThat(partial.json().at("/paid/0/amountMinor").asLong()).isEqualTo(30_00);
        assertThat(partial.json().at("/paid/1/invoiceId").asLong()).isEqualTo(invoices.get(1));
        assertThat(partial.json().at("/paid/1/amountMinor").asLong()).isEqualTo(15_00);
        assertThat(partial.json().at("/client/balanceDueMinor").asLong()).isEqualTo(25_00);
        assertThat(over.json().get("keptAsOpenPaymentMinor").asLong()).isEqualTo(25_00);
        assertThat(over.json().at("/client/balanceDueMinor").asLong()).isZero();
        assertThat(over.json().at("/client/openPaymentsMinor").asLong()).isEqualTo(25_00);
        assertThat(over.json().at("/client/creditsMinor").asLong()).isZero();
        assertThat(unpaidInvoices()).isEmpty();
    }

    @Test
    void fundsAreAppliedToTheBalanceDueAllThatCanBeOrAnAmount() {
        post("charges", "{\"amountMinor\": 5000, \"currency\": \"USD\", \"reason\": \"Package\"}");
        post("open-payments", "{\"amountMinor\": 2000, \"currency\": \"USD\", \"tender\": \"cash\"}");
        post("credits", "{\"amountMinor\": 4000, \"currency\": \"USD\", \"reason\": \"referral\"}");

        final TestApp.Reply openPayments = post("apply-funds", "{\"from\": \"open_payments\"}");
        final TestApp.Reply someCredits =
                post("apply-funds", "{\"from\": \"credits\", \"amountMinor\": 1000, \"currency\": \"USD\"}");
        final TestApp.Reply tooMuch =
                post("apply-funds", "{\"from\": \"credits\", \"amountMinor\": 2500, \"currency\": \"USD\"}");
        final TestApp.Reply rest = post("apply-funds", "{\"from\": \"credits\"}");
        final TestApp.Reply nothingOwed = post("apply-funds", "{\"from\": \"credits\"}");

        assertThat(openPayments.json().at("/client/balanceDueMinor").asLong()).isEqualTo(30_00);
        assertThat(someCredits.json().at("/client/creditsMinor").asLong()).isEqualTo(30_00);
        assertThat(tooMuch.json().get("detail").asText()).isEqualTo("That is more than the balance due");
        assertThat(rest.json().at("/client/balanceDueMinor").asLong()).isZero();
        assertThat(rest.json().at("/client/creditsMinor").asLong()).isEqualTo(10_00);
        assertThat(nothingOwed.status()).isEqualTo(400);
        assertThat(nothingOwed.json().get("detail").asText())
                .isEqualTo("Ana owes nothing: there is no balance due to pay");
        assertThat(problem("apply-funds", "{\"from\": \"gift_cards\"}"))
                .isEqualTo("from: from must be open_payments or credits");
    }

    @Test
    void aChargeNeedsAReasonAndAboveTheApprovalLimitWaitsWithNothingMoved() {
        assertThat(problem("charges", "{\"amountMinor\": 100, \"currency\": \"USD\", \"reason\": \" \"}"))
                .isEqualTo("reason: Reason is required");
        setApprovalLimit(100_00);

        final TestApp.Reply waiting =
                post("charges", "{\"amountMinor\": 15000, \"currency\": \"USD\", \"reason\": \"Damaged kennel\"}");
        final TestApp.Reply within =
                post("charges", "{\"amountMinor\": 10000, \"currency\": \"USD\", \"reason\": \"Boarding\"}");
        final TestApp.Reply bigCredit =
                post("credits", "{\"amountMinor\": 10001, \"currency\": \"USD\", \"reason\": \"goodwill\"}");

        assertThat(waiting.status()).isEqualTo(202);
        assertThat(waiting.json().at("/pendingApproval/status").asText()).isEqualTo("pending_approval");
        assertThat(waiting.json().at("/pendingApproval/details/reason").asText())
                .isEqualTo("Damaged kennel");
        assertThat(within.status()).isEqualTo(201);
        assertThat(bigCredit.status()).isEqualTo(202);
        assertThat(salon.balance(ana.receivable().id())).isEqualTo(100_00);
        assertThat(salon.balance(ana.credits().id())).isZero();
    }

    @Test
    void withAutoApplyOnANewChargeTakesOpenPaymentsThenCreditsAndTheHistorySaysSo() {
        TestDatabase.get()
                .jdbi()
                .useHandle(handle ->
                        handle.execute("update businesses set auto_apply_funds = true where id = ?", salon.id()));
        post("open-payments", "{\"amountMinor\": 2000, \"currency\": \"USD\", \"tender\": \"cash\"}");
        post("credits", "{\"amountMinor\": 1000, \"currency\": \"USD\", \"reason\": \"goodwill\"}");

        final TestApp.Reply charged =
                post("charges", "{\"amountMinor\": 5000, \"currency\": \"USD\", \"reason\": \"Boarding\"}");

        assertThat(charged.json().at("/client/balanceDueMinor").asLong()).isEqualTo(20_00);
        assertThat(charged.json().at("/client/openPaymentsMinor").asLong()).isZero();
        assertThat(charged.json().at("/client/creditsMinor").asLong()).isZero();
        final JsonNode rows = TestApp.get(salon.apiKey(), "/api/v1/clients/" + ana.id() + "/history")
                .json()
                .get("rows");
        assertThat(rows.get(0).get("memo").asText()).startsWith("Credits applied automatically to invoice");
        assertThat(rows.get(1).get("memo").asText()).startsWith("Open payments applied automatically to invoice");
    }

    private List<Long> unpaidInvoices() {
        return TestDatabase.get()
                .jdbi()
                .withHandle(handle -> new dev.settle.invoices.Invoices().unpaid(handle, salon.id(), ana.id()))
                .stream()
                .map(dev.settle.invoices.Invoices.Invoice::id)
                .toList();
    }

    private void setApprovalLimit(long limitMinor) {
        TestDatabase.get()
                .jdbi()
                .useHandle(handle -> handle.execute(
                        "update businesses set adjustment_approval_limit_minor = ? where id = ?",
                        limitMinor,
                        salon.id()));
    }

    @Test
    void theHistoryApiSaysWhichKeyMovedTheMoneyAndFiltersByKindAndTime() {
        post("open-payments", "{\"amountMinor\": 5000, \"currency\": \"USD\", \"tender\": \"cash\"}");
        post("credits", "{\"amountMinor\": 500, \"currency\": \"USD\", \"reason\": \"goodwill\"}");
        final String history = "/api/v1/clients/" + ana.id() + "/history";

        final JsonNode all = TestApp.get(salon.apiKey(), history).json();
        final JsonNode credits =
                TestApp.get(salon.apiKey(), history + "?kind=credit_issued").json();
        final JsonNode future = TestApp.get(salon.apiKey(), history + "?from=2999-01-01T00:00:00Z")
                .json();

        assertThat(all.get("rows")).hasSize(2);
        assertThat(all.at("/rows/1/by").asText()).isEqualTo("API key: created with the business");
        assertThat(all.at("/rows/0/creditsAfterMinor").asLong()).isEqualTo(5_00);
        assertThat(all.at("/rows/0/openPaymentsAfterMinor").asLong()).isEqualTo(50_00);
        assertThat(credits.get("rows")).hasSize(1);
        assertThat(future.get("rows")).isEmpty();
        // every page carries the balances now, whatever it was filtered to
        assertThat(future.get("openPaymentsMinor").asLong()).isEqualTo(50_00);
        assertThat(future.get("creditsMinor").asLong()).isEqualTo(5_00);
        assertThat(future.get("balanceDueMinor").asLong()).isZero();
        assertThat(TestApp.get(salon.apiKey(), history + "?kind=bogus")
                        .json()
                        .get("field")
                        .asText())
                .isEqualTo("kind");
        assertThat(TestApp.get(salon.apiKey(), history + "?from=monday")
                        .json()
                        .get("field")
                        .asText())
                .isEqualTo("from");
    }

    private TestApp.Reply post(String operation, String json) {
        return TestApp.post(salon.apiKey(), "/api/v1/clients/" + ana.id() + "/" + operation, json);
    }

    private String problem(String operation, String json) {
        final TestApp.Reply reply = post(operation, json);
        assertThat(reply.status()).as(json).isEqualTo(400);
        return reply.json().get("field").asText() + ": "
                + reply.json().get("detail").asText();
    }
}

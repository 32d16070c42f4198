package dev.settle.invoices;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.settle.clients.Clients;
import dev.settle.ledger.AccountKind;
import dev.settle.support.TestApp;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Checkout through the API: the DaySmart ticket and its tenders, one entry each, all or nothing. */
class CheckoutApiTest {
    private final TestBusiness salon = TestBusiness.create();
    private final Clients.Client ana = salon.aClient("Ana Silva");

    @Test
    void payLaterPutsTheRestOfTheTicketOnTheBalanceDueAsUnpaidOnThisInvoice() {
        final long invoice =
                salon.ticket(ana, "{\"kind\": \"service\", \"description\": \"Colour\", \"unitMinor\": 10000}");

        final TestApp.Reply reply = salon.checkout(
                invoice, "{\"tenders\": [{\"tender\": \"cash\", \"amountMinor\": 4000}], \"payLaterMinor\": 6000}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        assertThat(reply.json().at("/invoice/status").asText()).isEqualTo("open");
        assertThat(reply.json().at("/invoice/unpaidMinor").asLong()).isEqualTo(60_00);
        assertThat(reply.json().at("/client/balanceDueMinor").asLong()).isEqualTo(60_00);
        assertThat(salon.balance(salon.account(AccountKind.CASH))).isEqualTo(40_00);
        assertThat(salon.balance(salon.account(AccountKind.SALES))).isEqualTo(100_00);
        assertThat(entries(reply)).isEqualTo(1);
    }

    @Test
    void aLaterCheckoutPaysOffTheBalanceDueWithAPaidTowardsBalanceDueLine() {
        salon.charge(ana, 25_00);
        salon.charge(ana, 35_00);
        final long invoice =
                salon.ticket(ana, "{\"kind\": \"service\", \"description\": \"Trim\", \"unitMinor\": 3000}");

        final TestApp.Reply reply = salon.checkout(
                invoice,
                "{\"payOffMinor\": 4000, \"tenders\": [{\"tender\": \"card\", \"amountMinor\": 7000, \"cardLast4\": \"4242\"}]}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        final JsonNode lines = reply.json().at("/invoice/lines");
        assertThat(lines.get(1).get("kind").asText()).isEqualTo("balance_payment");
        assertThat(lines.get(1).get("description").asText()).isEqualTo("Paid Towards Balance Due");
        assertThat(reply.json().at("/invoice/totalMinor").asLong()).isEqualTo(70_00);
        assertThat(reply.json().at("/invoice/status").asText()).isEqualTo("paid");
        assertThat(reply.json().at("/paidOff/0/amountMinor").asLong()).isEqualTo(25_00);
        assertThat(reply.json().at("/paidOff/1/amountMinor").asLong()).isEqualTo(15_00);
        assertThat(reply.json().at("/client/balanceDueMinor").asLong()).isEqualTo(20_00);
        assertThat(reply.json().at("/invoice/payments/0/cardLast4").asText()).isEqualTo("4242");
        assertAnswersWithTheClientAsStored(reply);
    }

    @Test
    void creditsOpenPaymentsAndCashWithChangeSplitOneTicket() {
        salon.credit(ana, 10_00);
        salon.openPayment(ana, 15_00);
        final long invoice = salon.ticket(
                ana,
                "{\"kind\": \"service\", \"description\": \"Cut\", \"unitMinor\": 5000},"
                        + " {\"kind\": \"tip\", \"description\": \"Tip\", \"unitMinor\": 1000},"
                        + " {\"kind\": \"discount\", \"description\": \"Loyalty\", \"unitMinor\": 500}");

        final TestApp.Reply reply = salon.checkout(
                invoice,
                "{\"tenders\": [{\"tender\": \"credit\", \"amountMinor\": 1000},"
                        + " {\"tender\": \"open_payment\", \"amountMinor\": 1500},"
                        + " {\"tender\": \"cash\", \"amountMinor\": 3000, \"tenderedMinor\": 4000}]}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        assertThat(reply.json().get("changeMinor").asLong()).isEqualTo(10_00);
        assertThat(reply.json().at("/invoice/totalMinor").asLong()).isEqualTo(55_00);
        assertThat(salon.balance(ana.credits().id())).isZero();
        assertThat(salon.balance(ana.openPayments().id())).isZero();
        assertThat(salon.balance(salon.account(AccountKind.CASH))).isEqualTo(30_00 + 15_00);
        assertThat(salon.balance(salon.account(AccountKind.SALES))).isEqualTo(45_00);
        assertThat(salon.balance(salon.account(AccountKind.TIPS))).isEqualTo(10_00);
        assertThat(TestDatabase.violations()).isEmpty();
        assertAnswersWithTheClientAsStored(reply);
    }

    /** The answer's client is worked out from the entry's postings, not read again: it must match a read. */
    private void assertAnswersWithTheClientAsStored(TestApp.Reply checkout) {
        assertThat(checkout.json().get("client"))
                .isEqualTo(TestApp.get(salon.apiKey(), "/api/v1/clients/" + ana.id())
                        .json());
    }

    @Test
    void moreThanTheTicketIsRefusedUnlessKeptAsAnOpenPayment() {
        final long invoice =
                salon.ticket(ana, "{\"kind\": \"product\", \"description\": \"Shampoo\", \"unitMinor\": 2000}");
        final String overpay = "{\"tenders\": [{\"tender\": \"check\", \"amountMinor\": 5000, \"reference\": \"77\"}]";

        final TestApp.Reply refused = salon.checkout(invoice, overpay + "}");
        final TestApp.Reply kept = salon.checkout(invoice, overpay + ", \"keepOverpaymentAsOpenPayment\": true}");

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("detail").asText()).startsWith("That is $30.00 more than the invoice");
        assertThat(kept.status()).isEqualTo(201);
        assertThat(kept.json().get("keptAsOpenPaymentMinor").asLong()).isEqualTo(30_00);
        assertThat(salon.balance(ana.openPayments().id())).isEqualTo(30_00);
    }

    @Test
    void badCheckoutsAreRefusedByFieldAndMoveNothing() {
        final long invoice =
                salon.ticket(ana, "{\"kind\": \"service\", \"description\": \"Cut\", \"unitMinor\": 5000}");
        final long walkIn =
                salon.ticket(null, "{\"kind\": \"product\", \"description\": \"Comb\", \"unitMinor\": 800}");

        assertThat(problem(invoice, "{\"tenders\": [{\"tender\": \"cash\", \"amountMinor\": 4999}]}"))
                .isEqualTo("tenders: The payments cover $49.99 of $50.00: add a tender, or put the rest on pay"
                        + " later");
        assertThat(problem(invoice, "{\"tenders\": [{\"tender\": \"gold\", \"amountMinor\": 5000}]}"))
                .isEqualTo(
                        "tenders[0].tender: tender must be cash, check, card, external, credit, open_payment or gift_card");
        assertThat(problem(invoice, "{\"tenders\": [{\"tender\": \"check\", \"amountMinor\": 5000}]}"))
                .isEqualTo("tenders[0].reference: Enter the check number");
        assertThat(problem(
                        invoice,
                        "{\"tenders\": [{\"tender\": \"cash\", \"amountMinor\": 5000, \"tenderedMinor\": 10}]}"))
                .isEqualTo("tenders[0].tenderedMinor: Cash handed over must be at least the amount it pays");
        assertThat(problem(invoice, "{\"payOffMinor\": 100, \"payLaterMinor\": 5100}"))
                .isEqualTo("payOffMinor: That is more than the balance due ($0.00)");
        assertThat(problem(walkIn, "{\"payLaterMinor\": 800}"))
                .isEqualTo("payLaterMinor: Pay later needs a client: a walk-in sale is paid in full");
        final TestApp.Reply noCredit =
                salon.checkout(invoice, "{\"tenders\": [{\"tender\": \"credit\", \"amountMinor\": 5000}]}");
        assertThat(noCredit.status()).isEqualTo(422);
        assertThat(salon.balance(salon.account(AccountKind.SALES))).isZero();
        assertThat(TestApp.get(salon.apiKey(), "/api/v1/invoices/" + invoice)
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("draft");
        assertThat(TestApp.post(
                                salon.apiKey(),
                                "/api/v1/invoices",
                                "{\"currency\": \"USD\", \"lines\": [{\"kind\": \"balance_payment\", \"description\": \"x\","
                                        + " \"unitMinor\": 5}]}")
                        .json()
                        .get("field")
                        .asText())
                .isEqualTo("lines[0].kind");
    }

    @Test
    void ofTwoCheckoutsOfOneTicketAtOnceExactlyOneWins() {
        final long invoice =
                salon.ticket(ana, "{\"kind\": \"service\", \"description\": \"Cut\", \"unitMinor\": 5000}");
        final String cash = "{\"tenders\": [{\"tender\": \"cash\", \"amountMinor\": 5000}]}";

        final List<Integer> statuses = List.of(
                        CompletableFuture.supplyAsync(
                                () -> salon.checkout(invoice, cash).status()),
                        CompletableFuture.supplyAsync(
                                () -> salon.checkout(invoice, cash).status()),
                        CompletableFuture.supplyAsync(
                                () -> salon.checkout(invoice, cash).status()))
                .stream()
                .map(CompletableFuture::join)
                .sorted()
                .toList();

        assertThat(statuses).containsExactly(201, 409, 409);
        assertThat(salon.balance(salon.account(AccountKind.CASH))).isEqualTo(50_00);
    }

    @Test
    void aWalkInSaleIsPaidInFullAndAnotherBusinesssInvoiceIsNotFound() {
        final long walkIn =
                salon.ticket(null, "{\"kind\": \"product\", \"description\": \"Comb\", \"unitMinor\": 800}");

        final TestApp.Reply paid =
                salon.checkout(walkIn, "{\"tenders\": [{\"tender\": \"card\", \"amountMinor\": 800}]}");
        final TestApp.Reply theirs = TestApp.get(TestBusiness.create().apiKey(), "/api/v1/invoices/" + walkIn);

        assertThat(paid.json().at("/invoice/status").asText()).isEqualTo("paid");
        assertThat(paid.json().get("client").isNull()).isTrue();
        assertThat(theirs.status()).isEqualTo(404);
    }

    @Test
    void anOpenInvoiceTakesPartPaymentsAndFundsButNeverMoreThanIsUnpaid() {
        salon.charge(ana, 80_00);
        final long invoice = unpaidInvoice();
        salon.charge(ana, 20_00);
        salon.credit(ana, 30_00);
        final String path = "/api/v1/invoices/" + invoice;

        final TestApp.Reply part = TestApp.post(
                salon.apiKey(),
                path + "/payments",
                "{\"amountMinor\": 2500, \"currency\": \"USD\", \"tender\": \"cash\"}");
        final TestApp.Reply credits = TestApp.post(salon.apiKey(), path + "/apply-funds", "{\"from\": \"credits\"}");
        final TestApp.Reply tooMuch = TestApp.post(
                salon.apiKey(),
                path + "/payments",
                "{\"amountMinor\": 2501, \"currency\": \"USD\", \"tender\": \"cash\"}");
        final TestApp.Reply rest = TestApp.post(
                salon.apiKey(),
                path + "/payments",
                "{\"amountMinor\": 2500, \"currency\": \"USD\", \"tender\": \"cash\"}");
        final TestApp.Reply paidAlready = TestApp.post(
                salon.apiKey(),
                path + "/payments",
                "{\"amountMinor\": 100, \"currency\": \"USD\", \"tender\": \"cash\"}");

        assertThat(part.status()).as(part.body()).isEqualTo(201);
        assertThat(part.json().at("/invoice/unpaidMinor").asLong()).isEqualTo(55_00);
        assertThat(credits.json().at("/invoice/unpaidMinor").asLong()).isEqualTo(25_00);
        assertThat(tooMuch.status()).isEqualTo(422);
        assertThat(tooMuch.json().get("type").asText()).endsWith("/invoice-overpaid");
        assertThat(rest.json().at("/invoice/status").asText()).isEqualTo("paid");
        assertThat(rest.json().at("/client/balanceDueMinor").asLong())
                .as("the other invoice is untouched")
                .isEqualTo(20_00);
        assertThat(paidAlready.status()).isEqualTo(409);
        assertThat(TestDatabase.violations()).isEmpty();
    }

    @Test
    void anInvoiceNothingPaidIsVoidedByReversingItsChargeAndOneWithPaymentsIsNot() {
        salon.charge(ana, 40_00);
        final long charged = unpaidInvoice();
        final long draft = salon.ticket(ana, "{\"kind\": \"service\", \"description\": \"Cut\", \"unitMinor\": 5000}");
        final long paid = salon.ticket(ana, "{\"kind\": \"service\", \"description\": \"Trim\", \"unitMinor\": 3000}");
        salon.checkout(paid, "{\"tenders\": [{\"tender\": \"cash\", \"amountMinor\": 3000}]}");

        final TestApp.Reply voided = TestApp.post(salon.apiKey(), "/api/v1/invoices/" + charged + "/void", "");
        final TestApp.Reply again = TestApp.post(salon.apiKey(), "/api/v1/invoices/" + charged + "/void", "");
        final TestApp.Reply draftVoided = TestApp.post(salon.apiKey(), "/api/v1/invoices/" + draft + "/void", "");
        final TestApp.Reply refused = TestApp.post(salon.apiKey(), "/api/v1/invoices/" + paid + "/void", "");

        assertThat(voided.status()).as(voided.body()).isEqualTo(200);
        assertThat(voided.json().get("status").asText()).isEqualTo("void");
        assertThat(salon.balance(ana.receivable().id())).isZero();
        assertThat(again.status()).isEqualTo(409);
        assertThat(draftVoided.json().get("status").asText()).isEqualTo("void");
        assertThat(salon.checkout(draft, "{\"tenders\": [{\"tender\": \"cash\", \"amountMinor\": 5000}]}")
                        .status())
                .isEqualTo(409);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("detail").asText())
                .endsWith("has payments or funds on it; refund them before voiding it");
        assertThat(TestDatabase.violations()).isEmpty();
    }

    @Test
    void aPaymentIsRefundedToItsTenderOrKeptWithTheClientAndTheInvoiceOwesItAgain() {
        salon.credit(ana, 10_00);
        final long invoice =
                salon.ticket(ana, "{\"kind\": \"service\", \"description\": \"Colour\", \"unitMinor\": 10000}");
        final JsonNode paid = salon.checkout(
                        invoice,
                        "{\"tenders\": [{\"tender\": \"card\", \"amountMinor\": 6000}, {\"tender\": \"cash\", \"amountMinor\": 3000},"
                                + " {\"tender\": \"credit\", \"amountMinor\": 1000}]}")
                .json();
        final long card = paid.at("/invoice/payments/0/id").asLong();
        final long cash = paid.at("/invoice/payments/1/id").asLong();
        final long credit = paid.at("/invoice/payments/2/id").asLong();

        final TestApp.Reply part = refund(card, "{\"to\": \"tender\", \"amountMinor\": 2500, \"currency\": \"USD\"}");
        final TestApp.Reply tooMuch =
                refund(card, "{\"to\": \"tender\", \"amountMinor\": 3501, \"currency\": \"USD\"}");
        final TestApp.Reply toOpenPayment = refund(cash, "{\"to\": \"open_payment\"}");
        final TestApp.Reply creditAsMoney = refund(credit, "{\"to\": \"open_payment\"}");
        final TestApp.Reply creditBack = refund(credit, "{\"to\": \"tender\"}");

        assertThat(part.status()).as(part.body()).isEqualTo(201);
        assertThat(part.json().at("/invoice/unpaidMinor").asLong()).isEqualTo(25_00);
        assertThat(part.json().at("/invoice/payments/0/refundedMinor").asLong()).isEqualTo(25_00);
        assertThat(salon.balance(salon.account(AccountKind.CARD))).isEqualTo(35_00);
        assertThat(tooMuch.status()).isEqualTo(422);
        assertThat(tooMuch.json().get("detail").asText()).isEqualTo("Only $35.00 of this payment is left to refund");
        assertThat(toOpenPayment.json().at("/client/openPaymentsMinor").asLong())
                .isEqualTo(30_00);
        assertThat(creditAsMoney.status()).isEqualTo(400);
        assertThat(creditBack.json().at("/client/creditsMinor").asLong()).isEqualTo(10_00);
        assertThat(creditBack.json().at("/client/balanceDueMinor").asLong()).isEqualTo(65_00);
        assertThat(creditBack.json().at("/invoice/status").asText()).isEqualTo("open");
        assertThat(TestDatabase.violations()).isEmpty();
    }

    @Test
    void whatWasPaidOnOneInvoiceMovesToAnotherOfTheSameClientVoidingNeither() {
        final long paid = salon.ticket(ana, "{\"kind\": \"service\", \"description\": \"Cut\", \"unitMinor\": 5000}");
        salon.checkout(paid, "{\"tenders\": [{\"tender\": \"cash\", \"amountMinor\": 5000}]}");
        salon.charge(ana, 30_00);
        final long owing = unpaidInvoice();
        final Clients.Client ben = salon.aClient("Ben");
        salon.charge(ben, 10_00);
        final long bens = salon.unpaidInvoices(ben).getFirst().id();
        final String path = "/api/v1/invoices/" + paid + "/move-funds";

        final TestApp.Reply moved = TestApp.post(
                salon.apiKey(), path, "{\"toInvoiceId\": " + owing + ", \"amountMinor\": 3000, \"currency\": \"USD\"}");
        final TestApp.Reply toPaid = TestApp.post(
                salon.apiKey(), path, "{\"toInvoiceId\": " + owing + ", \"amountMinor\": 100, \"currency\": \"USD\"}");
        salon.charge(ana, 50_00);
        final long newest = salon.unpaidInvoices(ana).getLast().id();
        final TestApp.Reply tooMuch = TestApp.post(
                salon.apiKey(),
                path,
                "{\"toInvoiceId\": " + newest + ", \"amountMinor\": 2001, \"currency\": \"USD\"}");
        final TestApp.Reply otherClient = TestApp.post(
                salon.apiKey(), path, "{\"toInvoiceId\": " + bens + ", \"amountMinor\": 100, \"currency\": \"USD\"}");

        assertThat(moved.status()).as(moved.body()).isEqualTo(201);
        assertThat(moved.json().get("unpaidMinor").asLong()).isEqualTo(30_00);
        assertThat(moved.json().get("paidMinor").asLong()).isEqualTo(20_00);
        assertThat(moved.json().get("status").asText()).isEqualTo("open");
        assertThat(TestApp.get(salon.apiKey(), "/api/v1/invoices/" + owing)
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("paid");
        assertThat(toPaid.status()).isEqualTo(409);
        assertThat(tooMuch.status()).isEqualTo(400);
        assertThat(tooMuch.json().get("detail").asText()).isEqualTo("Only $20.00 is paid on invoice " + paid);
        assertThat(otherClient.status()).isEqualTo(400);
        assertThat(otherClient.json().get("field").asText()).isEqualTo("toInvoiceId");
        assertThat(TestDatabase.violations()).isEmpty();
    }

    @Test
    void taxComesFromTheSettingsRatesOncePerTicketAfterDiscountsAndNeverOnTips() {
        TestDatabase.get()
                .jdbi()
                .useHandle(handle -> handle.execute(
                        "update businesses set service_tax_millipercent = 8875, product_tax_millipercent = 5000 where id = ?",
                        salon.id()));

        final TestApp.Reply drafted = TestApp.post(
                salon.apiKey(),
                "/api/v1/invoices",
                "{\"currency\": \"USD\", \"clientId\": " + ana.id() + ", \"lines\": ["
                        + "{\"kind\": \"service\", \"description\": \"Colour\", \"unitMinor\": 4500},"
                        + " {\"kind\": \"product\", \"description\": \"Shampoo\", \"unitMinor\": 1000, \"quantity\": 2},"
                        + " {\"kind\": \"discount\", \"description\": \"Loyalty\", \"unitMinor\": 500},"
                        + " {\"kind\": \"tip\", \"description\": \"Tip\", \"unitMinor\": 800}]}");
        final TestApp.Reply typedTax = TestApp.post(
                salon.apiKey(),
                "/api/v1/invoices",
                "{\"currency\": \"USD\", \"lines\": [{\"kind\": \"tax\", \"description\": \"Tax\", \"unitMinor\": 100}]}");

        assertThat(drafted.status()).as(drafted.body()).isEqualTo(201);
        final JsonNode lines = drafted.json().get("lines");
        // $5.00 off $65.00 of goods: $3.46 of it off the $45.00 service, $1.54 off the $20.00 products.
        assertThat(lines.get(4).get("description").asText()).isEqualTo("Tax on services (8.875%)");
        assertThat(lines.get(4).get("amountMinor").asLong())
                .as("8.875% of $41.54, rounded")
                .isEqualTo(369);
        assertThat(lines.get(5).get("description").asText()).isEqualTo("Tax on products (5%)");
        assertThat(lines.get(5).get("amountMinor").asLong()).as("5% of $18.46").isEqualTo(92);
        assertThat(drafted.json().get("totalMinor").asLong()).isEqualTo(45_00 + 20_00 - 5_00 + 8_00 + 3_69 + 92);
        final TestApp.Reply paid = salon.checkout(
                drafted.json().get("id").asLong(), "{\"tenders\": [{\"tender\": \"card\", \"amountMinor\": 7261}]}");
        assertThat(paid.status()).as(paid.body()).isEqualTo(201);
        assertThat(salon.balance(salon.account(AccountKind.TAX))).isEqualTo(3_69 + 92);
        assertThat(typedTax.status()).isEqualTo(400);
        assertThat(typedTax.json().get("field").asText()).isEqualTo("lines[0].kind");
        assertThat(typedTax.json().get("detail").asText())
                .isEqualTo("Tax is added from the rates in Settings; leave tax lines out");
    }

    @Test
    void aTicketThatPaidOffOlderInvoicesIsVoidedOnceRefundedAndTheyOweAgain() {
        salon.charge(ana, 25_00);
        salon.charge(ana, 35_00);
        final long ticket =
                salon.ticket(ana, "{\"kind\": \"service\", \"description\": \"Trim\", \"unitMinor\": 3000}");
        final JsonNode paid = salon.checkout(
                        ticket, "{\"payOffMinor\": 4000, \"tenders\": [{\"tender\": \"card\", \"amountMinor\": 7000}]}")
                .json();
        final TestApp.Reply tooSoon = TestApp.post(salon.apiKey(), "/api/v1/invoices/" + ticket + "/void", "");
        refund(paid.at("/invoice/payments/0/id").asLong(), "{\"to\": \"tender\"}");

        final TestApp.Reply voided = TestApp.post(salon.apiKey(), "/api/v1/invoices/" + ticket + "/void", "");

        assertThat(tooSoon.status()).isEqualTo(409);
        assertThat(voided.status()).as(voided.body()).isEqualTo(200);
        assertThat(voided.json().get("status").asText()).isEqualTo("void");
        assertThat(salon.balance(ana.receivable().id()))
                .as("both older invoices owe in full again")
                .isEqualTo(60_00);
        assertThat(salon.unpaidInvoices(ana).stream().map(Invoices.Invoice::unpaidMinor))
                .containsExactly(25_00L, 35_00L);
        assertThat(salon.balance(salon.account(AccountKind.SALES))).isZero();
        assertThat(salon.balance(salon.account(AccountKind.CARD))).isZero();
        assertThat(TestDatabase.violations()).isEmpty();
    }

    private TestApp.Reply refund(long paymentId, String body) {
        return TestApp.post(salon.apiKey(), "/api/v1/payments/" + paymentId + "/refunds", body);
    }

    private long unpaidInvoice() {
        return salon.unpaidInvoices(ana).getFirst().id();
    }

    private String problem(long invoiceId, String body) {
        final TestApp.Reply reply = salon.checkout(invoiceId, body);
        assertThat(reply.status()).as(body + " → " + reply.body()).isEqualTo(400);
        return reply.json().get("field").asText() + ": "
                + reply.json().get("detail").asText();
    }

    private long entries(TestApp.Reply reply) {
        return TestDatabase.get()
                .jdbi()
                .withHandle(handle -> handle.createQuery(
                                "select count(*) from journal_entries where business_id = :b and invoice_id = :i")
                        .bind("b", salon.id())
                        .bind("i", reply.json().at("/invoice/id").asLong())
                        .mapTo(Long.class)
                        .one());
    }
}

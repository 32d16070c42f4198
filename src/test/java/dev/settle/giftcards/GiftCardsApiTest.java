package dev.settle.giftcards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.settle.clients.Clients;
import dev.settle.ledger.AccountKind;
import dev.settle.support.TestApp;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Gift cards through the API: a liability from sale or promotion until redeemed, loaded or voided. */
class GiftCardsApiTest {
    private final TestBusiness salon = TestBusiness.create();
    private final Clients.Client ana = salon.aClient("Ana Silva");

    @BeforeEach
    @AfterEach
    void forgetWrongCodes() {
        // Every test asks from 127.0.0.1: one test's guesses must not throttle another's lookups.
        TestDatabase.get().jdbi().useHandle(handle -> handle.execute("delete from gift_card_lookup_failures"));
    }

    @Test
    void aSoldCardIsRedeemedInPartOnTwoTicketsThenItsRestIsLoadedOntoAClientAsAnOpenPayment() {
        final long sale =
                salon.ticket(null, "{\"kind\": \"gift_card\", \"description\": \"Gift card\", \"unitMinor\": 10000}");
        final TestApp.Reply sold =
                salon.checkout(sale, "{\"tenders\": [{\"tender\": \"cash\", \"amountMinor\": 10000}]}");
        assertThat(sold.status()).as(sold.body()).isEqualTo(201);
        final String code = sold.json().at("/giftCardsSold/0/code").asText();
        final long card = sold.json().at("/giftCardsSold/0/id").asLong();
        assertThat(code).matches("[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}");
        assertThat(salon.balance(salon.account(AccountKind.SALES)))
                .as("a card sold is not income")
                .isZero();

        final TestApp.Reply first = salon.checkout(
                salon.ticket(ana, "{\"kind\": \"service\", \"description\": \"Trim\", \"unitMinor\": 3000}"),
                "{\"tenders\": [{\"tender\": \"gift_card\", \"code\": \"" + code + "\", \"amountMinor\": 3000}]}");
        final String typedLoosely = code.toLowerCase().replace("-", " ").replace('0', 'o');
        final TestApp.Reply second = salon.checkout(
                salon.ticket(ana, "{\"kind\": \"service\", \"description\": \"Colour\", \"unitMinor\": 5000}"),
                "{\"tenders\": [{\"tender\": \"gift_card\", \"code\": \"" + typedLoosely
                        + "\", \"amountMinor\": 2000}, {\"tender\": \"cash\", \"amountMinor\": 3000}]}");
        final long tooBig =
                salon.ticket(ana, "{\"kind\": \"service\", \"description\": \"Perm\", \"unitMinor\": 9000}");
        final TestApp.Reply more = salon.checkout(
                tooBig,
                "{\"tenders\": [{\"tender\": \"gift_card\", \"code\": \"" + code
                        + "\", \"amountMinor\": 6000}, {\"tender\": \"cash\", \"amountMinor\": 3000}]}");
        final TestApp.Reply lookedUp =
                TestApp.post(salon.apiKey(), "/api/v1/gift-cards/lookup", "{\"code\": \"" + code + "\"}");
        final TestApp.Reply loaded = TestApp.post(
                salon.apiKey(), "/api/v1/gift-cards/" + card + "/load-to-client", "{\"clientId\": " + ana.id() + "}");
        final TestApp.Reply emptyAgain = TestApp.post(
                salon.apiKey(), "/api/v1/gift-cards/" + card + "/load-to-client", "{\"clientId\": " + ana.id() + "}");

        assertThat(first.status()).as(first.body()).isEqualTo(201);
        assertThat(first.json().at("/invoice/payments/0/reference").asText()).isEqualTo(code.substring(15));
        assertThat(second.status()).as(second.body()).isEqualTo(201);
        assertThat(more.status()).isEqualTo(422);
        assertThat(more.json().get("detail").asText())
                .isEqualTo("Gift card ending " + code.substring(15) + " holds $50.00, not $60.00");
        assertThat(TestApp.get(salon.apiKey(), "/api/v1/invoices/" + tooBig)
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("draft");
        assertThat(lookedUp.json().get("balanceMinor").asLong()).isEqualTo(50_00);
        assertThat(lookedUp.json().has("code")).isFalse();
        assertThat(loaded.status()).as(loaded.body()).isEqualTo(201);
        assertThat(loaded.json().at("/client/openPaymentsMinor").asLong()).isEqualTo(50_00);
        assertThat(loaded.json().at("/giftCard/status").asText()).isEqualTo("empty");
        assertThat(emptyAgain.status()).isEqualTo(409);
        final JsonNode history =
                TestApp.get(salon.apiKey(), "/api/v1/gift-cards/" + card).json().get("history");
        assertThat(history)
                .extracting(movement -> movement.get("kind").asText())
                .containsExactly("checkout", "checkout", "checkout", "gift_card_load");
        assertThat(history)
                .extracting(movement -> movement.get("balanceAfterMinor").asLong())
                .containsExactly(100_00L, 70_00L, 50_00L, 0L);
        assertThat(TestDatabase.violations()).isEmpty();
    }

    @Test
    void twoCardsPayOneTicketARefundGoesBackOntoItsCardAndAnExpiredCardIsRefused() {
        final GiftCards.Issued first = salon.giftCard(20_00);
        final GiftCards.Issued second = salon.giftCard(30_00);
        final long ticket = salon.ticket(ana, "{\"kind\": \"service\", \"description\": \"Cut\", \"unitMinor\": 4500}");
        final TestApp.Reply paid = salon.checkout(
                ticket,
                "{\"tenders\": [{\"tender\": \"gift_card\", \"code\": \"" + first.code() + "\", \"amountMinor\": 2000},"
                        + " {\"tender\": \"gift_card\", \"code\": \"" + second.code() + "\", \"amountMinor\": 2500}]}");
        final long secondPayment = paid.json().at("/invoice/payments/1/id").asLong();

        final TestApp.Reply refunded = TestApp.post(
                salon.apiKey(),
                "/api/v1/payments/" + secondPayment + "/refunds",
                "{\"to\": \"tender\", \"amountMinor\": 1000, \"currency\": \"USD\"}");
        TestDatabase.get()
                .jdbi()
                .useHandle(handle -> handle.execute(
                        // Yesterday where the business is: the database's current_date is UTC's, a day ahead of
                        // the business's evening, when the card would still be good for that day.
                        "update gift_cards set expires_on = (now() at time zone b.time_zone)::date - 1"
                                + " from businesses b where b.id = gift_cards.business_id"
                                + " and gift_cards.business_id = ? and gift_cards.id = ?",
                        salon.id(),
                        second.card().id()));
        final TestApp.Reply expired = salon.checkout(
                salon.ticket(ana, "{\"kind\": \"product\", \"description\": \"Comb\", \"unitMinor\": 500}"),
                "{\"tenders\": [{\"tender\": \"gift_card\", \"code\": \"" + second.code()
                        + "\", \"amountMinor\": 500}]}");

        assertThat(paid.status()).as(paid.body()).isEqualTo(201);
        assertThat(paid.json().at("/invoice/payments/0/giftCardId").asLong())
                .isEqualTo(first.card().id());
        assertThat(card(first.card().id()).get("balanceMinor").asLong()).isZero();
        assertThat(refunded.status()).as(refunded.body()).isEqualTo(201);
        assertThat(card(second.card().id()).get("balanceMinor").asLong())
                .as("$5.00 left, and $10.00 given back onto it")
                .isEqualTo(15_00);
        assertThat(refunded.json().at("/invoice/unpaidMinor").asLong()).isEqualTo(10_00);
        assertThat(expired.status()).isEqualTo(409);
        assertThat(expired.json().get("detail").asText())
                .isEqualTo("Gift card ending " + second.card().last4() + " is expired and cannot be used");
        assertThat(card(second.card().id()).get("status").asText()).isEqualTo("expired");
        assertThat(TestDatabase.violations()).isEmpty();
    }

    @Test
    void giftCardsAreBoughtWithMoneyReturnedByVoidingAndAPromotionalOneLoadsAsACredit() {
        final String line = "{\"kind\": \"gift_card\", \"description\": \"Gift card\", \"unitMinor\": 5000}";
        salon.credit(ana, 50_00);
        final TestApp.Reply onPayLater =
                salon.checkout(salon.ticket(ana, line), "{\"tenders\": [], \"payLaterMinor\": 5000}");
        final TestApp.Reply withCredit = salon.checkout(
                salon.ticket(ana, line), "{\"tenders\": [{\"tender\": \"credit\", \"amountMinor\": 5000}]}");
        final long walkIn =
                salon.ticket(null, line + ", {\"kind\": \"product\", \"description\": \"Comb\", \"unitMinor\": 800}");
        final long payment = salon.checkout(walkIn, "{\"tenders\": [{\"tender\": \"cash\", \"amountMinor\": 5800}]}")
                .json()
                .at("/invoice/payments/0/id")
                .asLong();
        final TestApp.Reply tooMuchBack = TestApp.post(
                salon.apiKey(),
                "/api/v1/payments/" + payment + "/refunds",
                "{\"to\": \"tender\", \"amountMinor\": 900, \"currency\": \"USD\"}");
        final TestApp.Reply combBack = TestApp.post(
                salon.apiKey(),
                "/api/v1/payments/" + payment + "/refunds",
                "{\"to\": \"tender\", \"amountMinor\": 800, \"currency\": \"USD\"}");
        final GiftCards.Issued prize = salon.giftCard(30_00);
        final TestApp.Reply loaded = TestApp.post(
                salon.apiKey(),
                "/api/v1/gift-cards/" + prize.card().id() + "/load-to-client",
                "{\"clientId\": " + ana.id() + "}");

        assertThat(onPayLater.status()).isEqualTo(400);
        assertThat(onPayLater.json().get("detail").asText())
                .isEqualTo("A ticket that sells gift cards is paid in full, not later");
        assertThat(withCredit.status()).isEqualTo(400);
        assertThat(withCredit.json().get("field").asText()).isEqualTo("tenders[0].tender");
        assertThat(tooMuchBack.status()).isEqualTo(409);
        assertThat(tooMuchBack.json().get("detail").asText())
                .isEqualTo("Only $8.00 of this sale can be refunded; void its gift cards to return those");
        assertThat(combBack.status()).as(combBack.body()).isEqualTo(201);
        assertThat(loaded.json().at("/client/creditsMinor").asLong())
                .as("50 + the prize's 30")
                .isEqualTo(80_00);
        assertThat(loaded.json().at("/client/openPaymentsMinor").asLong()).isZero();
        assertThat(TestDatabase.violations()).isEmpty();
    }

    @Test
    void aPromotionalCardComesFromPromotionsAndGoesBackThereWhenVoided() {
        final TestApp.Reply issued = TestApp.post(
                salon.apiKey(),
                "/api/v1/gift-cards",
                "{\"amountMinor\": 5000, \"currency\": \"USD\", \"reason\": \"Spring raffle\", \"recipientName\": \"Bea\"}");
        final TestApp.Reply tooSmall = TestApp.post(
                salon.apiKey(),
                "/api/v1/gift-cards",
                "{\"amountMinor\": 100, \"currency\": \"USD\", \"reason\": \"x\"}");
        final TestApp.Reply noReason =
                TestApp.post(salon.apiKey(), "/api/v1/gift-cards", "{\"amountMinor\": 5000, \"currency\": \"USD\"}");
        final long card = issued.json().at("/giftCard/id").asLong();
        salon.charge(ana, 10_00);
        final long invoice = salon.unpaidInvoices(ana).getFirst().id();
        final TestApp.Reply redeemed = TestApp.post(
                salon.apiKey(),
                "/api/v1/gift-cards/" + card + "/redemptions",
                "{\"invoiceId\": " + invoice + ", \"amountMinor\": 1000, \"currency\": \"USD\"}");
        final TestApp.Reply overpay = TestApp.post(
                salon.apiKey(),
                "/api/v1/gift-cards/" + card + "/redemptions",
                "{\"invoiceId\": " + invoice + ", \"amountMinor\": 1000, \"currency\": \"USD\"}");

        final TestApp.Reply voided = TestApp.post(salon.apiKey(), "/api/v1/gift-cards/" + card + "/void", "");
        final TestApp.Reply again = TestApp.post(salon.apiKey(), "/api/v1/gift-cards/" + card + "/void", "");
        final TestApp.Reply otherBusiness = TestApp.get(TestBusiness.create().apiKey(), "/api/v1/gift-cards/" + card);

        assertThat(issued.status()).as(issued.body()).isEqualTo(201);
        assertThat(issued.json().at("/giftCard/fundedBy").asText()).isEqualTo("promotion");
        assertThat(issued.json().at("/giftCard/recipientName").asText()).isEqualTo("Bea");
        assertThat(tooSmall.status()).isEqualTo(400);
        assertThat(tooSmall.json().get("detail").asText()).isEqualTo("A gift card is $5.00 to $1,000.00");
        assertThat(noReason.json().get("field").asText()).isEqualTo("reason");
        assertThat(redeemed.status()).as(redeemed.body()).isEqualTo(201);
        assertThat(redeemed.json().get("balanceMinor").asLong()).isEqualTo(40_00);
        assertThat(overpay.status()).as("the invoice is paid").isEqualTo(409);
        assertThat(salon.balance(ana.receivable().id())).isZero();
        assertThat(voided.status()).as(voided.body()).isEqualTo(200);
        assertThat(voided.json().get("status").asText()).isEqualTo("void");
        assertThat(again.status()).isEqualTo(409);
        assertThat(salon.balance(salon.account(AccountKind.PROMOTIONS)))
                .as("only what was spent stays a promotion cost")
                .isEqualTo(10_00);
        assertThat(otherBusiness.status()).isEqualTo(404);
        assertThat(TestDatabase.violations()).isEmpty();
    }

    @Test
    void aSoldCardsUnusedValueGoesBackToTheBuyerByTheTenderTheManagerChooses() {
        final TestApp.Reply sold = salon.checkout(
                salon.ticket(null, "{\"kind\": \"gift_card\", \"description\": \"Gift card\", \"unitMinor\": 2500}"),
                "{\"tenders\": [{\"tender\": \"card\", \"amountMinor\": 2500}]}");
        final long card = sold.json().at("/giftCardsSold/0/id").asLong();

        final TestApp.Reply unsaid = TestApp.post(salon.apiKey(), "/api/v1/gift-cards/" + card + "/void", "");
        final TestApp.Reply voided =
                TestApp.post(salon.apiKey(), "/api/v1/gift-cards/" + card + "/void", "{\"refundTo\": \"card\"}");
        final TestApp.Reply spent = salon.checkout(
                salon.ticket(null, "{\"kind\": \"product\", \"description\": \"Comb\", \"unitMinor\": 800}"),
                "{\"tenders\": [{\"tender\": \"gift_card\", \"code\": \""
                        + sold.json().at("/giftCardsSold/0/code").asText() + "\", \"amountMinor\": 800}]}");

        assertThat(unsaid.status()).isEqualTo(400);
        assertThat(unsaid.json().get("field").asText()).isEqualTo("refundTo");
        assertThat(voided.status()).as(voided.body()).isEqualTo(200);
        assertThat(salon.balance(salon.account(AccountKind.CARD))).isZero();
        assertThat(spent.status()).isEqualTo(409);
        assertThat(spent.json().get("detail").asText()).endsWith("is void and cannot be used");
        assertThat(TestDatabase.violations()).isEmpty();
    }

    @Test
    void wrongCodesAreSlowedThenRefusedAndAnotherBusinesssCodeLooksJustAsWrong() {
        final String theirs = TestBusiness.create().giftCard(20_00).groupedCode();
        final String ours = salon.giftCard(20_00).groupedCode();

        final TestApp.Reply theirCode = lookup(theirs);
        final TestApp.Reply malformed = lookup("1234");
        final List<Duration> took = new ArrayList<>();
        for (int guess = 0; guess < GiftCardLookups.IP_FAILURES_MAX - 1; guess++) {
            final Instant start = Instant.now();
            assertThat(lookup(GiftCardCodes.grouped(GiftCardCodes.random())).status())
                    .isEqualTo(404);
            took.add(Duration.between(start, Instant.now()));
        }
        final TestApp.Reply refused = lookup(ours);

        assertThat(theirCode.status()).isEqualTo(404);
        assertThat(theirCode.json().get("detail").asText()).isEqualTo("No gift card here has that code");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(took.getLast()).as("the later guesses are held back").isGreaterThan(Duration.ofMillis(1500));
        assertThat(refused.status())
                .as("even the right code, once too many were wrong")
                .isEqualTo(429);
        assertThat(refused.json().get("type").asText()).endsWith("/too-many-requests");
    }

    @Test
    void parallelGuessesAreCountedAsSurelyAsSerialOnes() throws Exception {
        final List<CompletableFuture<TestApp.Reply>> guesses = new ArrayList<>();
        for (int guess = 0; guess < 30; guess++) {
            guesses.add(CompletableFuture.supplyAsync(() -> lookup(GiftCardCodes.grouped(GiftCardCodes.random()))));
        }
        final List<Integer> statuses = new ArrayList<>();
        for (CompletableFuture<TestApp.Reply> guess : guesses) {
            statuses.add(guess.get().status());
        }

        assertThat(statuses).filteredOn(status -> status == 404).hasSize(GiftCardLookups.IP_FAILURES_MAX);
        assertThat(statuses).filteredOn(status -> status == 429).hasSize(30 - GiftCardLookups.IP_FAILURES_MAX);
    }

    @Test
    void thirtyTwoRedemptionsOfOneCardAtOnceNeverTakeMoreThanItHolds() throws Exception {
        final GiftCards.Issued card = salon.giftCard(100_00);
        final List<CompletableFuture<TestApp.Reply>> replies = new ArrayList<>();
        final List<Long> tickets = new ArrayList<>();
        for (int index = 0; index < 32; index++) {
            tickets.add(salon.ticket(ana, "{\"kind\": \"service\", \"description\": \"Visit\", \"unitMinor\": 700}"));
        }
        for (long ticket : tickets) {
            replies.add(CompletableFuture.supplyAsync(() -> salon.checkout(
                    ticket,
                    "{\"tenders\": [{\"tender\": \"gift_card\", \"code\": \"" + card.code()
                            + "\", \"amountMinor\": 700}]}")));
        }
        final List<Integer> statuses = new ArrayList<>();
        for (CompletableFuture<TestApp.Reply> reply : replies) {
            statuses.add(reply.get().status());
        }

        assertThat(statuses).filteredOn(status -> status == 201).hasSize(14);
        assertThat(statuses).filteredOn(status -> status == 422).hasSize(18);
        assertThat(TestApp.get(
                                salon.apiKey(),
                                "/api/v1/gift-cards/" + card.card().id())
                        .json()
                        .get("balanceMinor")
                        .asLong())
                .isEqualTo(2_00);
        assertThat(TestDatabase.violations()).isEmpty();
    }

    private JsonNode card(long cardId) {
        return TestApp.get(salon.apiKey(), "/api/v1/gift-cards/" + cardId).json();
    }

    private TestApp.Reply lookup(String code) {
        return TestApp.post(salon.apiKey(), "/api/v1/gift-cards/lookup", "{\"code\": \"" + code + "\"}");
    }
}

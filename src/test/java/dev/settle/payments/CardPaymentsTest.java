package dev.settle.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.settle.Problem;
import dev.settle.business.ApiKeys;
import dev.settle.business.Businesses;
import dev.settle.clients.ClientMoney;
import dev.settle.clients.Clients;
import dev.settle.giftcards.GiftCards;
import dev.settle.invoices.Checkouts;
import dev.settle.invoices.Invoices;
import dev.settle.ledger.AccountKind;
import dev.settle.ledger.Actor;
import dev.settle.ledger.Ledger;
import dev.settle.mail.Outbox;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * A card payment is recorded once the processor confirms it, exactly once, for what Settle
 * decided (never what a form says): an invoice, the whole balance due, a gift card, or a charge of
 * a card the client saved.
 */
class CardPaymentsTest {
    private final Jdbi jdbi = TestDatabase.get().jdbi();
    private final TestProcessor processor = new TestProcessor(jdbi, () -> "http://settle.test");
    private final CardPayments payments = cardPayments(jdbi, List.of(processor));
    private final TestBusiness salon = TestBusiness.create();
    private final Clients.Client ana = salon.aClient("Ana Silva");

    CardPaymentsTest() {
        jdbi.useHandle(handle -> handle.execute(
                "update businesses set card_processor = 'test', gift_cards_enabled = true where id = ?", salon.id()));
    }

    /** Card payments wired as the app wires them, with email kept in the outbox. */
    static CardPayments cardPayments(Jdbi jdbi, List<CardProcessor> processors) {
        final Ledger ledger = new Ledger();
        final Businesses businesses = new Businesses(ledger, new ApiKeys());
        final Clients clients = new Clients(ledger);
        final Invoices invoices = new Invoices();
        final ClientMoney money = new ClientMoney(ledger, clients, businesses, invoices);
        final GiftCards giftCards = new GiftCards(ledger, businesses, clients);
        return new CardPayments(
                jdbi,
                ledger,
                businesses,
                clients,
                invoices,
                money,
                new Checkouts(ledger, clients, businesses, invoices, money, giftCards),
                giftCards,
                new Outbox(Optional.empty()),
                processors);
    }

    @Test
    void aWebhookAndReturnsArrivingTogetherRecordThePaymentOnce() throws Exception {
        salon.charge(ana, 30_00);
        final String intent = intentOf(payments.startForInvoice(salon.id(), ana.id(), newestInvoice(), RETURN, false));
        pays(intent, TestProcessor.SUCCEEDS);

        final List<CompletableFuture<CardPayments.Settled>> asks = new ArrayList<>();
        for (int ask = 0; ask < 16; ask++) {
            asks.add(CompletableFuture.supplyAsync(() -> payments.settle(salon.id(), intent)));
        }
        for (CompletableFuture<CardPayments.Settled> ask : asks) {
            assertThat(ask.get().state()).isEqualTo(CardProcessor.State.SUCCEEDED);
        }

        assertThat(salon.balance(salon.account(AccountKind.CARD))).isEqualTo(30_00);
        assertThat(salon.balance(ana.receivable().id())).isZero();
        assertThat(count("select count(*) from journal_entries where business_id = ? and kind = 'card_payment'"))
                .isEqualTo(1);
        assertThat(TestDatabase.violations()).isEmpty();
    }

    @Test
    void whatTheInvoiceNoLongerOwesIsKeptAsAnOpenPaymentAndADeclineRecordsNothing() {
        salon.charge(ana, 30_00);
        final String paidMeanwhile =
                intentOf(payments.startForInvoice(salon.id(), ana.id(), newestInvoice(), RETURN, false));
        salon.payment(ana, 30_00);
        pays(paidMeanwhile, TestProcessor.SUCCEEDS);
        salon.charge(ana, 20_00);
        final String declined =
                intentOf(payments.startForInvoice(salon.id(), ana.id(), newestInvoice(), RETURN, false));
        pays(declined, TestProcessor.DECLINED);

        final CardPayments.Settled kept = payments.settle(salon.id(), paidMeanwhile);
        final CardPayments.Settled refused = payments.settle(salon.id(), declined);

        assertThat(kept.state()).isEqualTo(CardProcessor.State.SUCCEEDED);
        assertThat(salon.balance(ana.openPayments().id())).isEqualTo(30_00);
        assertThat(refused.state()).isEqualTo(CardProcessor.State.DECLINED);
        assertThat(salon.balance(ana.receivable().id())).isEqualTo(20_00);
        assertThat(salon.balance(salon.account(AccountKind.CARD))).isEqualTo(30_00);
        assertThat(TestDatabase.violations()).isEmpty();
    }

    @Test
    void theBankSecondStepLeavesItPendingUntilThePayerConfirms() {
        salon.charge(ana, 12_00);
        final String intent = intentOf(payments.startForInvoice(salon.id(), ana.id(), newestInvoice(), RETURN, false));
        pays(intent, TestProcessor.NEEDS_CONFIRMING);

        assertThat(payments.settle(salon.id(), intent).state()).isEqualTo(CardProcessor.State.PENDING);
        assertThat(salon.balance(ana.receivable().id())).isEqualTo(12_00);

        jdbi.useTransaction(handle -> processor.confirm(handle, intent, true));
        assertThat(payments.settle(salon.id(), intent).state()).isEqualTo(CardProcessor.State.SUCCEEDED);
        assertThat(salon.balance(ana.receivable().id())).isZero();
    }

    @Test
    void theWholeBalanceDuePaysTheOldestInvoicesAndASavedCardIsChargedOnceByTheDesk() {
        salon.charge(ana, 10_00);
        salon.charge(ana, 15_00);
        final String intent = intentOf(payments.startForBalance(salon.id(), ana.id(), RETURN, true));
        pays(intent, TestProcessor.SUCCEEDS);

        assertThat(payments.settle(salon.id(), intent).state()).isEqualTo(CardProcessor.State.SUCCEEDED);
        assertThat(salon.balance(ana.receivable().id())).isZero();
        assertThat(salon.unpaidInvoices(ana)).isEmpty();
        final List<CardPayments.SavedCard> saved =
                jdbi.withHandle(handle -> payments.savedCards(handle, salon.id(), ana.id()));
        assertThat(saved)
                .singleElement()
                .satisfies(card -> assertThat(card.last4()).isEqualTo("4242"));

        salon.charge(ana, 40_00);
        final long invoice = newestInvoice();
        final long savedCard = saved.getFirst().id();
        // The desk's form sent twice: one key, one charge.
        final java.util.function.Supplier<CardPayments.Settled> click = () -> payments.chargeSaved(
                salon.id(),
                Optional.empty(),
                savedCard,
                CardPayments.Purpose.INVOICE,
                Optional.of(invoice),
                40_00,
                Actor.system(),
                "desk-click-1");
        final CardPayments.Settled first = click.get();
        final CardPayments.Settled again = click.get();

        assertThat(first.state()).isEqualTo(CardProcessor.State.SUCCEEDED);
        assertThat(again.state()).isEqualTo(CardProcessor.State.SUCCEEDED);
        assertThat(salon.balance(salon.account(AccountKind.CARD))).isEqualTo(65_00);
        assertThat(salon.balance(ana.receivable().id())).isZero();

        final CardPayments.Settled prepaid = payments.chargeSaved(
                salon.id(),
                Optional.of(ana.id()),
                savedCard,
                CardPayments.Purpose.OPEN_PAYMENT,
                Optional.empty(),
                15_00,
                Actor.system(),
                "desk-prepay");
        assertThat(prepaid.state()).isEqualTo(CardProcessor.State.SUCCEEDED);
        assertThat(salon.balance(ana.openPayments().id())).isEqualTo(15_00);
        assertThat(TestDatabase.violations()).isEmpty();
    }

    @Test
    void aChargeIsRefusedAboveWhatTheInvoiceOwesOrForAnotherClientsInvoiceAndADeclineTakesNothing() {
        salon.charge(ana, 5_00);
        final String intent = intentOf(payments.startForBalance(salon.id(), ana.id(), RETURN, true));
        pays(intent, TestProcessor.LATER_DECLINED);
        payments.settle(salon.id(), intent);
        final long card = jdbi.withHandle(handle -> payments.savedCards(handle, salon.id(), ana.id()))
                .getFirst()
                .id();
        final Clients.Client ben = salon.aClient("Ben Ode");
        salon.charge(ben, 9_00);
        final long bensInvoice = salon.unpaidInvoices(ben).getFirst().id();
        salon.charge(ana, 8_00);

        assertThatThrownBy(() -> payments.chargeSaved(
                        salon.id(),
                        Optional.empty(),
                        card,
                        CardPayments.Purpose.INVOICE,
                        Optional.of(newestInvoice()),
                        8_01,
                        Actor.system(),
                        "k1"))
                .isInstanceOfSatisfying(
                        Problem.class, problem -> assertThat(problem.detail()).contains("$8.00"));
        assertThatThrownBy(() -> payments.chargeSaved(
                        salon.id(),
                        Optional.empty(),
                        card,
                        CardPayments.Purpose.INVOICE,
                        Optional.of(bensInvoice),
                        1_00,
                        Actor.system(),
                        "k2"))
                .isInstanceOf(Problem.class);
        final CardPayments.Settled declined = payments.chargeSaved(
                salon.id(),
                Optional.empty(),
                card,
                CardPayments.Purpose.INVOICE,
                Optional.of(newestInvoice()),
                8_00,
                Actor.system(),
                "k3");

        assertThatThrownBy(() -> payments.chargeSaved(
                        salon.id(),
                        Optional.of(ben.id()),
                        card,
                        CardPayments.Purpose.BALANCE,
                        Optional.empty(),
                        1_00,
                        Actor.system(),
                        "k4"))
                .as("Ana's card charged as Ben's")
                .isInstanceOf(Problem.class);
        assertThatThrownBy(() -> payments.chargeSaved(
                        salon.id(),
                        Optional.empty(),
                        card,
                        CardPayments.Purpose.INVOICE,
                        Optional.of(newestInvoice()),
                        7_00,
                        Actor.system(),
                        "k3"))
                .isInstanceOfSatisfying(
                        Problem.class,
                        problem -> assertThat(problem.kind()).isEqualTo(Problem.Kind.IDEMPOTENCY_MISMATCH));
        assertThat(declined.state()).isEqualTo(CardProcessor.State.DECLINED);
        assertThat(salon.balance(ana.receivable().id())).isEqualTo(8_00);
        assertThat(salon.balance(salon.account(AccountKind.CARD))).isEqualTo(5_00);
    }

    @Test
    void aGiftCardBoughtInThePortalIsSoldOnceItIsPaidAndEmailedToItsRecipient() {
        jdbi.useHandle(handle ->
                handle.execute("update businesses set notify_gift_card_delivered = true where id = ?", salon.id()));
        final String intent = intentOf(payments.startGiftCard(
                salon.id(),
                ana.id(),
                CardPayments.GiftPurchase.of(50_00, "Bea", "bea@example.com", "Happy birthday!"),
                RETURN));
        assertThat(count("select count(*) from gift_cards where business_id = ?"))
                .isZero();
        pays(intent, TestProcessor.SUCCEEDS);

        payments.settle(salon.id(), intent);
        payments.settle(salon.id(), intent);

        assertThat(count("select count(*) from gift_cards where business_id = ? and recipient_name = 'Bea'"))
                .isEqualTo(1);
        assertThat(count("select coalesce(sum(amount_minor), 0) from gift_cards where business_id = ?"))
                .isEqualTo(50_00);
        assertThat(salon.balance(salon.account(AccountKind.CARD))).isEqualTo(50_00);
        assertThat(jdbi.<String, RuntimeException>withHandle(handle -> handle.createQuery("""
                                select body from emails where business_id = :b and kind = 'gift_card'
                                and to_address = 'bea@example.com'
                                """)
                        .bind("b", salon.id())
                        .mapTo(String.class)
                        .one()))
                .contains("Happy birthday!", "Ana Silva", "$50.00");
        assertThat(count("select count(*) from client_notices where business_id = ? and kind = 'gift_card_delivered'"))
                .as("the buyer is told once")
                .isEqualTo(1);
        assertThatThrownBy(() -> payments.startGiftCard(
                        salon.id(), ana.id(), CardPayments.GiftPurchase.of(1, "Bea", "bea@example.com", ""), RETURN))
                .isInstanceOf(Problem.class);
        assertThat(TestDatabase.violations()).isEmpty();
    }

    @Test
    void aRefundToTheCardGoesBackThroughTheProcessorOnceAndIsRecordedOnlyIfTheProcessorDidIt() {
        salon.charge(ana, 30_00);
        final long invoice = newestInvoice();
        final String intent = intentOf(payments.startForInvoice(salon.id(), ana.id(), invoice, RETURN, false));
        pays(intent, TestProcessor.SUCCEEDS);
        payments.settle(salon.id(), intent);
        final long paymentId = jdbi.withHandle(handle -> handle.createQuery(
                        "select id from invoice_payments where business_id = :b and invoice_id = :i")
                .bind("b", salon.id())
                .bind("i", invoice)
                .mapTo(Long.class)
                .one());
        final Checkouts.RefundTo toCard = Checkouts.RefundTo.TENDER;

        final CardPayments.Refunded refunded = jdbi.inTransaction(handle ->
                payments.refund(handle, salon.id(), paymentId, Optional.of(10_00L), toCard, Actor.system(), "form-1"));
        final CardPayments.Refunded kept = jdbi.inTransaction(handle -> payments.refund(
                handle,
                salon.id(),
                paymentId,
                Optional.of(5_00L),
                Checkouts.RefundTo.OPEN_PAYMENT,
                Actor.system(),
                "form-2"));
        assertThatThrownBy(() -> jdbi.inTransaction(handle -> payments.refund(
                        handle, salon.id(), paymentId, Optional.of(15_01L), toCard, Actor.system(), "form-3")))
                .as("more than is left: refused before the processor is asked")
                .isInstanceOf(Problem.class);
        // The same refund sent again reaches the processor with the same key: nothing more goes back.
        processor.refund(
                salon.id(),
                intent,
                10_00,
                "settle-refund-" + salon.id() + "-"
                        + java.util.HexFormat.of()
                                .formatHex(dev.settle.business.Secrets.sha256(paymentId + ":form-1")));
        // Refunded elsewhere meanwhile: the processor refuses, and Settle records nothing.
        jdbi.useHandle(handle ->
                handle.execute("update test_processor_intents set refunded_minor = amount_minor where id = ?", intent));
        assertThatThrownBy(() -> jdbi.inTransaction(handle -> payments.refund(
                        handle, salon.id(), paymentId, Optional.of(1_00L), toCard, Actor.system(), "form-4")))
                .isInstanceOfSatisfying(
                        Problem.class, problem -> assertThat(problem.detail()).contains("Nothing was refunded"));

        assertThat(refunded.throughProcessor()).isTrue();
        assertThat(kept.throughProcessor()).isFalse();
        assertThat(salon.balance(salon.account(AccountKind.CARD))).isEqualTo(20_00);
        assertThat(salon.balance(ana.openPayments().id())).isEqualTo(5_00);
        assertThat(salon.balance(ana.receivable().id())).isEqualTo(15_00);
        assertThat(TestDatabase.violations()).isEmpty();
    }

    @Test
    void aGiftCardThatCanNoLongerBeSoldWhenItIsPaidLeavesItsMoneyAsTheBuyersOpenPayment() {
        final String intent = intentOf(payments.startGiftCard(
                salon.id(), ana.id(), CardPayments.GiftPurchase.of(60_00, "Bea", "bea@example.com", ""), RETURN));
        jdbi.useHandle(
                handle -> handle.execute("update businesses set gift_cards_enabled = false where id = ?", salon.id()));
        pays(intent, TestProcessor.SUCCEEDS);

        assertThat(payments.settle(salon.id(), intent).state()).isEqualTo(CardProcessor.State.SUCCEEDED);
        assertThat(payments.giftCardMade(salon.id(), intent)).isFalse();
        assertThat(salon.balance(ana.openPayments().id())).isEqualTo(60_00);
        assertThat(count("select count(*) from gift_cards where business_id = ?"))
                .isZero();
        assertThat(TestDatabase.violations()).isEmpty();
    }

    private static final String RETURN = "http://settle.test/return";

    private long newestInvoice() {
        return salon.unpaidInvoices(ana).getLast().id();
    }

    private static String intentOf(String payUrl) {
        return payUrl.substring(payUrl.lastIndexOf('/') + 1);
    }

    /** What the payer did on the processor's page. */
    private void pays(String intent, String card) {
        jdbi.useTransaction(handle -> processor.pay(handle, intent, card));
    }

    private long count(String sql) {
        return jdbi.withHandle(handle ->
                handle.createQuery(sql).bind(0, salon.id()).mapTo(Long.class).one());
    }
}

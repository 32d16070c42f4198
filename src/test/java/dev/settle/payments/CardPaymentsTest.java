package dev.settle.payments;

import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.business.ApiKeys;
import dev.settle.business.Businesses;
import dev.settle.clients.Clients;
import dev.settle.invoices.Invoices;
import dev.settle.ledger.AccountKind;
import dev.settle.ledger.Ledger;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** A card payment is recorded once the processor confirms it, exactly once, and never more than is owed. */
class CardPaymentsTest {
    private final Jdbi jdbi = TestDatabase.get().jdbi();
    private final Ledger ledger = new Ledger();
    private final CardPayments payments = new CardPayments(
            jdbi,
            ledger,
            new Businesses(ledger, new ApiKeys()),
            new Clients(ledger),
            new Invoices(),
            new TestProcessor(jdbi, () -> "http://settle.test"));
    private final TestBusiness salon = TestBusiness.create();
    private final Clients.Client ana = salon.aClient("Ana Silva");

    CardPaymentsTest() {
        jdbi.useHandle(
                handle -> handle.execute("update businesses set card_processor = 'test' where id = ?", salon.id()));
    }

    @Test
    void aWebhookAndReturnsArrivingTogetherRecordThePaymentOnce() throws Exception {
        salon.charge(ana, 30_00);
        final String intent = started();
        processorSays(intent, "succeeded");

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
        final String paidMeanwhile = started();
        salon.payment(ana, 30_00);
        processorSays(paidMeanwhile, "succeeded");
        salon.charge(ana, 20_00);
        final String declined = started();
        processorSays(declined, "declined");

        final CardPayments.Settled kept = payments.settle(salon.id(), paidMeanwhile);
        final CardPayments.Settled refused = payments.settle(salon.id(), declined);

        assertThat(kept.state()).isEqualTo(CardProcessor.State.SUCCEEDED);
        assertThat(salon.balance(ana.openPayments().id())).isEqualTo(30_00);
        assertThat(refused.state()).isEqualTo(CardProcessor.State.DECLINED);
        assertThat(salon.balance(ana.receivable().id())).isEqualTo(20_00);
        assertThat(salon.balance(salon.account(AccountKind.CARD))).isEqualTo(30_00);
        assertThat(TestDatabase.violations()).isEmpty();
    }

    /** A payment of the client's newest open invoice, started as the portal starts one. */
    private String started() {
        final long invoice = salon.unpaidInvoices(ana).getLast().id();
        final String payUrl = payments.startForInvoice(salon.id(), ana.id(), invoice, "http://settle.test/return");
        return payUrl.substring(payUrl.lastIndexOf('/') + 1);
    }

    /** What the payer did on the processor's page. */
    private void processorSays(String intent, String status) {
        jdbi.useHandle(handle -> handle.execute(
                "update test_processor_intents set status = ?, card_last4 = '4242' where id = ?", status, intent));
    }

    private long count(String sql) {
        return jdbi.withHandle(handle ->
                handle.createQuery(sql).bind(0, salon.id()).mapTo(Long.class).one());
    }
}

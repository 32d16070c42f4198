package dev.settle.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.business.ApiKeys;
import dev.settle.business.Businesses;
import dev.settle.invoices.Invoices;
import dev.settle.ledger.AccountKind;
import dev.settle.ledger.Actor;
import dev.settle.ledger.Ledger;
import dev.settle.ledger.PostingRequest;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

class ClientHistoryTest {
    private final Jdbi jdbi = TestDatabase.get().jdbi();
    private final Ledger ledger = new Ledger();
    private final Clients clients = new Clients(ledger);
    private final ClientMoney money =
            new ClientMoney(ledger, clients, new Businesses(ledger, new ApiKeys()), new Invoices());
    private final ClientHistory history = new ClientHistory();

    @Test
    void everyMovementIsListedNewestFirstWithAllThreeBalancesAfterItOnEveryPage() {
        final long seed = Long.getLong("settle.seed", System.nanoTime());
        final Random random = new Random(seed);
        final TestBusiness salon = TestBusiness.create();
        final Clients.Client ana = salon.aClient("Ana");
        salon.aClient("Someone else"); // their movements must not show
        final List<long[]> expected = new ArrayList<>(); // after each movement: due, open, credits
        long due = 0;
        long open = 0;
        long credits = 0;
        for (int step = 0; step < 40; step++) {
            final long amount = 1 + random.nextInt(5_000);
            switch (random.nextInt(5)) {
                case 0 -> {
                    pay(ana, amount);
                    open += amount;
                }
                case 1 -> {
                    if (open == 0) {
                        continue;
                    }
                    final long refund = Math.min(open, amount);
                    jdbi.useTransaction(handle -> money.refundOpenPayment(
                            handle,
                            salon.id(),
                            ana.id(),
                            ClientMoney.Payment.of(refund, ClientMoney.Tender.CASH, null, null),
                            Actor.system()));
                    open -= refund;
                }
                case 2 -> {
                    jdbi.useTransaction(handle -> money.issueCredit(
                            handle,
                            salon.id(),
                            ana.id(),
                            ClientMoney.Credit.of(
                                    amount, ClientMoney.CreditReason.GOODWILL, null, Optional.empty(), LocalDate.now()),
                            Actor.system()));
                    credits += amount;
                }
                case 3 -> {
                    salon.charge(ana, amount);
                    due += amount;
                }
                default -> {
                    if (due == 0) {
                        continue;
                    }
                    // An overpayment: pays the balance and keeps the rest (two of Ana's accounts, one entry).
                    final long paid = due + amount;
                    jdbi.useTransaction(handle -> money.receivePayment(
                            handle,
                            salon.id(),
                            ana.id(),
                            ClientMoney.Payment.of(paid, ClientMoney.Tender.CARD, null, null),
                            Actor.system()));
                    open += amount;
                    due = 0;
                }
            }
            expected.add(new long[] {due, open, credits});
        }
        Collections.reverse(expected);

        final List<ClientHistory.Row> rows = everyPage(salon, ana, 3);

        assertThat(rows).as("seed %d", seed).hasSize(expected.size());
        for (int index = 0; index < rows.size(); index++) {
            final ClientHistory.Row row = rows.get(index);
            assertThat(new long[] {row.balanceDueAfterMinor(), row.openPaymentsAfterMinor(), row.creditsAfterMinor()})
                    .as("seed %d, row %d (entry %d)", seed, index, row.entryId())
                    .containsExactly(expected.get(index));
            if (index > 0) {
                assertThat(row.entryId()).isLessThan(rows.get(index - 1).entryId());
                final ClientHistory.Row newer = rows.get(index - 1);
                assertThat(row.balanceDueAfterMinor() + newer.balanceDueChangeMinor())
                        .isEqualTo(newer.balanceDueAfterMinor());
                assertThat(row.openPaymentsAfterMinor() + newer.openPaymentsChangeMinor())
                        .isEqualTo(newer.openPaymentsAfterMinor());
            }
        }
    }

    @Test
    void aFilteredHistoryShowsOnlyThatKindYetTrueRunningBalances() {
        final TestBusiness salon = TestBusiness.create();
        final Clients.Client ana = salon.aClient("Ana");
        pay(ana, 10_00);
        jdbi.useTransaction(handle -> money.issueCredit(
                handle,
                salon.id(),
                ana.id(),
                ClientMoney.Credit.of(5_00, ClientMoney.CreditReason.GOODWILL, null, Optional.empty(), LocalDate.now()),
                Actor.system()));
        pay(ana, 20_00);

        final List<ClientHistory.Row> payments = jdbi.withHandle(handle -> history.page(
                        handle,
                        clients.find(handle, salon.id(), ana.id()).orElseThrow(),
                        new ClientHistory.Filter(Optional.of("open_payment"), Optional.empty(), Optional.empty()),
                        Optional.empty(),
                        10))
                .rows();
        final List<ClientHistory.Row> future = jdbi.withHandle(handle -> history.page(
                        handle,
                        clients.find(handle, salon.id(), ana.id()).orElseThrow(),
                        new ClientHistory.Filter(
                                Optional.empty(),
                                Optional.of(java.time.Instant.now().plusSeconds(60)),
                                Optional.empty()),
                        Optional.empty(),
                        10))
                .rows();

        assertThat(payments)
                .extracting(ClientHistory.Row::openPaymentsAfterMinor)
                .containsExactly(30_00L, 10_00L);
        assertThat(payments).extracting(ClientHistory.Row::creditsAfterMinor).containsExactly(5_00L, 0L);
        assertThat(future).isEmpty();
    }

    @Test
    void entriesWithSeveralLinesOnOneAccountAreNeverSkippedBetweenPages() {
        final TestBusiness salon = TestBusiness.create();
        final Clients.Client ana = salon.aClient("Ana");
        final long invoice = salon.invoiceFor(ana);
        for (int entry = 0; entry < 7; entry++) {
            // Two lines on one account in one entry, as a payment across two invoices has.
            salon.post(
                    "pay_later",
                    PostingRequest.debit(ana.receivable().id(), 1_00).onInvoice(invoice),
                    PostingRequest.debit(ana.receivable().id(), 2_00).onInvoice(invoice),
                    PostingRequest.credit(salon.account(AccountKind.SALES), 3_00));
        }

        final List<ClientHistory.Row> rows = everyPage(salon, ana, 3);

        assertThat(rows).hasSize(7);
        assertThat(rows)
                .extracting(ClientHistory.Row::balanceDueAfterMinor)
                .containsExactly(21_00L, 18_00L, 15_00L, 12_00L, 9_00L, 6_00L, 3_00L);
        assertThat(rows).extracting(ClientHistory.Row::balanceDueChangeMinor).containsOnly(3_00L);
    }

    @Test
    void theFirstRowsOfALongerPageReadOnExactlyLikeAShorterPage() {
        final TestBusiness salon = TestBusiness.create();
        final Clients.Client ana = salon.aClient("Ana");
        for (int entry = 0; entry < 5; entry++) {
            pay(ana, 1_00);
        }
        final Clients.Client client = jdbi.withHandle(handle -> clients.require(handle, salon.id(), ana.id()));

        final ClientHistory.Page short3 = jdbi.withHandle(handle -> history.page(handle, client, Optional.empty(), 3));
        final ClientHistory.Page first3 = jdbi.withHandle(handle -> history.page(handle, client, Optional.empty(), 10))
                .first(3);
        final ClientHistory.Page first10 = jdbi.withHandle(handle -> history.page(handle, client, Optional.empty(), 10))
                .first(10);

        assertThat(first3).isEqualTo(short3);
        assertThat(first10.rows()).hasSize(5);
        assertThat(first10.olderThanEntryId()).isEmpty();
    }

    @Test
    void aCsvCellThatLooksLikeAFormulaIsKeptAsText() {
        assertThat(dev.settle.web.CsvDownload.asText("=HYPERLINK(\"x\")")).isEqualTo("'=HYPERLINK(\"x\")");
        assertThat(dev.settle.web.CsvDownload.asText("@SUM(A1)")).isEqualTo("'@SUM(A1)");
        assertThat(dev.settle.web.CsvDownload.asText("Open payment: Cash")).isEqualTo("Open payment: Cash");
        assertThat(dev.settle.web.CsvDownload.asText("")).isEmpty();
    }

    /** The whole history, read {@code pageSize} rows at a time. */
    private List<ClientHistory.Row> everyPage(TestBusiness salon, Clients.Client client, int pageSize) {
        final List<ClientHistory.Row> rows = new ArrayList<>();
        Optional<Long> cursor = Optional.empty();
        do {
            final Optional<Long> from = cursor;
            final ClientHistory.Page page = jdbi.withHandle(
                    handle -> history.page(handle, clients.require(handle, salon.id(), client.id()), from, pageSize));
            rows.addAll(page.rows());
            cursor = page.olderThanEntryId();
        } while (cursor.isPresent());
        return rows;
    }

    private void pay(Clients.Client client, long amount) {
        jdbi.useTransaction(handle -> money.receiveOpenPayment(
                handle,
                client.businessId(),
                client.id(),
                ClientMoney.Payment.of(amount, ClientMoney.Tender.CARD, null, null),
                Actor.system()));
    }

    @Test
    void aRowNamesOnlyTheInvoicesItsMemoDoesNot() {
        final ClientHistory.Row row = new ClientHistory.Row(
                1,
                java.time.OffsetDateTime.now(),
                "checkout",
                Optional.of("Checkout, invoice 12: Cut, Paid Towards Balance Due"),
                Optional.empty(),
                "Settle",
                Optional.empty(),
                Optional.empty(),
                List.of(9L, 12L, 120L),
                0,
                0,
                0,
                0,
                0,
                0);

        assertThat(row.invoicesNotInMemo()).containsExactly(9L, 120L);
    }
}

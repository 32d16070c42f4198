package dev.settle.ledger;

import static dev.settle.ledger.AccountKind.CARD;
import static dev.settle.ledger.AccountKind.CASH;
import static dev.settle.ledger.AccountKind.CHECK;
import static dev.settle.ledger.AccountKind.SALES;
import static dev.settle.ledger.PostingRequest.credit;
import static dev.settle.ledger.PostingRequest.debit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.settle.Problem;
import dev.settle.clients.Clients;
import dev.settle.invoices.Invoices;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The ledger's behaviour, told with the examples of DOMAIN.md. */
class LedgerTest {
    private final Ledger ledger = new Ledger();
    private final TestBusiness salon = TestBusiness.create();
    private final Clients.Client ana = salon.aClient("Ana");

    @Test
    void payLaterPutsTheRestOfACheckoutOnTheClientsBalanceDueAsUnpaidOnItsInvoice() {
        final long invoice = salon.invoiceFor(ana);
        final PostedEntry checkout = salon.post(
                "checkout",
                debit(salon.account(CASH), 40_00),
                debit(ana.receivable().id(), 60_00).onInvoice(invoice),
                credit(salon.account(SALES), 100_00));

        assertThat(checkout.postings()).hasSize(3);
        assertThat(salon.balance(salon.account(CASH))).isEqualTo(40_00);
        assertThat(salon.balance(ana.receivable().id())).isEqualTo(60_00);
        assertThat(salon.balance(salon.account(SALES))).isEqualTo(100_00);
        assertThat(unpaid(invoice)).isEqualTo(60_00);
    }

    @Test
    void aPaymentLargerThanTheBalanceKeepsTheRestAsAnOpenPayment() {
        final long invoice = salon.invoiceFor(ana);
        salon.post(
                "checkout",
                debit(ana.receivable().id(), 60_00).onInvoice(invoice),
                credit(salon.account(SALES), 60_00));

        salon.post(
                "balance_payment",
                debit(salon.account(CASH), 80_00),
                credit(ana.receivable().id(), 60_00).onInvoice(invoice),
                credit(ana.openPayments().id(), 20_00));

        assertThat(salon.balance(ana.receivable().id())).isZero();
        assertThat(unpaid(invoice)).isZero();
        assertThat(salon.balance(ana.openPayments().id())).isEqualTo(20_00);
    }

    @Test
    void anOpenPaymentByCheckIsAppliedToAnOpenInvoice() {
        final long invoice = salon.invoiceFor(ana);
        salon.post(
                "open_payment",
                debit(salon.account(CHECK), 50_00),
                credit(ana.openPayments().id(), 50_00));
        salon.post(
                "checkout",
                debit(ana.receivable().id(), 70_00).onInvoice(invoice),
                credit(salon.account(SALES), 70_00));

        salon.post(
                "apply_funds",
                debit(ana.openPayments().id(), 50_00),
                credit(ana.receivable().id(), 50_00).onInvoice(invoice));

        assertThat(salon.balance(ana.openPayments().id())).isZero();
        assertThat(salon.balance(ana.receivable().id())).isEqualTo(20_00);
        assertThat(unpaid(invoice)).isEqualTo(20_00);
    }

    @Test
    void aBalanceDueMovesOnlyWithAnInvoiceOfThatClientAndNeverPastWhatIsUnpaid() {
        final Clients.Client ben = salon.aClient("Ben");
        final long bensInvoice = salon.invoiceFor(ben);
        final long anasInvoice = salon.invoiceFor(ana);
        salon.post(
                "checkout",
                debit(ana.receivable().id(), 30_00).onInvoice(anasInvoice),
                credit(salon.account(SALES), 30_00));

        assertThatThrownBy(() -> salon.post(
                        "checkout", debit(ana.receivable().id(), 10_00), credit(salon.account(SALES), 10_00)))
                .isInstanceOfSatisfying(
                        Problem.class,
                        problem -> assertThat(problem.detail()).contains("must name an open invoice of that client"));
        assertThatThrownBy(() -> salon.post(
                        "checkout",
                        debit(ana.receivable().id(), 10_00).onInvoice(bensInvoice),
                        credit(salon.account(SALES), 10_00)))
                .isInstanceOfSatisfying(
                        Problem.class,
                        problem -> assertThat(problem.detail()).contains("must name an open invoice of that client"));
        assertThatThrownBy(() -> salon.post(
                        "checkout",
                        debit(salon.account(CASH), 10_00).onInvoice(anasInvoice),
                        credit(salon.account(SALES), 10_00)))
                .isInstanceOfSatisfying(
                        Problem.class,
                        problem -> assertThat(problem.detail())
                                .contains("only postings to a balance due name an invoice"));
        assertThatThrownBy(() -> salon.post(
                        "balance_payment",
                        debit(salon.account(CASH), 30_01),
                        credit(ana.receivable().id(), 30_01).onInvoice(anasInvoice)))
                .isInstanceOfSatisfying(Problem.class, problem -> {
                    assertThat(problem.kind()).isEqualTo(Problem.Kind.OVERPAID);
                    assertThat(problem.detail()).contains("has 3000 unpaid but the entry pays 3001");
                });
        assertThat(salon.balance(ana.receivable().id())).isEqualTo(30_00);
        assertThat(unpaid(anasInvoice)).isEqualTo(30_00);
        assertThat(salon.balance(salon.account(CASH))).isZero();
    }

    @Test
    void spendingMoreThanTheClientHoldsIsRefusedNamingTheAccountAndChangesNothing() {
        salon.post(
                "open_payment",
                debit(salon.account(CASH), 10_00),
                credit(ana.openPayments().id(), 10_00));

        assertThatThrownBy(() -> salon.post(
                        "checkout", debit(ana.openPayments().id(), 10_01), credit(salon.account(SALES), 10_01)))
                .isInstanceOfSatisfying(Problem.class, problem -> {
                    assertThat(problem.kind()).isEqualTo(Problem.Kind.INSUFFICIENT_FUNDS);
                    assertThat(problem.detail())
                            .contains("account " + ana.openPayments().id())
                            .contains("open_payments")
                            .contains("holds 1000")
                            .contains("takes 1001");
                });
        assertThat(salon.balance(ana.openPayments().id())).isEqualTo(10_00);
        assertThat(salon.balance(salon.account(SALES))).isZero();
    }

    @Test
    void anEntryWithOnePostingOrThatDoesNotBalanceIsRefusedByTheDatabaseItself() {
        // EntryRequest refuses these in Java; the database must refuse them on its own too.
        final String sql =
                "select * from ledger_post(:business, 'bad', null, null, null, null, null, null, null, null, :accounts, :amounts,"
                        + " :invoices)";
        assertThatThrownBy(() -> TestDatabase.get()
                        .jdbi()
                        .useHandle(handle -> handle.createQuery(sql)
                                .bind("business", salon.id())
                                .bind("accounts", new long[] {salon.account(CASH)})
                                .bind("amounts", new long[] {0})
                                .bind("invoices", new Long[] {null})
                                .mapToMap()
                                .list()))
                .hasMessageContaining("at least two postings");
        assertThatThrownBy(() -> TestDatabase.get()
                        .jdbi()
                        .useHandle(handle -> handle.createQuery(sql)
                                .bind("business", salon.id())
                                .bind("accounts", new long[] {salon.account(CASH), salon.account(SALES)})
                                .bind("amounts", new long[] {100, -99})
                                .bind("invoices", new Long[] {null, null})
                                .mapToMap()
                                .list()))
                .hasMessageContaining("sum to zero");
    }

    @Test
    void anAccountOnSeveralLinesOfOneEntryGetsAVersionAndRunningBalancePerLine() {
        salon.post("checkout", debit(salon.account(CASH), 3_00), credit(salon.account(SALES), 3_00));

        final PostedEntry split = salon.post(
                "checkout",
                debit(salon.account(CASH), 10_00),
                credit(salon.account(SALES), 15_00),
                debit(salon.account(CASH), 5_00));

        assertThat(split.postings())
                .filteredOn(posting -> posting.accountId() == salon.account(CASH))
                .extracting(PostedEntry.Posting::accountVersion, PostedEntry.Posting::balanceAfterMinor)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(2L, 13_00L),
                        org.assertj.core.groups.Tuple.tuple(3L, 18_00L));
        assertThat(salon.balance(salon.account(CASH))).isEqualTo(18_00);
        assertThat(TestDatabase.get().jdbi().withHandle(new Verifier()::verify).violations())
                .isEmpty();
    }

    @Test
    void severalEntriesPostedInOneCallEachGetTheirOwnPostingsAndRunningBalances() {
        final List<PostedEntry> posted = TestDatabase.get()
                .jdbi()
                .inTransaction(handle -> ledger.postAll(
                        handle,
                        List.of(
                                entry(debit(salon.account(CASH), 10_00), credit(salon.account(SALES), 10_00)),
                                entry(
                                        debit(salon.account(CARD), 7_00),
                                        debit(salon.account(CASH), 1_00),
                                        credit(salon.account(SALES), 8_00)))));

        assertThat(posted).hasSize(2);
        assertThat(posted.get(0).postings())
                .extracting(PostedEntry.Posting::balanceAfterMinor)
                .containsExactly(10_00L, 10_00L);
        assertThat(posted.get(1).postings()).hasSize(3);
        assertThat(posted.get(1).id()).isGreaterThan(posted.get(0).id());
        assertThat(salon.balance(salon.account(SALES))).isEqualTo(18_00);
        assertThat(salon.balance(salon.account(CASH))).isEqualTo(11_00);
    }

    private EntryRequest entry(PostingRequest... postings) {
        return EntryRequest.bySystem(salon.id(), "checkout", List.of(postings));
    }

    @Test
    void historyRecordedLateKeepsItsDateAndBalancesAsOfThatTimeReadRight() {
        // PostgreSQL keeps microseconds.
        final OffsetDateTime lastMonth = OffsetDateTime.now().minusDays(30).truncatedTo(ChronoUnit.MICROS);
        final OffsetDateTime lastWeek = OffsetDateTime.now().minusDays(7).truncatedTo(ChronoUnit.MICROS);
        final var db = TestDatabase.get().jdbi();
        final long invoice = salon.invoiceFor(ana);

        final PostedEntry monthOld = db.inTransaction(handle -> ledger.postDated(
                handle,
                EntryRequest.bySystem(
                        salon.id(),
                        "checkout",
                        List.of(
                                debit(ana.receivable().id(), 60_00).onInvoice(invoice),
                                credit(salon.account(SALES), 60_00))),
                lastMonth));
        db.inTransaction(handle -> ledger.postDated(
                handle,
                EntryRequest.bySystem(
                        salon.id(),
                        "balance_payment",
                        List.of(
                                debit(salon.account(CASH), 20_00),
                                credit(ana.receivable().id(), 20_00).onInvoice(invoice))),
                lastWeek));

        assertThat(monthOld.effectiveAt().toInstant()).isEqualTo(lastMonth.toInstant());
        db.useHandle(handle -> {
            final long receivable = ana.receivable().id();
            assertThat(ledger.balanceAt(
                            handle,
                            salon.id(),
                            receivable,
                            lastMonth.minusSeconds(1).toInstant()))
                    .isZero();
            assertThat(ledger.balanceAt(
                            handle,
                            salon.id(),
                            receivable,
                            lastMonth.plusDays(1).toInstant()))
                    .isEqualTo(60_00);
            assertThat(ledger.balanceAt(handle, salon.id(), receivable, Instant.now()))
                    .isEqualTo(40_00);
        });
    }

    @Test
    void anEntryCannotBeDatedInTheFutureNorBeforeItsAccountsLatestPosting() {
        final var db = TestDatabase.get().jdbi();
        final EntryRequest sale = EntryRequest.bySystem(
                salon.id(),
                "checkout",
                List.of(debit(salon.account(CASH), 10_00), credit(salon.account(SALES), 10_00)));
        salon.post("checkout", debit(salon.account(CASH), 5_00), credit(salon.account(SALES), 5_00));

        assertThatThrownBy(() -> db.useTransaction(handle ->
                        ledger.postDated(handle, sale, OffsetDateTime.now().plusHours(1))))
                .isInstanceOf(Problem.class)
                .hasMessageContaining("an entry cannot be dated in the future");
        assertThatThrownBy(() -> db.useTransaction(handle ->
                        ledger.postDated(handle, sale, OffsetDateTime.now().minusDays(1))))
                .isInstanceOf(Problem.class)
                .hasMessageContaining("an entry cannot be dated before the latest posting of an account it moves");
        assertThat(salon.balance(salon.account(CASH))).isEqualTo(5_00);
    }

    @Test
    void anotherBusinesssAccountCannotBePostedTo() {
        final TestBusiness spa = TestBusiness.create();

        assertThatThrownBy(() ->
                        salon.post("checkout", debit(salon.account(CASH), 5_00), credit(spa.account(SALES), 5_00)))
                .isInstanceOfSatisfying(
                        Problem.class, problem -> assertThat(problem.kind()).isEqualTo(Problem.Kind.NOT_FOUND));
        assertThat(spa.balance(spa.account(SALES))).isZero();
    }

    @Test
    void aReversalMirrorsTheOriginalAndCanHappenOnlyOnce() {
        final PostedEntry sale =
                salon.post("checkout", debit(salon.account(CARD), 25_00), credit(salon.account(SALES), 25_00));

        final PostedEntry reversal = reverse(sale.id());

        assertThat(reversal.reversesEntryId()).contains(sale.id());
        assertThat(salon.balance(salon.account(CARD))).isZero();
        assertThat(salon.balance(salon.account(SALES))).isZero();
        assertThatThrownBy(() -> reverse(sale.id()))
                .isInstanceOfSatisfying(
                        Problem.class, problem -> assertThat(problem.kind()).isEqualTo(Problem.Kind.ALREADY_REVERSED));
        assertThatThrownBy(() -> reverse(reversal.id()))
                .isInstanceOfSatisfying(
                        Problem.class, problem -> assertThat(problem.kind()).isEqualTo(Problem.Kind.REVERSAL_REFUSED));
    }

    @Test
    void reversingAnOpenPaymentThatWasAlreadySpentIsRefused() {
        final PostedEntry received = salon.post(
                "open_payment",
                debit(salon.account(CASH), 10_00),
                credit(ana.openPayments().id(), 10_00));
        salon.post("checkout", debit(ana.openPayments().id(), 4_00), credit(salon.account(SALES), 4_00));

        assertThatThrownBy(() -> reverse(received.id()))
                .isInstanceOfSatisfying(
                        Problem.class,
                        problem -> assertThat(problem.kind()).isEqualTo(Problem.Kind.INSUFFICIENT_FUNDS));
        assertThat(salon.balance(ana.openPayments().id())).isEqualTo(6_00);
    }

    @Test
    void theBalanceAsOfAnyInstantIsTheSumOfThePostingsUpToThen() throws InterruptedException {
        final Instant beforeAnything = Instant.now();
        Thread.sleep(5);
        salon.post(
                "open_payment",
                debit(salon.account(CASH), 30_00),
                credit(ana.openPayments().id(), 30_00));
        Thread.sleep(5);
        final Instant afterFirst = Instant.now();
        Thread.sleep(5);
        salon.post(
                "open_payment",
                debit(salon.account(CASH), 12_00),
                credit(ana.openPayments().id(), 12_00));

        final long openPayments = ana.openPayments().id();
        assertThat(balanceAt(openPayments, beforeAnything)).isZero();
        assertThat(balanceAt(openPayments, afterFirst))
                .isEqualTo(30_00)
                .isEqualTo(sumOfPostingsUpTo(openPayments, afterFirst));
        assertThat(balanceAt(openPayments, Instant.now())).isEqualTo(42_00).isEqualTo(salon.balance(openPayments));
    }

    @Test
    void historyListsAnAccountsPostingsNewestFirstWithTheRunningBalance() {
        salon.post(
                "open_payment",
                debit(salon.account(CASH), 30_00),
                credit(ana.openPayments().id(), 30_00));
        salon.post("checkout", debit(ana.openPayments().id(), 10_00), credit(salon.account(SALES), 10_00));

        final var history = TestDatabase.get()
                .jdbi()
                .withHandle(handle ->
                        ledger.history(handle, salon.id(), ana.openPayments().id(), 50, Optional.empty()));

        assertThat(history).extracting(Ledger.AccountPosting::balanceAfterMinor).containsExactly(20_00L, 30_00L);
        assertThat(history).extracting(Ledger.AccountPosting::entryKind).containsExactly("checkout", "open_payment");
    }

    private long unpaid(long invoiceId) {
        return TestDatabase.get()
                .jdbi()
                .withHandle(handle -> new Invoices().find(handle, salon.id(), invoiceId))
                .orElseThrow()
                .unpaidMinor();
    }

    private PostedEntry reverse(long entryId) {
        return TestDatabase.get()
                .jdbi()
                .inTransaction(handle -> ledger.reverse(
                        handle, salon.id(), entryId, Actor.system(), Optional.empty(), Optional.empty()));
    }

    private long balanceAt(long accountId, Instant at) {
        return TestDatabase.get().jdbi().withHandle(handle -> ledger.balanceAt(handle, salon.id(), accountId, at));
    }

    private long sumOfPostingsUpTo(long accountId, Instant at) {
        return TestDatabase.get()
                .jdbi()
                .withHandle(handle -> handle.createQuery("""
                        select -coalesce(sum(amount_minor), 0) from postings
                        where business_id = :business and account_id = :account and posted_at <= :at
                        """)
                        .bind("business", salon.id())
                        .bind("account", accountId)
                        .bind("at", java.time.OffsetDateTime.ofInstant(at, java.time.ZoneOffset.UTC))
                        .mapTo(Long.class)
                        .one());
    }
}

package dev.settle.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.business.Role;
import dev.settle.clients.Clients;
import dev.settle.ledger.AccountKind;
import dev.settle.support.StaffSession;
import dev.settle.support.TestApp;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * The trial balance and receivables aging as of an instant reconcile to the ledger: debits equal
 * credits, and aging's total is the receivable line, now and as of an earlier day.
 */
class ReportsTest {
    private static final ZoneId ZONE = ZoneId.of("America/New_York");
    private final Jdbi jdbi = TestDatabase.get().jdbi();
    private final Reports reports = new Reports();
    private final TestBusiness salon = TestBusiness.create();
    private final Clients.Client ana = salon.aClient("Ana Silva");
    private final Clients.Client ben = salon.aClient("Ben Okafor");
    private final OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);

    ReportsTest() {
        // Dated entries go in time order: each account's postings stay in time order (decision 0007).
        salon.charge(ben, 50_00, now.minusDays(100));
        salon.charge(ana, 100_00, now.minusDays(45));
        salon.charge(ana, 20_00, now.minusDays(5));
        salon.charge(ana, 7_00);
        salon.payment(ana, 30_00);
    }

    @Test
    void agingPutsWhatEachClientOwesInBucketsByInvoiceAgeAndTotalsTheReceivableLine() {
        final Reports.Aging aging = jdbi.withHandle(handle -> reports.aging(handle, salon.id(), Instant.now(), ZONE));
        final Reports.TrialBalance balance =
                jdbi.withHandle(handle -> reports.trialBalance(handle, salon.id(), Instant.now()));

        final Reports.AgingRow anas = aging.rows().getFirst();
        assertThat(anas.clientName()).isEqualTo("Ana Silva");
        assertThat(anas.inBucket(Reports.Bucket.CURRENT)).isEqualTo(7_00);
        assertThat(anas.inBucket(Reports.Bucket.DAYS_1_30)).isEqualTo(20_00);
        assertThat(anas.inBucket(Reports.Bucket.DAYS_31_60))
                .as("paid oldest first")
                .isEqualTo(70_00);
        assertThat(aging.rows().get(1).inBucket(Reports.Bucket.OVER_90)).isEqualTo(50_00);
        assertThat(aging.totalMinor()).isEqualTo(147_00);
        assertThat(receivable(balance)).isEqualTo(aging.totalMinor());
        assertThat(balance.debitsMinor()).isEqualTo(balance.creditsMinor());
        assertThat(receivable(balance))
                .isEqualTo(salon.balance(ana.receivable().id())
                        + salon.balance(ben.receivable().id()));
    }

    @Test
    void asOfAnEarlierDayLaterEntriesAreLeftOutAndInvoicesAreAgedFromThatDay() {
        final Instant tenDaysAgo = now.minusDays(10).toInstant();

        final Reports.Aging aging = jdbi.withHandle(handle -> reports.aging(handle, salon.id(), tenDaysAgo, ZONE));
        final Reports.TrialBalance balance =
                jdbi.withHandle(handle -> reports.trialBalance(handle, salon.id(), tenDaysAgo));

        assertThat(aging.totalMinor()).isEqualTo(150_00);
        assertThat(aging.rows().getFirst().inBucket(Reports.Bucket.DAYS_31_60)).isEqualTo(100_00);
        assertThat(aging.rows().get(1).inBucket(Reports.Bucket.DAYS_61_90)).isEqualTo(50_00);
        assertThat(receivable(balance)).isEqualTo(150_00);
        assertThat(balance.debitsMinor()).isEqualTo(balance.creditsMinor());
        assertThat(jdbi.withHandle(handle -> reports.trialBalance(
                                handle, salon.id(), now.minusDays(200).toInstant()))
                        .debitsMinor())
                .isZero();
    }

    @Test
    void managersReadTheReportsAsPagesAndCsvAndAFutureDayIsShownBesideTheField() {
        final StaffSession manager = StaffSession.signIn(salon.staff(Role.MANAGER));
        final StaffSession desk = StaffSession.signIn(salon.staff(Role.FRONT_DESK));

        final TestApp.Reply page = manager.get("/reports/aging");
        final TestApp.Reply csv = manager.get("/reports/trial-balance?format=csv");
        final TestApp.Reply future = manager.get("/reports/trial-balance?asOf=2999-01-01");
        salon.charge(salon.aClient("=HYPERLINK(\"x\")"), 1_00);
        final TestApp.Reply agingCsv = manager.get("/reports/aging?format=csv");
        final TestApp.Reply refused = desk.get("/reports/aging");

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("Ana Silva", "Ben Okafor", "$147.00");
        assertThat(csv.contentType()).startsWith("text/csv");
        assertThat(csv.body())
                .contains("account,accounts,debit_minor,credit_minor,currency")
                .contains("receivable,2,14700,0,USD");
        assertThat(agingCsv.body()).contains("\"'=HYPERLINK(\"\"x\"\")\"");
        assertThat(future.status()).isEqualTo(422);
        assertThat(future.body()).contains("Choose a date up to today");
        assertThat(refused.status()).isNotEqualTo(200);
    }

    @Test
    void storedValueLiabilityListsEachSourceAndEachPartEqualsItsLedgerAccounts() {
        salon.credit(ben, 10_00, java.util.Optional.empty(), now.minusDays(3));
        salon.openPayment(ben, 25_00);
        salon.credit(ana, 4_00);
        salon.giftCard(30_00);
        final Instant threeDaysAgo = now.minusDays(2).toInstant();

        final Reports.Liability liability =
                jdbi.withHandle(handle -> reports.liability(handle, salon.id(), Instant.now()));
        final Reports.Liability earlier =
                jdbi.withHandle(handle -> reports.liability(handle, salon.id(), threeDaysAgo));
        final Reports.TrialBalance ledger =
                jdbi.withHandle(handle -> reports.trialBalance(handle, salon.id(), Instant.now()));

        assertThat(liability.openPayments())
                .singleElement()
                .satisfies(holding -> assertThat(holding.holder()).isEqualTo("Ben Okafor"))
                .satisfies(holding -> assertThat(holding.balanceMinor()).isEqualTo(25_00));
        assertThat(liability.credits()).containsExactly(new Reports.SourceLine("goodwill", 2, 14_00));
        assertThat(liability.giftCards()).containsExactly(new Reports.SourceLine("promotion", 1, 30_00));
        assertThat(liability.openPaymentsMinor()).isEqualTo(held(ledger, AccountKind.OPEN_PAYMENTS));
        assertThat(liability.creditsMinor()).isEqualTo(held(ledger, AccountKind.CREDITS));
        assertThat(liability.giftCardsMinor()).isEqualTo(held(ledger, AccountKind.GIFT_CARD));
        assertThat(earlier.totalMinor())
                .as("only the credit given three days ago")
                .isEqualTo(10_00);
    }

    @Test
    void tenderSummaryGivesEachDaysTakingsAndRefundsAndEqualsTheClearingPostings() {
        final long cashBefore = salon.balance(salon.account(AccountKind.CASH));
        salon.openPayment(ben, 25_00);
        salon.refundOpenPayment(ben, 5_00);
        final java.time.LocalDate today = java.time.LocalDate.now(ZONE);
        final StaffSession manager = StaffSession.signIn(salon.staff(Role.MANAGER));

        final Reports.TenderSummary summary =
                jdbi.withHandle(handle -> reports.tenderSummary(handle, salon.id(), today.minusDays(200), today, ZONE));
        final TestApp.Reply csv = manager.get("/reports/tenders?format=csv");
        final TestApp.Reply backwards = manager.get("/reports/tenders?from=" + today + "&to=" + today.minusDays(1));

        final Reports.TenderDay cashToday = summary.on(today).stream()
                .filter(day -> day.tender() == AccountKind.CASH)
                .findFirst()
                .orElseThrow();
        assertThat(cashToday.takenMinor()).isEqualTo(30_00 + 25_00);
        assertThat(cashToday.refundedMinor()).isEqualTo(5_00);
        assertThat(summary.total(AccountKind.CASH).netMinor())
                .isEqualTo(salon.balance(salon.account(AccountKind.CASH)))
                .isEqualTo(cashBefore + 20_00);
        assertThat(csv.body()).contains(today + ",cash,5500,500,5000,USD");
        assertThat(backwards.status()).isEqualTo(422);
        assertThat(backwards.body()).contains("Choose a first day on or before the last day");
    }

    @Test
    void breakageListsValueUntouchedForTheDormantMonthsAndCreditsThatExpired() {
        final TestBusiness spa = TestBusiness.create();
        final Clients.Client cleo = spa.aClient("Cleo Park");
        final Clients.Client dev = spa.aClient("Dev Rao");
        spa.credit(
                dev, 6_00, java.util.Optional.of(java.time.LocalDate.now(ZONE).minusDays(2)), now.minusDays(500));
        spa.giftCard(40_00, now.minusDays(400));
        spa.openPayment(cleo, 15_00, now.minusDays(390));
        spa.giftCard(20_00);
        spa.openPayment(dev, 9_00);
        new dev.settle.clients.CreditExpiry(jdbi, new dev.settle.ledger.Ledger()).expireDue(Instant.now());
        final StaffSession manager = StaffSession.signIn(spa.staff(Role.MANAGER));

        final Reports.Breakage breakage =
                jdbi.withHandle(handle -> reports.breakage(handle, spa.id(), Instant.now(), ZONE, 12));
        final TestApp.Reply page = manager.get("/reports/breakage");

        assertThat(breakage.giftCards())
                .extracting(Reports.Holding::balanceMinor)
                .containsExactly(40_00L);
        assertThat(breakage.openPayments()).extracting(Reports.Holding::holder).containsExactly("Cleo Park");
        assertThat(breakage.expiredCredits())
                .singleElement()
                .satisfies(holding -> assertThat(holding.holder()).isEqualTo("Dev Rao"))
                .satisfies(holding -> assertThat(holding.balanceMinor()).isEqualTo(6_00));
        assertThat(jdbi.withHandle(handle -> reports.breakage(handle, spa.id(), Instant.now(), ZONE, 24))
                        .giftCards())
                .as("not dormant for 24 months yet")
                .isEmpty();
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("Cleo Park", "$40.00", "12 months");
    }

    private static long held(Reports.TrialBalance balance, AccountKind kind) {
        return balance.lines().stream()
                .filter(line -> line.kind() == kind)
                .mapToLong(line -> line.creditMinor() - line.debitMinor())
                .sum();
    }

    private static long receivable(Reports.TrialBalance balance) {
        return balance.lines().stream()
                .filter(line -> line.kind() == AccountKind.RECEIVABLE)
                .mapToLong(line -> line.debitMinor() - line.creditMinor())
                .sum();
    }
}

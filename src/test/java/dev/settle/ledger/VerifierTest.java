package dev.settle.ledger;

import static dev.settle.ledger.PostingRequest.credit;
import static dev.settle.ledger.PostingRequest.debit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Invariant 2 is checked by verify, and verify notices when a stored balance drifts. */
class VerifierTest {

    @Test
    void verifyReportsAStoredBalanceThatNoLongerEqualsItsPostings() {
        final TestBusiness salon = TestBusiness.create();
        salon.post(
                "checkout",
                debit(salon.account(AccountKind.CASH), 10_00),
                credit(salon.account(AccountKind.SALES), 10_00));
        final long cash = salon.account(AccountKind.CASH);
        final var jdbi = TestDatabase.get().jdbi();

        try {
            jdbi.useHandle(handle -> handle.execute(
                    "update accounts set balance_minor = balance_minor + 1 where business_id = ? and id = ?",
                    salon.id(),
                    cash));

            final Verifier.Report report = jdbi.withHandle(new Verifier()::verify);

            assertThat(report.ok()).isFalse();
            assertThat(report.violations())
                    .anySatisfy(violation ->
                            assertThat(violation).contains("stored balance").contains("/" + cash + " (cash)"));
        } finally {
            jdbi.useHandle(handle -> handle.execute(
                    "update accounts set balance_minor = balance_minor - 1 where business_id = ? and id = ?",
                    salon.id(),
                    cash));
        }
        assertThat(jdbi.withHandle(new Verifier()::verify).violations()).isEmpty();
    }

    @Test
    void verifyReportsABalanceDueThatIsNotItsUnpaidInvoicesAndCreditsThatAreNotTheirGrants() {
        final TestBusiness salon = TestBusiness.create();
        final var ana = salon.aClient("Ana");
        salon.charge(ana, 30_00);
        salon.credit(ana, 10_00);
        final var jdbi = TestDatabase.get().jdbi();
        final String drift = """
                update invoices set unpaid_minor = unpaid_minor + %1$d where business_id = %2$d;
                update credit_grants set remaining_minor = remaining_minor - %1$d where business_id = %2$d;
                """;

        try {
            jdbi.useHandle(handle ->
                    handle.createScript(drift.formatted(1, salon.id())).execute());

            final List<String> violations =
                    jdbi.withHandle(new Verifier()::verify).violations();

            assertThat(violations)
                    .anySatisfy(violation -> assertThat(violation).startsWith("invoice whose unpaid amount differs"))
                    .anySatisfy(violation -> assertThat(violation)
                            .startsWith("client whose balance due is not the sum of their unpaid invoices")
                            .contains("balance due 3000, unpaid invoices 3001"))
                    .anySatisfy(violation -> assertThat(violation)
                            .startsWith("client whose credits are not what is left of their credit grants"))
                    .anySatisfy(violation -> assertThat(violation)
                            .startsWith("credit grant whose remainder is not its amount less its uses"));
        } finally {
            jdbi.useHandle(handle ->
                    handle.createScript(drift.formatted(-1, salon.id())).execute());
        }
        assertThat(jdbi.withHandle(new Verifier()::verify).violations()).isEmpty();
    }

    @Test
    void verifyReportsAVoidGiftCardThatStillHoldsValue() {
        final TestBusiness salon = TestBusiness.create();
        final long card = salon.giftCard(20_00).card().id();
        final var jdbi = TestDatabase.get().jdbi();
        final String marked = "update gift_cards set voided_at = %s where business_id = %d and id = %d";

        try {
            jdbi.useHandle(handle -> handle.execute(marked.formatted("now()", salon.id(), card)));

            assertThat(jdbi.withHandle(new Verifier()::verify).violations())
                    .anySatisfy(violation -> assertThat(violation)
                            .isEqualTo("void gift card that still holds value: gift card " + salon.id() + "/" + card
                                    + " is void but holds 2000"));
        } finally {
            jdbi.useHandle(handle -> handle.execute(marked.formatted("null", salon.id(), card)));
        }
        assertThat(jdbi.withHandle(new Verifier()::verify).violations()).isEmpty();
    }

    @Test
    void verifyReportsTenderTotalsThatDifferFromTheirPostings() {
        final TestBusiness salon = TestBusiness.create();
        salon.post(
                "checkout",
                debit(salon.account(AccountKind.CARD), 10_00),
                credit(salon.account(AccountKind.SALES), 10_00));
        final long card = salon.account(AccountKind.CARD);
        final var jdbi = TestDatabase.get().jdbi();
        new dev.settle.reports.TenderQuarters().catchUp(jdbi);
        final String drift =
                "update tender_quarters set taken_minor = taken_minor + %d where business_id = %d and account_id = %d";

        try {
            jdbi.useHandle(handle -> handle.execute(drift.formatted(1, salon.id(), card)));

            assertThat(jdbi.withHandle(new Verifier()::verify).violations())
                    .anySatisfy(violation -> assertThat(violation)
                            .startsWith(
                                    "tender quarter hour whose totals differ from its postings summed so far: tender account "
                                            + salon.id() + "/" + card)
                            .endsWith("stored 1001 taken, 0 refunded; postings say 1000, 0"));
        } finally {
            jdbi.useHandle(handle -> handle.execute(drift.formatted(-1, salon.id(), card)));
        }
        assertThat(jdbi.withHandle(new Verifier()::verify).violations()).isEmpty();
    }

    /** Reports find what happened after an instant by the postings' time (V23), so it must be the entry's. */
    @Test
    void verifyReportsAPostingWhoseTimeIsNotItsEntrys() {
        final TestBusiness salon = TestBusiness.create();
        salon.post(
                "checkout",
                debit(salon.account(AccountKind.CASH), 10_00),
                credit(salon.account(AccountKind.SALES), 10_00));
        final long cash = salon.account(AccountKind.CASH);

        // Postings cannot be changed; with triggers off for one transaction that is rolled back, one is.
        final List<String> violations = TestDatabase.get().jdbi().inTransaction(handle -> {
            handle.execute("set local session_replication_role = replica");
            handle.execute(
                    "update postings set posted_at = posted_at + interval '1 second' where business_id = ? and account_id = ?",
                    salon.id(),
                    cash);
            final List<String> found = new Verifier().verify(handle).violations();
            handle.rollback();
            return found;
        });

        assertThat(violations)
                .anySatisfy(violation -> assertThat(violation)
                        .startsWith(
                                "posting whose time is not its entry's: posting " + salon.id() + "/" + cash + " v1"));
        assertThat(TestDatabase.get().jdbi().withHandle(new Verifier()::verify).violations())
                .isEmpty();
    }

    @Test
    void theDatabaseRefusesAStoredValueBalanceBelowZeroEvenOutsideTheLedgerFunction() {
        final TestBusiness salon = TestBusiness.create();
        final long credits = salon.aClient("Ana").credits().id();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestDatabase.get()
                        .jdbi()
                        .useHandle(handle -> handle.execute(
                                "update accounts set balance_minor = -1 where business_id = ? and id = ?",
                                salon.id(),
                                credits)))
                .hasMessageContaining("stored_value_never_negative");
    }
}

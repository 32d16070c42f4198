package dev.settle.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.settle.Problem;
import dev.settle.business.ApiKeys;
import dev.settle.business.Businesses;
import dev.settle.business.Role;
import dev.settle.invoices.Invoices;
import dev.settle.ledger.Actor;
import dev.settle.ledger.Ledger;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import dev.settle.support.TestStaff;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** A manual change above the limit waits, moves nothing, and needs a second manager. */
class ApprovalsTest {
    private final Jdbi jdbi = TestDatabase.get().jdbi();
    private final Ledger ledger = new Ledger();
    private final Clients clients = new Clients(ledger);
    private final ClientMoney money =
            new ClientMoney(ledger, clients, new Businesses(ledger, new ApiKeys()), new Invoices());
    private final Approvals approvals = new Approvals(money);
    private final TestBusiness salon = TestBusiness.create();
    private final Clients.Client ana = salon.aClient("Ana");
    private final TestStaff asker = salon.staff(Role.MANAGER);
    private final TestStaff approver = salon.staff(Role.MANAGER);

    @Test
    void aChargeAboveTheLimitWaitsUntilAnotherManagerApprovesItThenMovesAsAsked() {
        limit(50_00);

        final Approvals.Result result = charge(80_00, "Damaged kennel");

        assertThat(result).isInstanceOf(Approvals.Result.Waiting.class);
        final long approvalId = ((Approvals.Result.Waiting) result).pending().id();
        assertThat(salon.balance(ana.receivable().id())).isZero();
        assertThat(waiting(Optional.of(ana.id())))
                .extracting(Approvals.Pending::why)
                .containsExactly("Damaged kennel");
        assertThatThrownBy(() -> approve(approvalId, asker))
                .isInstanceOfSatisfying(
                        Problem.class,
                        problem -> assertThat(problem.detail())
                                .isEqualTo("A different manager must approve this: you asked for it yourself"));
        assertThat(salon.balance(ana.receivable().id())).isZero();

        final ClientMoney.Outcome outcome = approve(approvalId, approver);

        assertThat(outcome.client().receivable().balanceMinor()).isEqualTo(80_00);
        final ClientHistory.Row row = jdbi.withHandle(handle -> new ClientHistory()
                        .page(handle, clients.require(handle, salon.id(), ana.id()), Optional.empty(), 1))
                .rows()
                .getFirst();
        assertThat(row.by()).isEqualTo(asker.name() + ", approved by " + approver.name());
        assertThat(waiting(Optional.empty())).isEmpty();
        assertThatThrownBy(() -> approve(approvalId, approver))
                .isInstanceOfSatisfying(
                        Problem.class, problem -> assertThat(problem.kind()).isEqualTo(Problem.Kind.CONFLICT));
        assertThat(salon.balance(ana.receivable().id())).isEqualTo(80_00);
    }

    @Test
    void aRejectedChangeNeverMovesAndAChangeWithinTheLimitMovesAtOnce() {
        limit(50_00);

        final long approvalId =
                ((Approvals.Result.Waiting) charge(50_01, "Too much")).pending().id();
        jdbi.useTransaction(handle -> approvals.reject(handle, salon.id(), approvalId, approver.id()));
        final Approvals.Result within = charge(50_00, "Fee");

        assertThat(within).isInstanceOf(Approvals.Result.Done.class);
        assertThat(salon.balance(ana.receivable().id())).isEqualTo(50_00);
        assertThatThrownBy(() -> approve(approvalId, approver))
                .isInstanceOfSatisfying(
                        Problem.class,
                        problem -> assertThat(problem.detail())
                                .isEqualTo("This change was already rejected by someone else"));
    }

    @Test
    void aRefundApprovedAfterTheMoneyWasSpentIsRefusedAndStaysWaiting() {
        limit(10_00);
        salon.openPayment(ana, 30_00);
        final long approvalId = ((Approvals.Result.Waiting) jdbi.inTransaction(handle -> approvals.submit(
                        handle,
                        salon.id(),
                        ana.id(),
                        Approvals.Kind.REFUND,
                        25_00,
                        Map.of("tender", "cash"),
                        Actor.staff(asker.id()),
                        () -> {
                            throw new AssertionError("must wait");
                        })))
                .pending()
                .id();
        salon.charge(ana, 20_00);
        jdbi.useTransaction(handle -> money.applyFunds(
                handle, salon.id(), ana.id(), ClientMoney.Funds.OPEN_PAYMENTS, Optional.empty(), Actor.system()));

        assertThatThrownBy(() -> approve(approvalId, approver))
                .isInstanceOfSatisfying(
                        Problem.class,
                        problem -> assertThat(problem.kind()).isEqualTo(Problem.Kind.INSUFFICIENT_FUNDS));
        assertThat(waiting(Optional.empty())).hasSize(1);
        assertThat(salon.balance(ana.openPayments().id())).isEqualTo(10_00);
    }

    private java.util.List<Approvals.Pending> waiting(Optional<Long> clientId) {
        return jdbi.withHandle(handle -> approvals.waiting(handle, salon.id(), clientId));
    }

    private Approvals.Result charge(long amountMinor, String reason) {
        final ClientMoney.Charge charge = ClientMoney.Charge.of(amountMinor, reason);
        return jdbi.inTransaction(handle -> approvals.submit(
                handle,
                salon.id(),
                ana.id(),
                Approvals.Kind.CHARGE,
                amountMinor,
                Map.of("reason", reason),
                Actor.staff(asker.id()),
                () -> money.charge(handle, salon.id(), ana.id(), charge, Actor.staff(asker.id()))));
    }

    private ClientMoney.Outcome approve(long approvalId, TestStaff manager) {
        return jdbi.inTransaction(
                handle -> approvals.approve(handle, salon.id(), approvalId, manager.id(), LocalDate.now()));
    }

    private void limit(long limitMinor) {
        jdbi.useHandle(handle -> handle.execute(
                "update businesses set adjustment_approval_limit_minor = ? where id = ?", limitMinor, salon.id()));
    }
}

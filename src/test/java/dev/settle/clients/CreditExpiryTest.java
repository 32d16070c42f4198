package dev.settle.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.business.ApiKeys;
import dev.settle.business.Businesses;
import dev.settle.invoices.Invoices;
import dev.settle.ledger.AccountKind;
import dev.settle.ledger.Actor;
import dev.settle.ledger.Ledger;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

class CreditExpiryTest {
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private final Jdbi jdbi = TestDatabase.get().jdbi();
    private final Ledger ledger = new Ledger();
    private final Clients clients = new Clients(ledger);
    private final ClientMoney money =
            new ClientMoney(ledger, clients, new Businesses(ledger, new ApiKeys()), new Invoices());
    private final CreditExpiry expiry = new CreditExpiry(jdbi, ledger);

    @Test
    void whatIsLeftOfACreditExpiresWhenItsLastDayEndsInTheBusinesssTimeZone() {
        final TestBusiness salon = TestBusiness.create();
        final Clients.Client ana = salon.aClient("Ana");
        final LocalDate today = LocalDate.now(NEW_YORK);
        issue(salon, ana, 10_00, today.plusDays(1));
        issue(salon, ana, 5_00, today.plusDays(30));
        issue(salon, ana, 7_00, null);
        final Instant lastMomentOfTomorrow =
                today.plusDays(2).atStartOfDay(NEW_YORK).toInstant().minusSeconds(1);
        final Instant startOfTheDayAfter =
                today.plusDays(2).atStartOfDay(NEW_YORK).toInstant();

        expiry.expireDue(lastMomentOfTomorrow);
        assertThat(salon.balance(ana.credits().id())).isEqualTo(22_00);

        expiry.expireDue(startOfTheDayAfter);
        assertThat(salon.balance(ana.credits().id())).isEqualTo(12_00);
        assertThat(salon.balance(salon.account(AccountKind.PROMOTIONS))).isEqualTo(12_00);
        expiry.expireDue(startOfTheDayAfter);
        assertThat(salon.balance(ana.credits().id())).isEqualTo(12_00);

        final ClientHistory.Row newest = jdbi.withHandle(handle -> new ClientHistory()
                        .page(handle, clients.find(handle, salon.id(), ana.id()).orElseThrow(), Optional.empty(), 1))
                .rows()
                .getFirst();
        assertThat(newest.kind()).isEqualTo("credit_expired");
        assertThat(newest.creditsChangeMinor()).isEqualTo(-10_00);
        assertThat(newest.memo()).contains("Credit expired (last day " + today.plusDays(1) + ")");
    }

    @Test
    void aCreditAlreadySpentElsewhereExpiresOnlyWhatTheClientStillHolds() {
        final TestBusiness salon = TestBusiness.create();
        final Clients.Client ana = salon.aClient("Ana");
        issue(salon, ana, 10_00, LocalDate.now(NEW_YORK).plusDays(1));
        salon.charge(ana, 8_00);
        jdbi.useTransaction(handle -> money.applyFunds(
                handle, salon.id(), ana.id(), ClientMoney.Funds.CREDITS, Optional.empty(), Actor.system()));

        expiry.expireDue(ZonedDateTime.now(NEW_YORK).plusDays(3).toInstant());

        assertThat(salon.balance(ana.credits().id())).isZero();
        assertThat(salon.balance(salon.account(AccountKind.PROMOTIONS))).isEqualTo(8_00);
    }

    @Test
    void spendingTakesTheSoonestExpiringCreditFirstAndExpiryOnlyWhatIsLeftOfEach() {
        final TestBusiness salon = TestBusiness.create();
        final Clients.Client ana = salon.aClient("Ana");
        final LocalDate today = LocalDate.now(NEW_YORK);
        issue(salon, ana, 10_00, today.plusDays(5));
        issue(salon, ana, 10_00, null);
        issue(salon, ana, 10_00, today.plusDays(1));
        salon.charge(ana, 15_00);

        jdbi.useTransaction(handle -> money.applyFunds(
                handle, salon.id(), ana.id(), ClientMoney.Funds.CREDITS, Optional.empty(), Actor.system()));

        final List<Long> remaining = jdbi.withHandle(handle -> handle.createQuery("""
                        select remaining_minor from credit_grants where business_id = :business_id
                        order by expires_on nulls last""")
                .bind("business_id", salon.id())
                .mapTo(Long.class)
                .list());
        assertThat(remaining).containsExactly(0L, 5_00L, 10_00L);
        assertThat(expiry.expireDue(ZonedDateTime.now(NEW_YORK).plusDays(3).toInstant()))
                .isZero();
        expiry.expireDue(ZonedDateTime.now(NEW_YORK).plusDays(7).toInstant());
        assertThat(salon.balance(ana.credits().id())).isEqualTo(10_00);
    }

    private void issue(TestBusiness salon, Clients.Client client, long amountMinor, LocalDate expiresOn) {
        jdbi.useTransaction(handle -> money.issueCredit(
                handle,
                salon.id(),
                client.id(),
                ClientMoney.Credit.of(
                        amountMinor,
                        ClientMoney.CreditReason.PROMOTION,
                        null,
                        Optional.ofNullable(expiresOn),
                        LocalDate.now(NEW_YORK)),
                Actor.system()));
    }
}

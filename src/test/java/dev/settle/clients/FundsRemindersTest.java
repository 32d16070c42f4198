package dev.settle.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.business.Role;
import dev.settle.mail.Outbox;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import dev.settle.support.TestStaff;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** The daily digest of clients with funds and a balance due, and dismissing a reminder. */
class FundsRemindersTest {
    private final Jdbi jdbi = TestDatabase.get().jdbi();
    private final FundsReminders reminders = new FundsReminders(new Outbox(Optional.empty()));
    private final TestBusiness salon = TestBusiness.create();

    // A day far from the test run's own, so the running app's digest job never takes it first.
    private static final Instant NINE_IN_NEW_YORK = Instant.parse("2031-03-04T14:00:00Z");
    private static final Instant SEVEN_IN_NEW_YORK = Instant.parse("2031-03-04T12:00:00Z");

    @Test
    void managersAndOwnersGetOneDigestADayListingClientsWhoseFundsCouldPayWhatTheyOwe() {
        final Clients.Client ana = salon.aClient("Ana Silva");
        salon.charge(ana, 40_00);
        salon.credit(ana, 10_00);
        final Clients.Client ben = salon.aClient("Ben Okafor");
        salon.charge(ben, 20_00);
        final Clients.Client cleo = salon.aClient("Cleo Park");
        salon.openPayment(cleo, 5_00);
        final TestStaff manager = salon.staff(Role.MANAGER);
        final TestStaff desk = salon.staff(Role.FRONT_DESK);

        final boolean early = jdbi.inTransaction(handle -> reminders.sendDigest(handle, salon.id(), SEVEN_IN_NEW_YORK));
        final boolean sent = jdbi.inTransaction(handle -> reminders.sendDigest(handle, salon.id(), NINE_IN_NEW_YORK));
        final boolean again = jdbi.inTransaction(handle -> reminders.sendDigest(handle, salon.id(), NINE_IN_NEW_YORK));

        assertThat(early).as("not before 08:00 local").isFalse();
        assertThat(sent).isTrue();
        assertThat(again).as("once a local day").isFalse();
        final List<Outbox.Email> emails =
                jdbi.withHandle(handle -> new Outbox(Optional.empty()).recent(handle, salon.id(), 10));
        assertThat(emails)
                .extracting(Outbox.Email::to)
                .containsExactlyInAnyOrder(
                        "owner" + salon.name().replace("Test Salon ", "") + "@salon.example", manager.email());
        assertThat(emails).extracting(Outbox.Email::to).doesNotContain(desk.email());
        assertThat(emails.getFirst().subject()).isEqualTo("1 client has funds to apply to what they owe");
        assertThat(emails.getFirst().body())
                .contains("Ana Silva: owes $40.00; open payments $0.00, credits $10.00")
                .doesNotContain("Ben Okafor")
                .doesNotContain("Cleo Park");
    }

    @Test
    void aDismissedReminderStaysAwayUntilTheBalanceDueOrTheFundsChange() {
        final Clients.Client ana = salon.aClient("Ana Silva");
        salon.charge(ana, 40_00);
        salon.credit(ana, 10_00);
        final TestStaff desk = salon.staff(Role.FRONT_DESK);

        jdbi.useTransaction(handle -> {
            final Clients.Client current =
                    new Clients(new dev.settle.ledger.Ledger()).require(handle, salon.id(), ana.id());
            reminders.dismiss(
                    handle,
                    current,
                    new Households(new Clients(new dev.settle.ledger.Ledger())).of(handle, current),
                    desk.id());
        });
        final List<FundsReminders.Due> dismissed = jdbi.withHandle(handle -> reminders.due(handle, salon.id()));
        salon.credit(ana, 5_00);
        final List<FundsReminders.Due> back = jdbi.withHandle(handle -> reminders.due(handle, salon.id()));

        assertThat(dismissed).isEmpty();
        assertThat(back)
                .extracting(FundsReminders.Due::name, FundsReminders.Due::fundsMinor)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("Ana Silva", 15_00L));
    }
}

package dev.settle.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.business.Passwords;
import dev.settle.business.Role;
import dev.settle.ledger.Verifier;
import dev.settle.support.TestDatabase;
import java.time.OffsetDateTime;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

class DemoBusinessTest {
    private final Jdbi jdbi = TestDatabase.get().jdbi();

    @Test
    void theDemoIsASalonWithStaffOfEachRoleClientsAndMonthsOfHistoryThatVerifies() {
        final DemoBusiness.Demo demo = jdbi.inTransaction(handle -> new DemoBusiness().create(handle, 7, 50, 120));

        assertThat(demo.staff())
                .extracting(DemoBusiness.DemoStaff::role)
                .containsExactly(Role.OWNER, Role.MANAGER, Role.FRONT_DESK);
        for (DemoBusiness.DemoStaff staff : demo.staff()) {
            final String hash = jdbi.withHandle(handle -> handle.createQuery(
                            "select password_hash from staff_users where email = :email and not must_change_password")
                    .bind("email", staff.email())
                    .mapTo(String.class)
                    .one());
            assertThat(Passwords.matches(staff.password(), hash))
                    .as(staff.email())
                    .isTrue();
        }
        final List<OffsetDateTime> span = jdbi.withHandle(handle -> handle.createQuery(
                        "select min(effective_at), max(effective_at) from journal_entries where business_id = :id")
                .bind("id", demo.businessId())
                .map((rs, ctx) -> List.of(rs.getObject(1, OffsetDateTime.class), rs.getObject(2, OffsetDateTime.class)))
                .one());
        assertThat(span.get(0)).isBefore(OffsetDateTime.now().minusDays(100));
        assertThat(span.get(1)).isBefore(OffsetDateTime.now());
        assertThat(demo.entries()).isGreaterThan(300);
        final List<String> kinds = jdbi.withHandle(handle -> handle.createQuery(
                        "select distinct kind from journal_entries where business_id = :id order by kind")
                .bind("id", demo.businessId())
                .mapTo(String.class)
                .list());
        assertThat(kinds)
                .containsExactly(
                        "checkout",
                        "credit_issued",
                        "gift_card_load",
                        "gift_card_promotion",
                        "invoice",
                        "open_payment",
                        "payment");
        assertThat(clientsWith("receivable", demo)).isPositive();
        assertThat(clientsWith("open_payments", demo)).isPositive();
        assertThat(jdbi.withHandle(handle -> new Verifier().verify(handle)).violations())
                .isEmpty();
    }

    @Test
    void aSecondDemoGetsItsOwnSignInEmails() {
        final DemoBusiness.Demo first = jdbi.inTransaction(handle -> new DemoBusiness().create(handle, 1, 5, 10));
        final DemoBusiness.Demo second = jdbi.inTransaction(handle -> new DemoBusiness().create(handle, 1, 5, 10));

        assertThat(second.staff().getFirst().email())
                .isNotEqualTo(first.staff().getFirst().email());
    }

    private long clientsWith(String kind, DemoBusiness.Demo demo) {
        return jdbi.withHandle(handle -> handle.createQuery(
                        "select count(*) from accounts where business_id = :id and kind = :kind and balance_minor > 0")
                .bind("id", demo.businessId())
                .bind("kind", kind)
                .mapTo(Long.class)
                .one());
    }
}

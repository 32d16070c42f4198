package dev.settle.business;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.settle.Problem;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import dev.settle.support.TestStaff;
import dev.settle.web.Sessions;
import dev.settle.web.SignedIn;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

class StaffUsersTest {
    private final Jdbi jdbi = TestDatabase.get().jdbi();
    private final StaffUsers staff = new StaffUsers();

    @Test
    void onlyAnActiveOwnerChangesStaff() {
        final TestBusiness business = TestBusiness.create();
        final TestStaff owner = business.staff(Role.OWNER);
        final TestStaff manager = business.staff(Role.MANAGER);
        final TestStaff formerOwner = business.staff(Role.OWNER);
        jdbi.useTransaction(handle -> staff.deactivate(handle, business.id(), owner.id(), formerOwner.id()));

        for (TestStaff actor : new TestStaff[] {manager, formerOwner}) {
            assertThatThrownBy(() -> jdbi.useTransaction(
                            handle -> staff.changeRole(handle, business.id(), actor.id(), owner.id(), Role.MANAGER)))
                    .isInstanceOf(Problem.class)
                    .hasMessage("Only an active owner can change staff");
            assertThatThrownBy(() -> jdbi.useTransaction(
                            handle -> staff.deactivate(handle, business.id(), actor.id(), owner.id())))
                    .hasMessage("Only an active owner can change staff");
        }
        assertThat(role(business, owner)).isEqualTo(Role.OWNER);
    }

    @Test
    void withASecondOwnerOneMayStepDown() {
        final TestBusiness business = TestBusiness.create();
        final TestStaff first = business.staff(Role.OWNER);
        final TestStaff second = business.staff(Role.OWNER);

        jdbi.useTransaction(handle -> staff.changeRole(handle, business.id(), second.id(), first.id(), Role.MANAGER));

        assertThat(role(business, first)).isEqualTo(Role.MANAGER);
    }

    @Test
    void nobodyChangesTheirOwnRoleOrDeactivatesThemselves() {
        final TestBusiness business = TestBusiness.create();
        final TestStaff owner = business.staff(Role.OWNER);

        assertThatThrownBy(() -> jdbi.useTransaction(
                        handle -> staff.changeRole(handle, business.id(), owner.id(), owner.id(), Role.MANAGER)))
                .hasMessage("You can't change your own role");
        assertThatThrownBy(() ->
                        jdbi.useTransaction(handle -> staff.deactivate(handle, business.id(), owner.id(), owner.id())))
                .hasMessage("You can't deactivate yourself");
    }

    @Test
    void deactivatingEndsEverySessionAndReactivatingLetsThemSignInAgain() {
        final TestBusiness business = TestBusiness.create();
        final TestStaff owner = business.staff(Role.OWNER);
        final TestStaff desk = business.staff(Role.FRONT_DESK);
        final Sessions sessions = new Sessions();
        final String token = jdbi.withHandle(handle -> sessions.start(handle, business.id(), desk.id()));

        jdbi.useTransaction(handle -> staff.deactivate(handle, business.id(), owner.id(), desk.id()));
        final Optional<SignedIn> session = jdbi.withHandle(handle -> sessions.find(handle, token));
        assertThat(session).isEmpty();
        assertThat(candidates(desk)).isEmpty();

        jdbi.useTransaction(handle -> staff.reactivate(handle, business.id(), owner.id(), desk.id()));
        assertThat(candidates(desk)).hasSize(1);
        assertThat(jdbi.withHandle(handle -> staff.find(handle, business.id(), desk.id()))
                        .orElseThrow()
                        .deactivatedAt())
                .isEmpty();
    }

    @Test
    void aResetPasswordIsTemporaryAndTheOldOneStopsWorking() {
        final TestBusiness business = TestBusiness.create();
        final TestStaff owner = business.staff(Role.OWNER);
        final TestStaff desk = business.staff(Role.FRONT_DESK);

        final String temporary =
                jdbi.inTransaction(handle -> staff.resetPassword(handle, business.id(), owner.id(), desk.id()));

        final String hash = jdbi.withHandle(handle -> staff.signInCandidates(handle, desk.email()))
                .getFirst()
                .passwordHash();
        assertThat(Passwords.matches(temporary, hash)).isTrue();
        assertThat(Passwords.matches(TestStaff.PASSWORD, hash)).isFalse();
        final boolean mustChange = jdbi.withHandle(
                handle -> handle.createQuery("select must_change_password from staff_users where id = :id")
                        .bind("id", desk.id())
                        .mapTo(Boolean.class)
                        .one());
        assertThat(mustChange).isTrue();
    }

    @Test
    void aStaffMemberOfAnotherBusinessIsNotFound() {
        final TestBusiness mine = TestBusiness.create();
        final TestStaff owner = mine.staff(Role.OWNER);
        final TestStaff theirs = TestBusiness.create().staff(Role.MANAGER);

        assertThatThrownBy(() ->
                        jdbi.useTransaction(handle -> staff.deactivate(handle, mine.id(), owner.id(), theirs.id())))
                .isInstanceOfSatisfying(
                        Problem.class, problem -> assertThat(problem.kind()).isEqualTo(Problem.Kind.NOT_FOUND));
    }

    private List<StaffUsers.SignInCandidate> candidates(TestStaff person) {
        return jdbi.withHandle(handle -> staff.signInCandidates(handle, person.email()));
    }

    private Role role(TestBusiness business, TestStaff person) {
        return jdbi.withHandle(handle -> staff.find(handle, business.id(), person.id()))
                .orElseThrow()
                .role();
    }
}

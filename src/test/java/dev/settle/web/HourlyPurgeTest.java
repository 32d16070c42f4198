package dev.settle.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import org.junit.jupiter.api.Test;

class HourlyPurgeTest {

    @Test
    void keysArePurgedOnlyOnceOlderThanTwoDays() {
        final TestBusiness salon = TestBusiness.create();
        final var jdbi = TestDatabase.get().jdbi();
        jdbi.useHandle(handle -> {
            handle.execute(
                    "insert into idempotency_keys (business_id, key, request_fingerprint, response_status, response_body, created_at)"
                            + " values (?, 'old', '\\x00', 201, '{}', now() - interval '49 hours'),"
                            + " (?, 'a-day-old', '\\x00', 201, '{}', now() - interval '25 hours')",
                    salon.id(),
                    salon.id());
        });

        new HourlyPurge(jdbi).purge();

        final java.util.List<String> left = jdbi.withHandle(handle -> handle.createQuery(
                        "select key from idempotency_keys where business_id = :business_id order by key")
                .bind("business_id", salon.id())
                .mapTo(String.class)
                .list());
        assertThat(left).containsExactly("a-day-old");
    }

    @Test
    void expiredSessionsAndOldSignInFailuresGo() {
        final TestBusiness salon = TestBusiness.create();
        final long staffId = salon.staff(dev.settle.business.Role.FRONT_DESK).id();
        final var jdbi = TestDatabase.get().jdbi();
        final Sessions sessions = new Sessions();
        final String live = jdbi.withHandle(handle -> sessions.start(handle, salon.id(), staffId));
        final String expired = jdbi.withHandle(handle -> sessions.start(handle, salon.id(), staffId));
        jdbi.useHandle(handle -> {
            handle.createUpdate("update staff_sessions set expires_at = now() - interval '1 second'"
                            + " where token_hash = :hash")
                    .bind("hash", Sessions.hash(expired))
                    .execute();
            handle.execute("insert into signin_failures (email, failed_at) values"
                    + " ('old@purge.example', now() - interval '3 days'), ('new@purge.example', now())");
        });

        new HourlyPurge(jdbi).purge();

        jdbi.useHandle(handle -> {
            assertThat(sessions.find(handle, live)).isPresent();
            assertThat(handle.createQuery("select count(*) from staff_sessions where token_hash = :hash")
                            .bind("hash", Sessions.hash(expired))
                            .mapTo(Long.class)
                            .one())
                    .isZero();
            assertThat(handle.createQuery("select email from signin_failures where email like '%@purge.example'")
                            .mapTo(String.class)
                            .list())
                    .containsExactly("new@purge.example");
        });
    }

    @Test
    void exportedFilesGoAfterADay() {
        final TestBusiness salon = TestBusiness.create();
        final long staffId = salon.staff(dev.settle.business.Role.FRONT_DESK).id();
        final var jdbi = TestDatabase.get().jdbi();
        jdbi.useHandle(handle -> handle.execute(
                "insert into exports (business_id, filename, started_by, status, content, created_at) values"
                        + " (?, 'old.csv', ?, 'done', '\\x00', now() - interval '25 hours'),"
                        + " (?, 'new.csv', ?, 'done', '\\x00', now() - interval '23 hours')",
                salon.id(),
                staffId,
                salon.id(),
                staffId));

        new HourlyPurge(jdbi).purge();

        final java.util.List<String> left = jdbi.withHandle(
                handle -> handle.createQuery("select filename from exports where business_id = :business_id")
                        .bind("business_id", salon.id())
                        .mapTo(String.class)
                        .list());
        assertThat(left).containsExactly("new.csv");
    }
}

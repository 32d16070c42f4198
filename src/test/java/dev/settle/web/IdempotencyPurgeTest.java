package dev.settle.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import org.junit.jupiter.api.Test;

class IdempotencyPurgeTest {

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

        new IdempotencyPurge(jdbi).purge();

        final java.util.List<String> left = jdbi.withHandle(handle -> handle.createQuery(
                        "select key from idempotency_keys where business_id = :business_id order by key")
                .bind("business_id", salon.id())
                .mapTo(String.class)
                .list());
        assertThat(left).containsExactly("a-day-old");
    }
}

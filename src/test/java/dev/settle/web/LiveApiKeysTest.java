package dev.settle.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.business.ApiKeys;
import dev.settle.support.TestApp;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** API keys remembered per instance, forgotten whenever any key is revoked anywhere. */
class LiveApiKeysTest {
    private final Jdbi jdbi = TestDatabase.get().jdbi();
    private final ApiKeys apiKeys = new ApiKeys();
    private final TestBusiness salon = TestBusiness.create();
    private final AtomicInteger lookups = new AtomicInteger();

    private Optional<ApiKeys.Caller> caller(LiveApiKeys live, String key) {
        return live.caller(key, () -> {
            lookups.incrementAndGet();
            return jdbi.withHandle(handle -> apiKeys.authenticate(handle, key));
        });
    }

    @Test
    void aLiveKeyIsLookedUpOnceThenRemembered() throws InterruptedException {
        try (LiveApiKeys live = listening()) {
            assertThat(caller(live, salon.apiKey()).orElseThrow().businessId()).isEqualTo(salon.id());
            assertThat(caller(live, salon.apiKey()).orElseThrow().businessId()).isEqualTo(salon.id());

            assertThat(lookups).hasValue(1);
            assertThat(caller(live, "settle_not-a-key")).isEmpty();
            assertThat(caller(live, "settle_not-a-key")).isEmpty();
            assertThat(lookups).as("an unknown key is asked about every time").hasValue(3);
        }
    }

    /** As another instance would revoke it, or an operator in SQL: only the database's notice tells this one. */
    @Test
    void aKeyRevokedElsewhereIsRefusedOnceTheDatabaseAnnouncesIt() throws InterruptedException {
        try (LiveApiKeys live = listening()) {
            caller(live, salon.apiKey()).orElseThrow();
            revokeInSql();

            waitUntil(() -> caller(live, salon.apiKey()).isEmpty());
            assertThat(caller(live, salon.apiKey())).isEmpty();
        }
    }

    /** A business may change its currency until money is first recorded; its keys then stand for the new one. */
    @Test
    void aCurrencyChangeIsHeardLikeARevocation() throws InterruptedException {
        try (LiveApiKeys live = listening()) {
            assertThat(caller(live, salon.apiKey()).orElseThrow().currency()).isEqualTo("USD");
            jdbi.useHandle(handle -> handle.execute("update businesses set currency = 'EUR' where id = ?", salon.id()));

            waitUntil(
                    () -> !caller(live, salon.apiKey()).orElseThrow().currency().equals("USD"));
            assertThat(caller(live, salon.apiKey()).orElseThrow().currency()).isEqualTo("EUR");
        }
    }

    @Test
    void whileNotListeningEveryRequestAsksTheDatabase() {
        try (LiveApiKeys live = LiveApiKeys.start(() -> {
            throw new SQLException("the server is restarting");
        })) {
            caller(live, salon.apiKey()).orElseThrow();
            caller(live, salon.apiKey()).orElseThrow();

            assertThat(live.listening()).isFalse();
            assertThat(lookups).hasValue(2);
        }
    }

    @Test
    void theApiRefusesAKeyRevokedInSqlWithinAMoment() throws InterruptedException {
        assertThat(TestApp.get(salon.apiKey(), "/api/v1/business").status()).isEqualTo(200);
        revokeInSql();

        waitUntil(() -> TestApp.get(salon.apiKey(), "/api/v1/business").status() != 200);
        assertThat(TestApp.get(salon.apiKey(), "/api/v1/business").status()).isEqualTo(401);
    }

    /** As another instance's page would, or an operator: this instance hears of it only from the database. */
    private void revokeInSql() {
        jdbi.useHandle(handle -> handle.execute(
                "update api_keys set revoked_at = now() where business_id = ? and revoked_at is null", salon.id()));
    }

    private static LiveApiKeys listening() throws InterruptedException {
        final LiveApiKeys live = LiveApiKeys.start(TestDatabase.get()::connectOutsidePool);
        waitUntil(live::listening);
        assertThat(live.listening()).isTrue();
        return live;
    }

    /** Asks every 10 ms, for up to 10 s, until {@code done}; the caller then asserts what it waited for. */
    private static void waitUntil(BooleanSupplier done) throws InterruptedException {
        final Instant giveUp = Instant.now().plusSeconds(10);
        while (!done.getAsBoolean() && Instant.now().isBefore(giveUp)) {
            Thread.sleep(10);
        }
    }
}

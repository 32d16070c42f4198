package dev.settle.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.business.ApiKeys;
import dev.settle.support.TestApp;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
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
    void aLiveKeyIsLookedUpOnceThenRemembered() {
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
            jdbi.useHandle(handle -> handle.execute(
                    "update api_keys set revoked_at = now() where business_id = ? and revoked_at is null", salon.id()));

            final Instant giveUp = Instant.now().plusSeconds(10);
            while (caller(live, salon.apiKey()).isPresent() && Instant.now().isBefore(giveUp)) {
                Thread.sleep(10);
            }
            assertThat(caller(live, salon.apiKey())).isEmpty();
        }
    }

    /** A business may change its currency until money is first recorded; its keys then stand for the new one. */
    @Test
    void aCurrencyChangeIsHeardLikeARevocation() throws InterruptedException {
        try (LiveApiKeys live = listening()) {
            assertThat(caller(live, salon.apiKey()).orElseThrow().currency()).isEqualTo("USD");
            jdbi.useHandle(handle -> handle.execute("update businesses set currency = 'EUR' where id = ?", salon.id()));

            final Instant giveUp = Instant.now().plusSeconds(10);
            while (caller(live, salon.apiKey()).orElseThrow().currency().equals("USD")
                    && Instant.now().isBefore(giveUp)) {
                Thread.sleep(10);
            }
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
        jdbi.useHandle(handle -> handle.execute(
                "update api_keys set revoked_at = now() where business_id = ? and revoked_at is null", salon.id()));

        final Instant giveUp = Instant.now().plusSeconds(10);
        int status = 200;
        while (status == 200 && Instant.now().isBefore(giveUp)) {
            status = TestApp.get(salon.apiKey(), "/api/v1/business").status();
            Thread.sleep(10);
        }
        assertThat(status).isEqualTo(401);
    }

    private static LiveApiKeys listening() {
        final LiveApiKeys live = LiveApiKeys.start(TestDatabase.get()::connectOutsidePool);
        final Instant giveUp = Instant.now().plus(Duration.ofSeconds(10));
        while (!live.listening() && Instant.now().isBefore(giveUp)) {
            Thread.onSpinWait();
        }
        assertThat(live.listening()).isTrue();
        return live;
    }
}

package dev.settle.giftcards;

import dev.settle.Problem;
import java.time.Duration;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Balance checks by code, throttled against guessing. Each wrong code counts against the address
 * it came from and against its first four characters (in that business): from
 * {@link #SLOW_AFTER} wrong codes an answer is held back longer each time, and from
 * {@link #IP_FAILURES_MAX} (or {@link #PREFIX_FAILURES_MAX} for one prefix, from anywhere) they are
 * refused until {@link #WINDOW} has passed since the oldest. A wrong code and another business's
 * code get the same answer.
 */
public final class GiftCardLookups {
    static final Duration WINDOW = Duration.ofMinutes(15);
    static final int SLOW_AFTER = 3;
    static final int IP_FAILURES_MAX = 10;
    static final int PREFIX_FAILURES_MAX = 25;
    static final Duration SLOWER_BY = Duration.ofMillis(250);

    private final Jdbi jdbi;
    private final GiftCards giftCards;

    public GiftCardLookups(Jdbi jdbi, GiftCards giftCards) {
        this.jdbi = jdbi;
        this.giftCards = giftCards;
    }

    /**
     * The business's card with this code; 429 when this asker or prefix has guessed too much. The
     * asker is whoever is counted: "ip:…" on the public page, "staff:…" or "api:…" otherwise.
     */
    public GiftCards.Card find(long businessId, String typed, String asker) {
        final String code = GiftCardCodes.normalize(typed)
                .orElseThrow(() -> Problem.validation(
                        "code", "A gift card code is 16 letters and digits, as printed on the card"));
        final String prefix = businessId + ":" + GiftCardCodes.prefix(code);
        // The try is counted before the lookup and forgotten if the code is right, so parallel
        // guesses count as surely as serial ones (one claim per address at a time).
        final Claim claim = jdbi.inTransaction(handle -> {
            handle.createQuery("select pg_advisory_xact_lock(hashtextextended(:key, 0))")
                    .bind("key", "gift-card-lookup:" + asker)
                    .mapTo(String.class)
                    .one();
            final int fromHere = failures(handle, "asker", asker);
            if (fromHere >= IP_FAILURES_MAX || failures(handle, "prefix", prefix) >= PREFIX_FAILURES_MAX) {
                throw new Problem(
                        Problem.Kind.TOO_MANY_REQUESTS,
                        "code",
                        "Too many wrong gift card codes. Try again in " + WINDOW.toMinutes() + " minutes.");
            }
            return new Claim(
                    fromHere,
                    handle.createQuery("""
                                    insert into gift_card_lookup_failures (scope, key)
                                    values ('asker', :asker), ('prefix', :prefix)
                                    returning id
                                    """)
                            .bind("asker", asker)
                            .bind("prefix", prefix)
                            .mapTo(Long.class)
                            .list());
        });
        final Optional<GiftCards.Card> card = jdbi.withHandle(handle -> giftCards.byCode(handle, businessId, code));
        if (card.isPresent()) {
            jdbi.useHandle(handle -> handle.createUpdate("delete from gift_card_lookup_failures where id = any(:ids)")
                    .bindArray("ids", Long.class, claim.ids())
                    .execute());
            return card.get();
        }
        if (claim.earlierFailures() + 1 >= SLOW_AFTER) {
            pause(SLOWER_BY.multipliedBy(claim.earlierFailures() + 2 - SLOW_AFTER));
        }
        throw Problem.notFound("code", "No gift card here has that code");
    }

    /** A try counted: the failures from this address before it, and the rows that count it. */
    private record Claim(int earlierFailures, java.util.List<Long> ids) {}

    private static int failures(Handle handle, String scope, String key) {
        return handle.createQuery("""
                select count(*) from gift_card_lookup_failures
                where scope = :scope and key = :key and failed_at > now() - make_interval(secs => :window)
                """)
                .bind("scope", scope)
                .bind("key", key)
                .bind("window", WINDOW.toSeconds())
                .mapTo(Integer.class)
                .one();
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

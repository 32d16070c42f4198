package dev.settle.web;

import java.time.Duration;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Slows password guessing, per email: each try is recorded before the password is checked and
 * forgotten when it proves right, so parallel guesses count as surely as serial ones. After
 * {@link #FAILURES_MAX} unresolved tries within {@link #WINDOW}, further tries wait out the window,
 * even with the right password.
 */
public final class PasswordThrottle {
    static final int FAILURES_MAX = 5;
    static final Duration WINDOW = Duration.ofMinutes(15);

    private final Jdbi jdbi;

    public PasswordThrottle(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Counts one try for {@code email}; empty if it may go ahead, else how long to wait. */
    public Optional<Duration> claim(String email) {
        return jdbi.inTransaction(handle -> {
            // One claim per email at a time, so a burst of requests cannot all read "not yet locked".
            handle.createQuery("select pg_advisory_xact_lock(hashtextextended(:email, 0))")
                    .bind("email", email)
                    .mapTo(String.class)
                    .one();
            final Optional<Duration> wait = lockedFor(handle, email);
            if (wait.isEmpty()) {
                handle.createUpdate("insert into signin_failures (email) values (:email)")
                        .bind("email", email)
                        .execute();
            }
            return wait;
        });
    }

    /** The password was right: its tries are forgotten. */
    public void succeeded(Handle handle, String email) {
        handle.createUpdate("delete from signin_failures where email = :email")
                .bind("email", email)
                .execute();
    }

    /** The message for a person told to wait. */
    public static String waitMessage(Duration wait) {
        final long minutes = Math.max(1, (wait.toSeconds() + 59) / 60);
        return "Too many wrong passwords for this email. Try again in " + minutes
                + (minutes == 1 ? " minute." : " minutes.");
    }

    private static Optional<Duration> lockedFor(Handle handle, String email) {
        return handle.createQuery("""
                select extract(epoch from min(failed_at) + make_interval(secs => :window_seconds) - now())::bigint
                from (select failed_at from signin_failures
                      where email = :email and failed_at > now() - make_interval(secs => :window_seconds)
                      order by failed_at desc limit :failures_max) recent
                having count(*) >= :failures_max
                """)
                .bind("email", email)
                .bind("window_seconds", WINDOW.toSeconds())
                .bind("failures_max", FAILURES_MAX)
                .mapTo(Long.class)
                .findOne()
                .map(Duration::ofSeconds);
    }
}

package dev.settle.web;

import dev.settle.business.Role;
import dev.settle.business.Secrets;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Currency;
import java.util.Locale;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Staff sessions, kept in PostgreSQL so any Settle instance can serve any request. A session ends
 * after {@link #IDLE_MAX} without use, at sign-out, or when its staff member is deactivated.
 */
public final class Sessions {
    static final Duration IDLE_MAX = Duration.ofHours(12);
    // Extending a session writes a row; once every few minutes is plenty for a 12-hour idle limit.
    private static final Duration TOUCH_EVERY = Duration.ofMinutes(5);
    private static final int TOKEN_LENGTH = 43;

    static String newToken() {
        return Secrets.random256();
    }

    /** Starts a session; returns the token for the cookie (only its hash is stored). */
    public String start(Handle handle, long businessId, long staffId) {
        final String token = newToken();
        handle.createUpdate("""
                insert into staff_sessions (token_hash, business_id, staff_id, csrf_token, expires_at)
                values (:token_hash, :business_id, :staff_id, :csrf_token,
                        now() + make_interval(secs => :idle_seconds))
                """)
                .bind("token_hash", hash(token))
                .bind("business_id", businessId)
                .bind("staff_id", staffId)
                .bind("csrf_token", newToken())
                .bind("idle_seconds", IDLE_MAX.toSeconds())
                .execute();
        return token;
    }

    /** The live session a cookie's token names, extended if it has been a while. */
    public Optional<SignedIn> find(Handle handle, String token) {
        if (token == null || token.length() != TOKEN_LENGTH) {
            return Optional.empty();
        }
        final byte[] tokenHash = hash(token);
        final Optional<SignedIn> signedIn = handle.createQuery("""
                select s.business_id, b.name as business_name, s.staff_id, u.display_name, u.email, u.role,
                       u.must_change_password, s.csrf_token, b.locale, b.time_zone, b.currency,
                       s.last_seen_at < now() - make_interval(secs => :touch_seconds) as stale
                from staff_sessions s
                join staff_users u on u.business_id = s.business_id and u.id = s.staff_id
                join businesses b on b.id = s.business_id
                where s.token_hash = :token_hash and s.expires_at > now() and u.active
                """)
                .bind("token_hash", tokenHash)
                .bind("touch_seconds", TOUCH_EVERY.toSeconds())
                .map((rs, ctx) -> {
                    if (rs.getBoolean("stale")) {
                        touch(handle, tokenHash);
                    }
                    return new SignedIn(
                            rs.getLong("business_id"),
                            rs.getString("business_name"),
                            rs.getLong("staff_id"),
                            rs.getString("display_name"),
                            rs.getString("email"),
                            Role.fromDb(rs.getString("role")).orElseThrow(),
                            rs.getBoolean("must_change_password"),
                            rs.getString("csrf_token"),
                            tokenHash,
                            new Formats(
                                    Locale.forLanguageTag(rs.getString("locale")),
                                    ZoneId.of(rs.getString("time_zone")),
                                    Currency.getInstance(rs.getString("currency"))));
                })
                .findOne();
        return signedIn;
    }

    public void end(Handle handle, byte[] tokenHash) {
        handle.createUpdate("delete from staff_sessions where token_hash = :token_hash")
                .bind("token_hash", tokenHash)
                .execute();
    }

    /** Ends a staff member's sessions on other devices (after a password change). */
    public void endOthers(Handle handle, SignedIn signedIn) {
        handle.createUpdate("""
                delete from staff_sessions
                where business_id = :business_id and staff_id = :staff_id and token_hash <> :token_hash
                """)
                .bind("business_id", signedIn.businessId())
                .bind("staff_id", signedIn.staffId())
                .bind("token_hash", signedIn.sessionTokenHash())
                .execute();
    }

    /** Leaves a one-line message for the next page this session shows. */
    public void flash(Handle handle, SignedIn signedIn, String message) {
        handle.createUpdate("update staff_sessions set flash = :flash where token_hash = :token_hash")
                .bind("flash", message.length() > 500 ? message.substring(0, 500) : message)
                .bind("token_hash", signedIn.sessionTokenHash())
                .execute();
    }

    /** The message left for this page, if any; it is shown once. */
    public Optional<String> takeFlash(Handle handle, SignedIn signedIn) {
        return handle.createQuery("""
                update staff_sessions s set flash = null
                from (select token_hash, flash from staff_sessions where token_hash = :token_hash for update) old
                where s.token_hash = old.token_hash and old.flash is not null
                returning old.flash
                """)
                .bind("token_hash", signedIn.sessionTokenHash())
                .mapTo(String.class)
                .findOne();
    }

    private static void touch(Handle handle, byte[] tokenHash) {
        handle.createUpdate("""
                update staff_sessions
                set last_seen_at = now(), expires_at = now() + make_interval(secs => :idle_seconds)
                where token_hash = :token_hash
                """)
                .bind("idle_seconds", IDLE_MAX.toSeconds())
                .bind("token_hash", tokenHash)
                .execute();
    }

    static byte[] hash(String token) {
        return Secrets.sha256(token);
    }
}

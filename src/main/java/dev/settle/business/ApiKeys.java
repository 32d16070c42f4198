package dev.settle.business;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * API keys: 256 random bits, shown once, stored as a SHA-256 hash. A key belongs to one business,
 * and every request made with it sees only that business.
 */
public final class ApiKeys {
    private static final String PREFIX = "settle_";
    private static final int KEY_LENGTH_MAX = 100;
    private static final SecureRandom random = new SecureRandom();

    /** The business and key a request is made for. */
    public record Caller(long businessId, long apiKeyId, String currency) {}

    /** A key just made: the only time its full text exists outside the caller's hands. */
    public record CreatedKey(long id, String key) {}

    public CreatedKey create(Handle handle, long businessId, String label) {
        final byte[] secret = new byte[32];
        random.nextBytes(secret);
        final String key = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        final long id = handle.createQuery("""
                insert into api_keys (business_id, label, key_hash, key_prefix)
                values (:business_id, :label, :key_hash, :key_prefix)
                returning id
                """)
                .bind("business_id", businessId)
                .bind("label", label)
                .bind("key_hash", sha256(key))
                .bind("key_prefix", key.substring(0, PREFIX.length() + 6))
                .mapTo(Long.class)
                .one();
        return new CreatedKey(id, key);
    }

    /** The caller a presented key stands for, if it is a live key. */
    public Optional<Caller> authenticate(Handle handle, String presentedKey) {
        if (presentedKey == null || !presentedKey.startsWith(PREFIX) || presentedKey.length() > KEY_LENGTH_MAX) {
            return Optional.empty();
        }
        return handle.createQuery("""
            select k.business_id, k.id, b.currency
            from api_keys k
            join businesses b on b.id = k.business_id
            where k.key_hash = :key_hash and k.revoked_at is null
            """)
                .bind("key_hash", sha256(presentedKey))
                .map((rs, ctx) -> new Caller(rs.getLong(1), rs.getLong(2), rs.getString(3)))
                .findOne();
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}

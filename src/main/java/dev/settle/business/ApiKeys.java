package dev.settle.business;

import dev.settle.Problem;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * API keys: 256 random bits, shown once, stored as a SHA-256 hash. A key belongs to one business,
 * and every request made with it sees only that business.
 */
public final class ApiKeys {
    private static final String PREFIX = "settle_";
    private static final int KEY_LENGTH_MAX = 100;

    /** The business and key a request is made for. */
    public record Caller(long businessId, long apiKeyId, String currency) {}

    /** A key just made: the only time its full text exists outside the caller's hands. */
    public record CreatedKey(long id, String key) {}

    public CreatedKey create(Handle handle, long businessId, String label) {
        final String checkedLabel = TextInput.required(label, "label", "Label", 100);
        final String key = PREFIX + Secrets.random256();
        final long id = handle.createQuery("""
                insert into api_keys (business_id, label, key_hash, key_prefix)
                values (:business_id, :label, :key_hash, :key_prefix)
                returning id
                """)
                .bind("business_id", businessId)
                .bind("label", checkedLabel)
                .bind("key_hash", Secrets.sha256(key))
                .bind("key_prefix", key.substring(0, PREFIX.length() + 6))
                .mapTo(Long.class)
                .one();
        return new CreatedKey(id, key);
    }

    /** A key as the API keys page lists it: never its text, only the prefix that tells keys apart. */
    public record KeyInfo(
            long id, String label, String prefix, OffsetDateTime createdAt, Optional<OffsetDateTime> revokedAt) {}

    public List<KeyInfo> list(Handle handle, long businessId) {
        return handle.createQuery("""
                select id, label, key_prefix, created_at, revoked_at from api_keys
                where business_id = :business_id
                order by revoked_at is not null, created_at desc, id desc
                """)
                .bind("business_id", businessId)
                .map((rs, ctx) -> new KeyInfo(
                        rs.getLong("id"),
                        rs.getString("label"),
                        rs.getString("key_prefix"),
                        rs.getObject("created_at", OffsetDateTime.class),
                        Optional.ofNullable(rs.getObject("revoked_at", OffsetDateTime.class))))
                .list();
    }

    /**
     * Revokes a key: the next request made with it is refused (by other instances once the database
     * has told them, V26). Revoking twice is a no-op.
     */
    public void revoke(Handle handle, long businessId, long keyId) {
        final int found = handle.createUpdate("""
                update api_keys set revoked_at = coalesce(revoked_at, now())
                where business_id = :business_id and id = :id
                """)
                .bind("business_id", businessId)
                .bind("id", keyId)
                .execute();
        if (found == 0) {
            throw Problem.notFound("keyId", "No such API key");
        }
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
                .bind("key_hash", Secrets.sha256(presentedKey))
                .map((rs, ctx) -> new Caller(rs.getLong(1), rs.getLong(2), rs.getString(3)))
                .findOne();
    }
}

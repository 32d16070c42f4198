package dev.settle.portal;

import dev.settle.business.Secrets;
import java.time.Duration;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * How a client gets into the portal: a link emailed to them, good once within {@link #LINK_TTL},
 * that starts a session of {@link #SESSION_TTL}. Only hashes of the tokens are stored.
 */
public final class PortalAccess {
    static final Duration LINK_TTL = Duration.ofMinutes(15);
    static final Duration SESSION_TTL = Duration.ofHours(2);

    /** Links sent to one client within {@link #LINK_TTL} at most: enough to retry, too few to spam. */
    static final int LINKS_MAX = 3;

    private static final int TOKEN_LENGTH = 43;

    /** A signed-in client: whose portal, who, and the token their forms must carry. */
    public record Visitor(long businessId, long clientId, String csrfToken, byte[] sessionHash) {}

    /** A new link for the client, or empty when they were sent {@link #LINKS_MAX} lately. */
    public Optional<String> newLink(Handle handle, long businessId, long clientId) {
        // One request per client at a time, so a burst cannot all read "not too many yet".
        handle.createQuery("select pg_advisory_xact_lock(hashtextextended(:key, 0))")
                .bind("key", "portal-link:" + businessId + ":" + clientId)
                .mapTo(String.class)
                .one();
        final int recent = handle.createQuery("""
                select count(*) from portal_links
                where business_id = :business_id and client_id = :client_id
                  and created_at > now() - make_interval(secs => :ttl)
                """)
                .bind("business_id", businessId)
                .bind("client_id", clientId)
                .bind("ttl", LINK_TTL.toSeconds())
                .mapTo(Integer.class)
                .one();
        if (recent >= LINKS_MAX) {
            return Optional.empty();
        }
        final String token = Secrets.random256();
        handle.createUpdate("""
                insert into portal_links (token_hash, business_id, client_id, expires_at)
                values (:hash, :business_id, :client_id, now() + make_interval(secs => :ttl))
                """)
                .bind("hash", Secrets.sha256(token))
                .bind("business_id", businessId)
                .bind("client_id", clientId)
                .bind("ttl", LINK_TTL.toSeconds())
                .execute();
        return Optional.of(token);
    }

    /** Uses up a link of this business and starts a session; empty if it is unknown, used or expired. */
    public Optional<String> useLink(Handle handle, long businessId, String token) {
        if (token == null || token.length() != TOKEN_LENGTH) {
            return Optional.empty();
        }
        return handle.createQuery("""
                        update portal_links set used_at = now()
                        where token_hash = :hash and business_id = :business_id and used_at is null
                          and expires_at > now()
                        returning client_id
                        """)
                .bind("hash", Secrets.sha256(token))
                .bind("business_id", businessId)
                .mapTo(Long.class)
                .findOne()
                .map(clientId -> {
                    final String session = Secrets.random256();
                    handle.createUpdate("""
                            insert into portal_sessions (token_hash, business_id, client_id, csrf_token, expires_at)
                            values (:hash, :business_id, :client_id, :csrf, now() + make_interval(secs => :ttl))
                            """)
                            .bind("hash", Secrets.sha256(session))
                            .bind("business_id", businessId)
                            .bind("client_id", clientId)
                            .bind("csrf", Secrets.random256())
                            .bind("ttl", SESSION_TTL.toSeconds())
                            .execute();
                    return session;
                });
    }

    /** The live session this cookie names, in this business's portal (another business's is no use here). */
    public Optional<Visitor> visitor(Handle handle, long businessId, String token) {
        if (token == null || token.length() != TOKEN_LENGTH) {
            return Optional.empty();
        }
        final byte[] hash = Secrets.sha256(token);
        return handle.createQuery("""
                select s.client_id, s.csrf_token from portal_sessions s
                join clients c on c.business_id = s.business_id and c.id = s.client_id
                where s.token_hash = :hash and s.business_id = :business_id and s.expires_at > now()
                  and c.archived_at is null
                """)
                .bind("hash", hash)
                .bind("business_id", businessId)
                .map((rs, ctx) -> new Visitor(businessId, rs.getLong("client_id"), rs.getString("csrf_token"), hash))
                .findOne();
    }

    public void end(Handle handle, byte[] sessionHash) {
        handle.createUpdate("delete from portal_sessions where token_hash = :hash")
                .bind("hash", sessionHash)
                .execute();
    }
}

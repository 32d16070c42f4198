package dev.settle.clients;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The credits a client was given, each kept with what is left of it, so spending takes the
 * soonest-expiring first and expiry takes only what is left. A client's credits balance is the sum
 * of what is left of their grants (the verifier holds it so).
 *
 * <p>Callers hold the client's credits account lock (they have just posted to it) before they touch
 * grants: account first, then grants, in every path, so spending and expiry never deadlock.
 */
public final class CreditGrants {
    /** A credit with something left of it, as the client page lists it. */
    public record Grant(long id, long amountMinor, long remainingMinor, Optional<LocalDate> expiresOn, String reason) {}

    /** The client's credits with something left, in the order they will be spent. */
    public List<Grant> live(Handle handle, long businessId, long clientId) {
        return handle.createQuery("""
                select g.id, g.amount_minor, g.remaining_minor, g.expires_on, o.reason, o.note
                from credit_grants g
                left join client_operations o on o.business_id = g.business_id and o.entry_id = g.entry_id
                where g.business_id = :business_id and g.client_id = :client_id and g.remaining_minor > 0
                order by g.expires_on nulls last, g.id
                limit 100
                """)
                .bind("business_id", businessId)
                .bind("client_id", clientId)
                .map((rs, ctx) -> new Grant(
                        rs.getLong("id"),
                        rs.getLong("amount_minor"),
                        rs.getLong("remaining_minor"),
                        Optional.ofNullable(rs.getObject("expires_on", LocalDate.class)),
                        java.util.stream.Stream.of(
                                        Optional.ofNullable(rs.getString("reason"))
                                                .map(reason -> ClientMoney.CreditReason.parse(reason, "reason")
                                                        .label
                                                        .replace(" (say why)", ""))
                                                .orElse(null),
                                        rs.getString("note"))
                                .filter(java.util.Objects::nonNull)
                                .collect(java.util.stream.Collectors.joining(" — "))))
                .list();
    }

    public void grant(
            Handle handle,
            long businessId,
            long clientId,
            long entryId,
            long amountMinor,
            Optional<LocalDate> expiresOn) {
        handle.createUpdate("""
                insert into credit_grants (business_id, client_id, entry_id, amount_minor, remaining_minor, expires_on)
                values (:business_id, :client_id, :entry_id, :amount, :amount, :expires_on)
                """)
                .bind("business_id", businessId)
                .bind("client_id", clientId)
                .bind("entry_id", entryId)
                .bind("amount", amountMinor)
                .bind("expires_on", expiresOn.orElse(null))
                .execute();
    }

    /** How much of one grant (of which client) a spend takes. */
    public record Take(long grantId, long clientId, long amountMinor) {}

    /**
     * Which grants of these clients (a household, or one client) {@code amountMinor} takes:
     * soonest-expiring first, never-expiring last. The grants are locked until the caller's
     * transaction ends; the caller posts the entry, then {@link #record}s the takes against it.
     */
    List<Take> plan(Handle handle, long businessId, List<Long> clientIds, long amountMinor) {
        final List<Take> grants = handle.createQuery("""
                select id, client_id, remaining_minor from credit_grants
                where business_id = :business_id and client_id = any(:client_ids) and remaining_minor > 0
                order by expires_on nulls last, id
                for update
                """)
                .bind("business_id", businessId)
                .bindArray("client_ids", Long.class, clientIds)
                .map((rs, ctx) -> new Take(rs.getLong("id"), rs.getLong("client_id"), rs.getLong("remaining_minor")))
                .list();
        final List<Take> takes = new java.util.ArrayList<>();
        long left = amountMinor;
        for (Take grant : grants) {
            if (left == 0) {
                break;
            }
            final long taken = Math.min(left, grant.amountMinor());
            takes.add(new Take(grant.grantId(), grant.clientId(), taken));
            left -= taken;
        }
        if (left > 0) {
            throw new IllegalStateException("clients " + clientIds + " hold credits their grants do not cover");
        }
        return takes;
    }

    public void record(Handle handle, long businessId, long entryId, List<Take> takes) {
        takes.forEach(take -> use(handle, businessId, entryId, take.grantId(), take.amountMinor()));
    }

    /** Records that entry {@code entryId} took {@code amountMinor} of grant {@code grantId}. */
    static void use(Handle handle, long businessId, long entryId, long grantId, long amountMinor) {
        handle.createUpdate("""
                insert into credit_grant_uses (business_id, entry_id, grant_id, amount_minor)
                values (:business_id, :entry_id, :grant_id, :amount)
                """)
                .bind("business_id", businessId)
                .bind("entry_id", entryId)
                .bind("grant_id", grantId)
                .bind("amount", amountMinor)
                .execute();
        handle.createUpdate("""
                update credit_grants set remaining_minor = remaining_minor - :amount
                where business_id = :business_id and id = :id
                """)
                .bind("amount", amountMinor)
                .bind("business_id", businessId)
                .bind("id", grantId)
                .execute();
    }
}

package dev.settle.clients;

import dev.settle.Problem;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Households: clients whose open payments and credits are one pool. Each member keeps their own
 * accounts, so every movement still says whose money moved, and their own balance due; spending
 * (funds applied, open payments refunded) draws on the member's own funds first, then the others'.
 */
public final class Households {
    private final Clients clients;

    public Households(Clients clients) {
        this.clients = clients;
    }

    /** A client's household as their page and the API show it: the members and the pooled funds. */
    public record Household(List<Clients.Client> members, long openPaymentsMinor, long creditsMinor) {
        public boolean shared() {
            return members.size() > 1;
        }
    }

    /**
     * The client and everyone in their household, the client first, then the others by id: the order
     * their funds are drawn on. Just the client when they have no household.
     */
    public Household of(Handle handle, Clients.Client client) {
        final List<Clients.Client> read = clients.withHousehold(handle, client.businessId(), client.id());
        final List<Clients.Client> members = new java.util.ArrayList<>(List.of(client));
        members.addAll(read.subList(Math.min(1, read.size()), read.size()));
        return household(members);
    }

    /** As {@link #of}, the client read too, in the same round trip; empty when there is no such client. */
    public Optional<Household> current(Handle handle, long businessId, long clientId) {
        final List<Clients.Client> members = clients.withHousehold(handle, businessId, clientId);
        return members.isEmpty() ? Optional.empty() : Optional.of(household(members));
    }

    private static Household household(List<Clients.Client> members) {
        return new Household(
                List.copyOf(members),
                members.stream().mapToLong(m -> m.openPayments().balanceMinor()).sum(),
                members.stream().mapToLong(m -> m.credits().balanceMinor()).sum());
    }

    /** Puts the client in the other client's household (making one if the other has none). */
    public Household join(Handle handle, long businessId, long clientId, long otherClientId) {
        if (clientId == otherClientId) {
            throw Problem.validation("withClientId", "Choose another client to share a household with");
        }
        lock(handle, businessId, clientId, otherClientId);
        final Clients.Client client = clients.require(handle, businessId, clientId);
        final Clients.Client other = clients.find(handle, businessId, otherClientId)
                .orElseThrow(() -> Problem.validation("withClientId", "No client has id " + otherClientId));
        for (Clients.Client member : List.of(client, other)) {
            if (member.archived()) {
                throw new Problem(
                        Problem.Kind.CLIENT_ARCHIVED,
                        "withClientId",
                        member.name() + " is archived; bring them back first");
            }
        }
        final long householdId = householdOf(handle, businessId, otherClientId).orElseGet(() -> {
            final long created = handle.createQuery(
                            "insert into households (business_id) values (:business_id) returning id")
                    .bind("business_id", businessId)
                    .mapTo(Long.class)
                    .one();
            setHousehold(handle, businessId, otherClientId, created);
            return created;
        });
        leaveQuietly(handle, businessId, clientId);
        setHousehold(handle, businessId, clientId, householdId);
        return of(handle, clients.require(handle, businessId, clientId));
    }

    /** Takes the client out of their household; their own funds stay theirs. */
    public Household leave(Handle handle, long businessId, long clientId) {
        lock(handle, businessId, clientId, clientId);
        clients.require(handle, businessId, clientId);
        leaveQuietly(handle, businessId, clientId);
        return of(handle, clients.require(handle, businessId, clientId));
    }

    /** Leaves the current household, if any; a household left with one member is dissolved. */
    private static void leaveQuietly(Handle handle, long businessId, long clientId) {
        final java.util.Optional<Long> old = householdOf(handle, businessId, clientId);
        if (old.isEmpty()) {
            return;
        }
        setHousehold(handle, businessId, clientId, null);
        handle.createUpdate("""
                update clients set household_id = null, updated_at = now()
                where business_id = :business_id and household_id = :household_id
                  and (select count(*) from clients m
                       where m.business_id = :business_id and m.household_id = :household_id) = 1
                """)
                .bind("business_id", businessId)
                .bind("household_id", old.get())
                .execute();
    }

    private static java.util.Optional<Long> householdOf(Handle handle, long businessId, long clientId) {
        return handle.createQuery("select household_id from clients where business_id = :business_id and id = :id")
                .bind("business_id", businessId)
                .bind("id", clientId)
                .mapTo(Long.class)
                .findOne()
                .flatMap(java.util.Optional::ofNullable);
    }

    private static void setHousehold(Handle handle, long businessId, long clientId, Long householdId) {
        handle.createUpdate("""
                update clients set household_id = :household_id, updated_at = now()
                where business_id = :business_id and id = :id
                """)
                .bind("household_id", householdId)
                .bind("business_id", businessId)
                .bind("id", clientId)
                .execute();
    }

    /** Household changes of two clients at once queue behind each other, in id order. */
    private static void lock(Handle handle, long businessId, long first, long second) {
        handle.createQuery("""
                select id from clients where business_id = :business_id and id in (:first, :second)
                order by id for update
                """)
                .bind("business_id", businessId)
                .bind("first", first)
                .bind("second", second)
                .mapTo(Long.class)
                .list();
    }
}

package dev.settle.clients;

import dev.settle.business.ApiKeys;
import dev.settle.business.Businesses;
import dev.settle.ledger.AccountKind;
import dev.settle.ledger.Actor;
import dev.settle.ledger.EntryRequest;
import dev.settle.ledger.Ledger;
import dev.settle.ledger.PostedEntry;
import dev.settle.ledger.PostingRequest;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expires credits at the end of their last day, in their business's time zone: what is left of
 * each grant goes back to promotions in one ledger entry per grant, and the history says so. Runs
 * hourly; each grant is taken with {@code for update skip locked}, so several Settle instances
 * never expire one twice.
 */
public final class CreditExpiry {
    private static final Logger log = LoggerFactory.getLogger(CreditExpiry.class);
    static final int GRANTS_PER_RUN_MAX = 10_000;

    private record Due(long businessId, long grantId, long clientId, long remainingMinor, LocalDate expiresOn) {}

    private final Jdbi jdbi;
    private final Ledger ledger;
    private final Clients clients;
    private final Businesses businesses;

    public CreditExpiry(Jdbi jdbi, Ledger ledger) {
        this.jdbi = jdbi;
        this.ledger = ledger;
        this.clients = new Clients(ledger);
        this.businesses = new Businesses(ledger, new ApiKeys());
    }

    /** Expires every grant whose last day has ended by {@code now}; returns how many. */
    public int expireDue(Instant now) {
        final List<Long> failed = new ArrayList<>();
        int expired = 0;
        int tried = 0;
        while (tried < GRANTS_PER_RUN_MAX) {
            final Optional<Boolean> outcome;
            try {
                outcome = jdbi.inTransaction(handle -> expireOne(handle, now, failed));
            } catch (ExpiryFailed failure) {
                // A broken grant is tried again next run; the rest go on.
                log.warn(
                        "credit grant {} not expired this run: {}",
                        failure.grantId,
                        failure.getCause().getMessage());
                failed.add(failure.grantId);
                tried++;
                continue;
            }
            if (outcome.isEmpty()) {
                break;
            }
            tried++;
            expired += outcome.get() ? 1 : 0;
        }
        return expired;
    }

    /** A grant that could not be expired, and why. */
    private static final class ExpiryFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final long grantId;

        ExpiryFailed(long grantId, RuntimeException cause) {
            super(cause);
            this.grantId = grantId;
        }
    }

    /**
     * One grant per transaction, so one client's trouble never holds back another's expiry. Empty
     * when nothing is due; false when another instance expired the grant first.
     */
    private Optional<Boolean> expireOne(Handle handle, Instant now, List<Long> skipped) {
        final Optional<Due> due = handle.createQuery("""
                select g.business_id, g.id, g.client_id, g.remaining_minor, g.expires_on
                from credit_grants g
                join businesses b on b.id = g.business_id
                where g.remaining_minor > 0 and g.expires_on < (:now at time zone b.time_zone)::date
                  and g.id <> all(:skipped)
                order by g.expires_on, g.business_id, g.id
                limit 1
                """)
                .bind("now", now.atOffset(ZoneOffset.UTC))
                .bind("skipped", skipped.toArray(Long[]::new))
                .map((rs, ctx) -> new Due(
                        rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getObject(5, LocalDate.class)))
                .findOne();
        if (due.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(expire(handle, due.get()));
        } catch (RuntimeException e) {
            throw new ExpiryFailed(due.get().grantId(), e);
        }
    }

    private boolean expire(Handle handle, Due due) {
        final Clients.Client client =
                clients.find(handle, due.businessId(), due.clientId()).orElseThrow();
        // The credits account first, then the grant, as every spend takes them (no deadlock); what is
        // left is read again under the lock, since a spend or another instance may have taken it.
        ledger.lock(handle, due.businessId(), List.of(client.credits().id()));
        final long remaining = handle.createQuery("""
                select remaining_minor from credit_grants where business_id = :business_id and id = :id for update
                """)
                .bind("business_id", due.businessId())
                .bind("id", due.grantId())
                .mapTo(Long.class)
                .one();
        if (remaining == 0) {
            return false;
        }
        final PostedEntry entry = ledger.post(
                handle,
                new EntryRequest(
                        due.businessId(),
                        "credit_expired",
                        Optional.of("Credit expired (last day " + due.expiresOn() + ")"),
                        Actor.system(),
                        Optional.of(client.id()),
                        Optional.empty(),
                        List.of(
                                PostingRequest.debit(client.credits().id(), remaining),
                                PostingRequest.credit(
                                        businesses.accountId(handle, due.businessId(), AccountKind.PROMOTIONS),
                                        remaining))));
        CreditGrants.use(handle, due.businessId(), entry.id(), due.grantId(), remaining);
        handle.createUpdate("""
                insert into client_operations (business_id, entry_id, client_id, kind)
                values (:business_id, :entry_id, :client_id, 'credit_expired')
                """)
                .bind("business_id", due.businessId())
                .bind("entry_id", entry.id())
                .bind("client_id", client.id())
                .execute();
        return true;
    }

    /** One run as the job scheduler calls it: a failure is logged, and the next run catches up. */
    public void expireLogged() {
        try {
            final int expired = expireDue(Instant.now());
            if (expired > 0) {
                log.info("expired {} credits", expired);
            }
        } catch (RuntimeException e) {
            // The next run picks up what this one left: a grant stays due until it is expired.
            log.warn("credit expiry failed: {}", e.getMessage());
        }
    }
}

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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
public final class CreditExpiry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CreditExpiry.class);
    static final int GRANTS_PER_RUN_MAX = 10_000;

    private record Due(long businessId, long grantId, long clientId, long remainingMinor, LocalDate expiresOn) {}

    private final Jdbi jdbi;
    private final Ledger ledger;
    private final Clients clients;
    private final Businesses businesses;
    private final ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("credit-expiry").daemon().factory());

    public CreditExpiry(Jdbi jdbi, Ledger ledger) {
        this.jdbi = jdbi;
        this.ledger = ledger;
        this.clients = new Clients(ledger);
        this.businesses = new Businesses(ledger, new ApiKeys());
    }

    public CreditExpiry startHourly() {
        schedule.scheduleWithFixedDelay(this::expireLogged, 1, 60, TimeUnit.MINUTES);
        return this;
    }

    /** Expires every grant whose last day has ended by {@code now}; returns how many. */
    public int expireDue(Instant now) {
        final List<Long> failed = new ArrayList<>();
        int expired = 0;
        while (expired + failed.size() < GRANTS_PER_RUN_MAX) {
            final Optional<Due> due;
            try {
                due = jdbi.inTransaction(handle -> expireOne(handle, now, failed));
            } catch (ExpiryFailed failure) {
                // A spend raced this grant (or the like): the next run tries it again; the rest go on.
                log.warn(
                        "credit grant {} not expired this run: {}",
                        failure.grantId,
                        failure.getCause().getMessage());
                failed.add(failure.grantId);
                continue;
            }
            if (due.isEmpty()) {
                break;
            }
            expired++;
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

    /** One grant per transaction, so one client's trouble never holds back another's expiry. */
    private Optional<Due> expireOne(Handle handle, Instant now, List<Long> skipped) {
        final Optional<Due> due = handle.createQuery("""
                select g.business_id, g.id, g.client_id, g.remaining_minor, g.expires_on
                from credit_grants g
                join businesses b on b.id = g.business_id
                where g.remaining_minor > 0 and g.expires_on < (:now at time zone b.time_zone)::date
                  and g.id <> all(:skipped)
                order by g.expires_on, g.business_id, g.id
                limit 1
                for update of g skip locked
                """)
                .bind("now", now.atOffset(ZoneOffset.UTC))
                .bind("skipped", skipped.toArray(Long[]::new))
                .map((rs, ctx) -> new Due(
                        rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getObject(5, LocalDate.class)))
                .findOne();
        if (due.isPresent()) {
            try {
                expire(handle, due.get());
            } catch (RuntimeException e) {
                throw new ExpiryFailed(due.get().grantId(), e);
            }
        }
        return due;
    }

    private void expire(Handle handle, Due due) {
        final Clients.Client client =
                clients.find(handle, due.businessId(), due.clientId()).orElseThrow();
        // Never more than the client holds: credit spent before grants were tracked is already gone.
        final long amount = Math.min(due.remainingMinor(), client.credits().balanceMinor());
        if (amount > 0) {
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
                                    PostingRequest.debit(client.credits().id(), amount),
                                    PostingRequest.credit(
                                            businesses.accountId(handle, due.businessId(), AccountKind.PROMOTIONS),
                                            amount))));
            handle.createUpdate("""
                    insert into credit_grant_uses (business_id, entry_id, grant_id, amount_minor)
                    values (:business_id, :entry_id, :grant_id, :amount)
                    """)
                    .bind("business_id", due.businessId())
                    .bind("entry_id", entry.id())
                    .bind("grant_id", due.grantId())
                    .bind("amount", amount)
                    .execute();
            handle.createUpdate("""
                    insert into client_operations (business_id, entry_id, client_id, kind)
                    values (:business_id, :entry_id, :client_id, 'credit_expired')
                    """)
                    .bind("business_id", due.businessId())
                    .bind("entry_id", entry.id())
                    .bind("client_id", client.id())
                    .execute();
        }
        handle.createUpdate(
                        "update credit_grants set remaining_minor = 0 where business_id = :business_id and id = :id")
                .bind("business_id", due.businessId())
                .bind("id", due.grantId())
                .execute();
    }

    private void expireLogged() {
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

    @Override
    public void close() {
        schedule.shutdownNow();
    }
}

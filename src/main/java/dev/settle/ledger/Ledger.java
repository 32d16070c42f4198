package dev.settle.ledger;

import dev.settle.Problem;
import dev.settle.db.SqlState;
import dev.settle.db.WriteBatcher;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementException;

/**
 * The double-entry ledger.
 *
 * <p>Posts entries, reverses them, and reads balances now and as of any instant.
 * Every method takes the caller's {@link Handle}, so a post joins the caller's transaction (and
 * its idempotency record) and commits or rolls back with it. Posting itself is the
 * {@code ledger_post} function in the migrations (called through {@code ledger_post_many}, which
 * posts several entries per round trip): locks, balances and postings in one call.
 */
public final class Ledger {
    public static final int HISTORY_LIMIT_MAX = 500;

    /** Posts {@code request} as one entry, or throws a {@link Problem} and changes nothing. */
    public PostedEntry post(Handle handle, EntryRequest request) {
        return post(handle, request, Optional.empty());
    }

    /**
     * Posts {@code request} as having happened at {@code at}: history recorded after the fact (the
     * demo business; imports of earlier records). Refused if {@code at} is in the future, or before
     * the latest posting of an account the entry moves, so every account's history stays in time
     * order. A refusal leaves the caller's transaction to roll back, which also undoes the date.
     */
    public PostedEntry postDated(Handle handle, EntryRequest request, OffsetDateTime at) {
        return dated(handle, at, () -> post(handle, request));
    }

    /**
     * Runs {@code work} with every entry it posts (and invoice it issues) dated {@code at}, under the
     * rules of {@link #postDated}: for history recorded after the fact through the domain operations.
     */
    public <T> T dated(Handle handle, OffsetDateTime at, java.util.function.Supplier<T> work) {
        // The date is a transaction-local setting: outside a transaction it would not reach the entry.
        if (!handle.isInTransaction()) {
            throw new IllegalStateException("dated entries need a transaction");
        }
        setEffectiveAt(handle, at.toString());
        final T result;
        try {
            result = work.get();
        } catch (RuntimeException e) {
            clearAfterFailure(handle, e);
            throw e;
        }
        setEffectiveAt(handle, "");
        return result;
    }

    /** A caller that rolls back to a savepoint and carries on must not post later entries dated. */
    private static void clearAfterFailure(Handle handle, RuntimeException failure) {
        try {
            setEffectiveAt(handle, "");
        } catch (RuntimeException aborted) {
            // The transaction is aborted and can only roll back, which undoes the setting too.
            failure.addSuppressed(aborted);
        }
    }

    private static void setEffectiveAt(Handle handle, String at) {
        handle.createQuery("select set_config('settle.effective_at', :at, true)")
                .bind("at", at)
                .mapTo(String.class)
                .one();
    }

    /**
     * Posts the mirror image of entry {@code entryId}. An entry can be reversed once; a reversal
     * cannot itself be reversed (post a new entry instead).
     */
    public PostedEntry reverse(
            Handle handle,
            long businessId,
            long entryId,
            Actor actor,
            Optional<String> memo,
            Optional<String> idempotencyKey) {
        final PostedEntry original = entry(handle, businessId, entryId)
                .orElseThrow(() -> Problem.notFound("entryId", "entry " + entryId + " does not exist"));
        if (original.reversesEntryId().isPresent()) {
            throw new Problem(
                    Problem.Kind.REVERSAL_REFUSED,
                    "entryId",
                    "entry " + entryId + " is itself a reversal; post a new entry instead");
        }
        final List<PostingRequest> mirrored = original.postings().stream()
                .map(posting -> new PostingRequest(posting.accountId(), -posting.amountMinor(), posting.invoiceId()))
                .toList();
        final EntryRequest reversal = new EntryRequest(
                businessId,
                "reversal",
                memo.or(() -> Optional.of("reversal of entry " + entryId)),
                actor,
                original.clientId(),
                idempotencyKey,
                mirrored);
        return post(handle, reversal, Optional.of(entryId));
    }

    private PostedEntry post(Handle handle, EntryRequest request, Optional<Long> reversesEntryId) {
        return postAll(handle, List.of(request), List.of(reversesEntryId)).getFirst();
    }

    /**
     * Posts several entries in one round trip, in order, each all or nothing. Throws on the first
     * that is refused, leaving the caller's transaction to roll back: callers that need the others
     * to stand post them one by one instead (see {@link #postWork}).
     */
    public List<PostedEntry> postAll(Handle handle, List<EntryRequest> requests) {
        return postAll(
                handle,
                requests,
                requests.stream().map(request -> Optional.<Long>empty()).toList());
    }

    private List<PostedEntry> postAll(
            Handle handle, List<EntryRequest> requests, List<Optional<Long>> reversesEntryIds) {
        final List<Long> accountIds = new ArrayList<>();
        final List<Long> amounts = new ArrayList<>();
        final List<Long> invoiceIds = new ArrayList<>();
        for (EntryRequest request : requests) {
            for (PostingRequest posting : request.postings()) {
                accountIds.add(posting.accountId());
                amounts.add(posting.amountMinor());
                invoiceIds.add(posting.invoiceId().orElse(null));
            }
        }
        final List<List<PostedEntry.Posting>> postings = new ArrayList<>();
        final List<Long> entryIds = new ArrayList<>();
        final List<OffsetDateTime> effectiveAts = new ArrayList<>();
        requests.forEach(request -> postings.add(new ArrayList<>()));
        try {
            handle.createQuery("""
              select entry_index, entry_id, effective_at, account_id, account_version, amount_minor,
                     balance_after_minor, invoice_id
              from ledger_post_many(:business_ids, :kinds, :memos, :actor_staff_ids, :actor_api_key_ids,
                                    :client_ids, :entry_invoice_ids, :idempotency_keys, :reverses_entry_ids,
                                    :posting_counts, :account_ids, :amounts, :invoice_ids)
              """)
                    .bindArray("business_ids", Long.class, each(requests, EntryRequest::businessId))
                    .bindArray("kinds", String.class, each(requests, EntryRequest::kind))
                    .bindArray(
                            "memos",
                            String.class,
                            each(requests, request -> request.memo().orElse(null)))
                    .bindArray(
                            "actor_staff_ids",
                            Long.class,
                            each(requests, r -> r.actor().staffUserId().orElse(null)))
                    .bindArray(
                            "actor_api_key_ids",
                            Long.class,
                            each(requests, r -> r.actor().apiKeyId().orElse(null)))
                    .bindArray(
                            "client_ids",
                            Long.class,
                            each(requests, request -> request.clientId().orElse(null)))
                    .bindArray(
                            "entry_invoice_ids",
                            Long.class,
                            each(requests, request -> request.invoiceId().orElse(null)))
                    .bindArray(
                            "idempotency_keys",
                            String.class,
                            each(requests, r -> r.idempotencyKey().orElse(null)))
                    .bindArray(
                            "reverses_entry_ids",
                            Long.class,
                            reversesEntryIds.stream().map(id -> id.orElse(null)).toList())
                    .bindArray(
                            "posting_counts",
                            Integer.class,
                            each(requests, request -> request.postings().size()))
                    .bindArray("account_ids", Long.class, accountIds)
                    .bindArray("amounts", Long.class, amounts)
                    .bindArray("invoice_ids", Long.class, invoiceIds)
                    .map((rs, ctx) -> {
                        final int index = rs.getInt("entry_index") - 1;
                        if (index == entryIds.size()) {
                            entryIds.add(rs.getLong("entry_id"));
                            effectiveAts.add(rs.getObject("effective_at", OffsetDateTime.class));
                        }
                        return postings.get(index)
                                .add(new PostedEntry.Posting(
                                        rs.getLong("account_id"),
                                        rs.getLong("account_version"),
                                        rs.getLong("amount_minor"),
                                        rs.getLong("balance_after_minor"),
                                        Optional.ofNullable(rs.getObject("invoice_id", Long.class))));
                    })
                    .list();
        } catch (StatementException e) {
            throw requests.size() == 1 ? asProblem(e, requests.getFirst(), reversesEntryIds.getFirst()) : e;
        }
        final List<PostedEntry> posted = new ArrayList<>(requests.size());
        for (int index = 0; index < requests.size(); index++) {
            final EntryRequest request = requests.get(index);
            if (postings.get(index).size() != request.postings().size()) {
                throw new IllegalStateException(
                        "ledger_post wrote " + postings.get(index).size() + " postings for "
                                + request.postings().size());
            }
            posted.add(new PostedEntry(
                    request.businessId(),
                    entryIds.get(index),
                    request.kind(),
                    effectiveAts.get(index),
                    request.memo(),
                    request.clientId(),
                    reversesEntryIds.get(index),
                    List.copyOf(postings.get(index))));
        }
        return posted;
    }

    private static <T> List<T> each(List<EntryRequest> requests, java.util.function.Function<EntryRequest, T> field) {
        final List<T> values = new ArrayList<>(requests.size());
        requests.forEach(request -> values.add(field.apply(request)));
        return values;
    }

    /**
     * Posting {@code request} as a {@link WriteBatcher.Work}: neighbouring posts in a batch go to the
     * database together, in one round trip.
     */
    public WriteBatcher.Work<PostedEntry> postWork(EntryRequest request) {
        return new PostWork(this, request);
    }

    private record PostWork(Ledger ledger, EntryRequest request) implements WriteBatcher.Work<PostedEntry> {
        @Override
        public PostedEntry run(Handle handle) {
            return ledger.post(handle, request);
        }

        @Override
        public Optional<WriteBatcher.Group<PostedEntry>> group() {
            return Optional.of(ledger.postGroup);
        }
    }

    private final WriteBatcher.Group<PostedEntry> postGroup = (handle, works) -> postAll(
            handle, works.stream().map(work -> ((PostWork) work).request()).toList());

    /** The problem a refused entry means for its caller; anything unexpected stays as it is. */
    private static RuntimeException asProblem(
            StatementException e, EntryRequest request, Optional<Long> reversesEntryId) {
        final String state = SqlState.of(e).orElse("");
        final String message =
                SqlState.serverMessage(e).map(m -> m.getMessage()).orElse(e.getMessage());
        return switch (state) {
            case "ST001" -> Problem.validation("postings", message);
            case "ST002" -> Problem.notFound("postings", message);
            case "ST003" -> new Problem(Problem.Kind.INSUFFICIENT_FUNDS, "postings", message);
            case "ST004" -> new Problem(Problem.Kind.REVERSAL_REFUSED, "entryId", message);
            case "ST005" -> new Problem(Problem.Kind.ALREADY_REVERSED, "entryId", message);
            case "ST006" -> Problem.validation("postings", message);
            case "ST007" -> new Problem(Problem.Kind.OVERPAID, "postings", message);
            case SqlState.UNIQUE_VIOLATION ->
                reversesEntryId.isPresent() && message.contains("reversed_once")
                        ? new Problem(
                                Problem.Kind.ALREADY_REVERSED,
                                "entryId",
                                "entry " + reversesEntryId.get() + " has already been reversed")
                        : e;
            case SqlState.FOREIGN_KEY_VIOLATION ->
                message.contains("journal_entries_business_id_client_id_fkey")
                        ? Problem.notFound(
                                "clientId",
                                "no client has id " + request.clientId().orElse(0L))
                        : e;
            case SqlState.CHECK_VIOLATION ->
                message.contains("stored_value_never_negative")
                        ? new Problem(Problem.Kind.INSUFFICIENT_FUNDS, "postings", message)
                        : e;
            case SqlState.NUMERIC_OUT_OF_RANGE ->
                Problem.validation("postings", "the entry would take a balance out of range");
            default -> e;
        };
    }

    /**
     * Locks accounts in id order, as {@code ledger_post} does, for a caller that must read what it
     * is about to change (a client's unpaid invoices, say) before it posts, within one transaction.
     * Returns false, and locks nothing, when the transaction has held them all since before its
     * first read ({@link WriteBatcher#heldSinceBatchStart}): what the caller read is current.
     */
    public boolean lock(Handle handle, long businessId, java.util.Collection<Long> accountIds) {
        if (WriteBatcher.heldSinceBatchStart(handle, businessId, accountIds)) {
            return false;
        }
        // Each account by its key, in id order: "id = any (ids)" read every account of the business
        // where PostgreSQL guessed businesses small (decision 0024).
        handle.createQuery("""
            select a.id
            from (select distinct r.id from unnest(:account_ids) as r (id) order by r.id) r
            cross join lateral (select a.id from accounts a
                                where a.business_id = :business_id and a.id = r.id
                                offset 0
                                for update) a
            """)
                .bind("business_id", businessId)
                .bindArray("account_ids", Long.class, List.copyOf(accountIds))
                .mapTo(Long.class)
                .list();
        return true;
    }

    public Optional<PostedEntry> entry(Handle handle, long businessId, long entryId) {
        final List<PostedEntry.Posting> postings = handle.createQuery("""
                select account_id, account_version, amount_minor, balance_after_minor, invoice_id
                from postings
                where business_id = :business_id and entry_id = :entry_id
                order by account_id, account_version
                """)
                .bind("business_id", businessId)
                .bind("entry_id", entryId)
                .map((rs, ctx) -> new PostedEntry.Posting(
                        rs.getLong("account_id"),
                        rs.getLong("account_version"),
                        rs.getLong("amount_minor"),
                        rs.getLong("balance_after_minor"),
                        Optional.ofNullable(rs.getObject("invoice_id", Long.class))))
                .list();
        return handle.createQuery("""
            select id, kind, effective_at, memo, client_id, reverses_entry_id
            from journal_entries
            where business_id = :business_id and id = :entry_id
            """)
                .bind("business_id", businessId)
                .bind("entry_id", entryId)
                .map((rs, ctx) -> new PostedEntry(
                        businessId,
                        rs.getLong("id"),
                        rs.getString("kind"),
                        rs.getObject("effective_at", OffsetDateTime.class),
                        Optional.ofNullable(rs.getString("memo")),
                        Optional.ofNullable(rs.getObject("client_id", Long.class)),
                        Optional.ofNullable(rs.getObject("reverses_entry_id", Long.class)),
                        postings))
                .findOne();
    }

    /** The entry that reversed {@code entryId}, if any. */
    public Optional<Long> reversedBy(Handle handle, long businessId, long entryId) {
        return handle.createQuery(
                        "select id from journal_entries where business_id = :business_id and reverses_entry_id = :entry_id")
                .bind("business_id", businessId)
                .bind("entry_id", entryId)
                .mapTo(Long.class)
                .findOne();
    }

    public Account openAccount(Handle handle, long businessId, AccountKind kind, Optional<Long> clientId) {
        return handle.createQuery("""
            insert into accounts (business_id, kind, client_id)
            values (:business_id, :kind, :client_id)
            returning business_id, id, kind, client_id, gift_card_id, balance_minor, version
            """)
                .bind("business_id", businessId)
                .bind("kind", kind.dbName)
                .bind("client_id", clientId.orElse(null))
                .map(Ledger::account)
                .one();
    }

    public Optional<Account> account(Handle handle, long businessId, long accountId) {
        return handle.createQuery("""
            select business_id, id, kind, client_id, gift_card_id, balance_minor, version
            from accounts
            where business_id = :business_id and id = :account_id
            """)
                .bind("business_id", businessId)
                .bind("account_id", accountId)
                .map(Ledger::account)
                .findOne();
    }

    /** The business's accounts, or one client's, in id order. */
    public List<Account> accounts(Handle handle, long businessId, Optional<Long> clientId) {
        // Two statements rather than "client_id is null or ...", whose plan PostgreSQL made afresh each call.
        return clientId.map(id ->
                        handle.createQuery("""
                                select business_id, id, kind, client_id, gift_card_id, balance_minor, version
                                from accounts
                                where business_id = :business_id and client_id = :client_id
                                order by id
                                """).bind("business_id", businessId).bind("client_id", id))
                .orElseGet(() -> handle.createQuery("""
                                select business_id, id, kind, client_id, gift_card_id, balance_minor, version
                                from accounts
                                where business_id = :business_id
                                order by id
                                limit 1000
                                """).bind("business_id", businessId))
                .map(Ledger::account)
                .list();
    }

    /**
     * The balance of an account as it stood at {@code at}: the running balance of its last posting
     * at or before that instant (zero before its first). Postings of an account are in time order
     * because {@code ledger_post} reads the clock while holding the account's lock.
     */
    public long balanceAt(Handle handle, long businessId, long accountId, Instant at) {
        return balancesAt(handle, businessId, List.of(accountId), at).getFirst();
    }

    /** {@link #balanceAt} of several accounts, in their order, in one round trip. */
    public List<Long> balancesAt(Handle handle, long businessId, List<Long> accountIds, Instant at) {
        return handle.createQuery("""
            select coalesce((select p.balance_after_minor
                             from postings p
                             where p.business_id = :business_id and p.account_id = a.id and p.posted_at <= :at
                             order by p.account_version desc
                             limit 1), 0)
            from unnest(cast(:account_ids as bigint[])) with ordinality as a (id, ord)
            order by a.ord
            """)
                .bind("business_id", businessId)
                .bindArray("account_ids", Long.class, accountIds)
                .bind("at", OffsetDateTime.ofInstant(at, ZoneOffset.UTC))
                .mapTo(Long.class)
                .list();
    }

    /** An account's postings, newest first, each with the balance right after it. */
    public List<AccountPosting> history(
            Handle handle, long businessId, long accountId, int limit, Optional<Long> beforeVersion) {
        if (limit < 1 || limit > HISTORY_LIMIT_MAX) {
            throw new IllegalArgumentException("limit must be 1.." + HISTORY_LIMIT_MAX);
        }
        return handle.createQuery("""
            select p.account_version, p.entry_id, p.amount_minor, p.balance_after_minor, p.posted_at,
                   e.kind, e.memo
            from postings p
            join journal_entries e on e.business_id = p.business_id and e.id = p.entry_id
            where p.business_id = :business_id and p.account_id = :account_id
              and p.account_version < :before_version
            order by p.account_version desc
            limit :limit
            """)
                .bind("business_id", businessId)
                .bind("account_id", accountId)
                .bind("before_version", beforeVersion.orElse(Long.MAX_VALUE))
                .bind("limit", limit)
                .map((rs, ctx) -> new AccountPosting(
                        rs.getLong("account_version"),
                        rs.getLong("entry_id"),
                        rs.getLong("amount_minor"),
                        rs.getLong("balance_after_minor"),
                        rs.getObject("posted_at", OffsetDateTime.class),
                        rs.getString("kind"),
                        Optional.ofNullable(rs.getString("memo"))))
                .list();
    }

    /** One row of an account's history. */
    public record AccountPosting(
            long accountVersion,
            long entryId,
            long amountMinor,
            long balanceAfterMinor,
            OffsetDateTime postedAt,
            String entryKind,
            Optional<String> memo) {}

    /** Maps a row with the columns of {@code accounts} (its client, if any, as {@code client_id}). */
    public static Account account(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws java.sql.SQLException {
        return new Account(
                rs.getLong("business_id"),
                rs.getLong("id"),
                AccountKind.fromDbName(rs.getString("kind"))
                        .orElseThrow(() -> new IllegalStateException("unknown account kind")),
                Optional.ofNullable(rs.getObject("client_id", Long.class)),
                Optional.ofNullable(rs.getObject("gift_card_id", Long.class)),
                rs.getLong("balance_minor"),
                rs.getLong("version"));
    }
}

package dev.settle.ledger;

import dev.settle.Problem;
import dev.settle.business.ApiKeys;
import dev.settle.web.ApiAuth;
import dev.settle.web.ApiWrites;
import dev.settle.web.Json;
import dev.settle.web.PathIds;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** {@code /api/v1/entries} and {@code /api/v1/accounts}: the ledger, low level. */
public final class LedgerApi {
    /** A single posting can move at most 10^12 minor units (ten billion dollars). */
    public static final long AMOUNT_MINOR_MAX = 1_000_000_000_000L;

    private final Jdbi jdbi;
    private final Ledger ledger;
    private final ApiWrites writes;

    public LedgerApi(Jdbi jdbi, Ledger ledger, ApiWrites writes) {
        this.jdbi = jdbi;
        this.ledger = ledger;
        this.writes = writes;
    }

    record PostingBody(Long accountId, String side, Long amountMinor) {}

    record EntryBody(String kind, String memo, Long clientId, List<PostingBody> postings) {}

    record ReversalBody(String memo) {}

    record PostingJson(long accountId, String side, long amountMinor, long balanceAfterMinor, long accountVersion) {}

    record EntryJson(
            long id,
            String kind,
            OffsetDateTime effectiveAt,
            String currency,
            Optional<String> memo,
            Optional<Long> clientId,
            Optional<Long> reversesEntryId,
            Optional<Long> reversedByEntryId,
            List<PostingJson> postings) {}

    record AccountJson(
            long id,
            String kind,
            Optional<Long> clientId,
            String currency,
            long balanceMinor,
            long version,
            Optional<Instant> asOf) {}

    record HistoryRowJson(
            long accountVersion,
            long entryId,
            String entryKind,
            Optional<String> memo,
            OffsetDateTime postedAt,
            String side,
            long amountMinor,
            long balanceAfterMinor) {}

    record HistoryJson(
            long accountId, String currency, List<HistoryRowJson> postings, Optional<Long> nextBeforeVersion) {}

    public void postEntry(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final EntryRequest request = toRequest(caller, Json.read(ctx, EntryBody.class), ctx);
        final List<Long> clientAccounts = clientAccounts(caller.businessId(), request.accountIds());
        for (int index = 0; index < request.postings().size(); index++) {
            final long accountId = request.postings().get(index).accountId();
            if (clientAccounts.contains(accountId)) {
                throw Problem.validation(
                        "postings[" + index + "].accountId",
                        "account " + accountId + " is a client's; a client's money moves through the client routes"
                                + " (/api/v1/clients/{id}/payments, charges, open-payments, credits, apply-funds)");
            }
        }
        writes.submit(
                ctx,
                caller,
                request.accountIds(),
                201,
                ledger.postWork(request),
                entry -> json(entry, caller.currency(), Optional.empty()));
    }

    public void reverseEntry(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long entryId = PathIds.of(ctx, "entryId");
        final Optional<String> memo = ctx.bodyAsBytes().length == 0
                ? Optional.empty()
                : Optional.ofNullable(Json.read(ctx, ReversalBody.class).memo());
        if (memo.isPresent() && memo.get().length() > EntryRequest.MEMO_LENGTH_MAX) {
            throw Problem.validation("memo", "memo must be at most 500 characters");
        }
        final List<Long> accountIds = jdbi.withHandle(handle -> ledger.entry(handle, caller.businessId(), entryId))
                .map(entry -> entry.postings().stream()
                        .map(PostedEntry.Posting::accountId)
                        .distinct()
                        .toList())
                .orElse(List.of());
        if (!clientAccounts(caller.businessId(), accountIds).isEmpty()) {
            throw new Problem(
                    Problem.Kind.REVERSAL_REFUSED,
                    "entryId",
                    "entry " + entryId + " moved a client's money; correct it through the client routes instead");
        }
        writes.submit(
                ctx,
                caller,
                accountIds,
                201,
                handle -> ledger.reverse(
                        handle,
                        caller.businessId(),
                        entryId,
                        Actor.apiKey(caller.apiKeyId()),
                        memo,
                        Optional.ofNullable(ctx.header(ApiWrites.IDEMPOTENCY_HEADER))),
                reversal -> json(reversal, caller.currency(), Optional.empty()));
    }

    /**
     * Which of these accounts belong to a client. Those move only through client operations, which
     * keep the invoices, credit grants and history that go with their money.
     */
    private List<Long> clientAccounts(long businessId, List<Long> accountIds) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        select id from accounts
                        where business_id = :business_id and id = any(:ids) and client_id is not null
                        """)
                .bind("business_id", businessId)
                .bindArray("ids", Long.class, accountIds)
                .mapTo(Long.class)
                .list());
    }

    public void getEntry(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long entryId = PathIds.of(ctx, "entryId");
        final EntryJson entry = jdbi.withHandle(handle -> ledger.entry(handle, caller.businessId(), entryId)
                .map(found -> json(found, caller.currency(), ledger.reversedBy(handle, caller.businessId(), entryId)))
                .orElseThrow(() -> Problem.notFound("entryId", "no entry has id " + entryId)));
        ctx.json(entry);
    }

    public void listAccounts(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final Optional<Long> clientId =
                Optional.ofNullable(ctx.queryParam("clientId")).map(text -> parseId(text, "clientId"));
        final List<AccountJson> accounts =
                jdbi.withHandle(handle -> ledger.accounts(handle, caller.businessId(), clientId)).stream()
                        .map(account -> json(account, caller.currency(), account.balanceMinor(), Optional.empty()))
                        .toList();
        ctx.json(java.util.Map.of("accounts", accounts));
    }

    public void getAccount(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long accountId = PathIds.of(ctx, "accountId");
        final Optional<Instant> at = Optional.ofNullable(ctx.queryParam("at")).map(LedgerApi::parseInstant);
        final AccountJson account = jdbi.withHandle(handle -> {
            final Account found = requireAccount(handle, caller.businessId(), accountId);
            final long balance = at.map(instant -> ledger.balanceAt(handle, caller.businessId(), accountId, instant))
                    .orElse(found.balanceMinor());
            return json(found, caller.currency(), balance, at);
        });
        ctx.json(account);
    }

    public void accountHistory(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        final long accountId = PathIds.of(ctx, "accountId");
        final int limit = parseLimit(ctx.queryParam("limit"));
        final Optional<Long> beforeVersion =
                Optional.ofNullable(ctx.queryParam("beforeVersion")).map(text -> parseId(text, "beforeVersion"));
        final HistoryJson history = jdbi.withHandle(handle -> {
            final Account account = requireAccount(handle, caller.businessId(), accountId);
            final List<HistoryRowJson> rows =
                    ledger.history(handle, caller.businessId(), accountId, limit, beforeVersion).stream()
                            .map(row -> new HistoryRowJson(
                                    row.accountVersion(),
                                    row.entryId(),
                                    row.entryKind(),
                                    row.memo(),
                                    row.postedAt(),
                                    side(row.amountMinor()),
                                    Math.abs(row.amountMinor()),
                                    row.balanceAfterMinor()))
                            .toList();
            final Optional<Long> next = rows.size() == limit && rows.getLast().accountVersion() > 1
                    ? Optional.of(rows.getLast().accountVersion())
                    : Optional.empty();
            return new HistoryJson(account.id(), caller.currency(), rows, next);
        });
        ctx.json(history);
    }

    private static EntryRequest toRequest(ApiKeys.Caller caller, EntryBody body, Context ctx) {
        if (body.kind() == null || !body.kind().matches("[a-z][a-z0-9_]{0,39}")) {
            throw Problem.validation(
                    "kind",
                    "kind must be 1 to 40 lowercase letters, digits or _ starting with a letter (e.g. checkout)");
        }
        if (body.memo() != null && body.memo().length() > EntryRequest.MEMO_LENGTH_MAX) {
            throw Problem.validation("memo", "memo must be at most 500 characters");
        }
        if (body.clientId() != null && body.clientId() <= 0) {
            throw Problem.notFound("clientId", "no client has id " + body.clientId());
        }
        if (body.postings() == null
                || body.postings().size() < 2
                || body.postings().size() > EntryRequest.POSTINGS_MAX) {
            throw Problem.validation("postings", "an entry needs 2 to 50 postings");
        }
        final List<PostingRequest> postings = new ArrayList<>();
        long debitsMinor = 0;
        long creditsMinor = 0;
        for (int index = 0; index < body.postings().size(); index++) {
            final PostingBody posting = body.postings().get(index);
            final String at = "postings[" + index + "]";
            if (posting == null) {
                throw Problem.validation(at, "a posting must be an object");
            }
            if (posting.accountId() == null || posting.accountId() <= 0) {
                throw Problem.validation(at + ".accountId", "accountId is required and must be a positive id");
            }
            if (posting.amountMinor() == null
                    || posting.amountMinor() <= 0
                    || posting.amountMinor() > AMOUNT_MINOR_MAX) {
                throw Problem.validation(
                        at + ".amountMinor",
                        "amountMinor must be a whole number of minor units from 1 to " + AMOUNT_MINOR_MAX);
            }
            if ("debit".equals(posting.side())) {
                postings.add(PostingRequest.debit(posting.accountId(), posting.amountMinor()));
                debitsMinor += posting.amountMinor();
            } else if ("credit".equals(posting.side())) {
                postings.add(PostingRequest.credit(posting.accountId(), posting.amountMinor()));
                creditsMinor += posting.amountMinor();
            } else {
                throw Problem.validation(at + ".side", "side must be \"debit\" or \"credit\"");
            }
        }
        if (debitsMinor != creditsMinor) {
            throw Problem.validation(
                    "postings", "debits (" + debitsMinor + ") must equal credits (" + creditsMinor + ")");
        }
        return new EntryRequest(
                caller.businessId(),
                body.kind(),
                Optional.ofNullable(body.memo()),
                Actor.apiKey(caller.apiKeyId()),
                Optional.ofNullable(body.clientId()),
                Optional.ofNullable(ctx.header(ApiWrites.IDEMPOTENCY_HEADER)),
                postings);
    }

    private Account requireAccount(org.jdbi.v3.core.Handle handle, long businessId, long accountId) {
        return ledger.account(handle, businessId, accountId)
                .orElseThrow(() -> Problem.notFound("accountId", "no account has id " + accountId));
    }

    static EntryJson json(PostedEntry entry, String currency, Optional<Long> reversedBy) {
        return new EntryJson(
                entry.id(),
                entry.kind(),
                entry.effectiveAt(),
                currency,
                entry.memo(),
                entry.clientId(),
                entry.reversesEntryId(),
                reversedBy,
                entry.postings().stream()
                        .map(posting -> new PostingJson(
                                posting.accountId(),
                                side(posting.amountMinor()),
                                Math.abs(posting.amountMinor()),
                                posting.balanceAfterMinor(),
                                posting.accountVersion()))
                        .toList());
    }

    private static AccountJson json(Account account, String currency, long balanceMinor, Optional<Instant> at) {
        return new AccountJson(
                account.id(), account.kind().dbName, account.clientId(), currency, balanceMinor, account.version(), at);
    }

    private static String side(long signedAmountMinor) {
        return signedAmountMinor > 0 ? "debit" : "credit";
    }

    private static Instant parseInstant(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw Problem.validation("at", "at must be an ISO 8601 instant with offset, e.g. 2026-11-23T10:00:00Z");
        }
    }

    private static long parseId(String text, String name) {
        try {
            final long id = Long.parseLong(text);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw Problem.validation(name, name + " must be a positive whole number");
    }

    private static int parseLimit(String text) {
        if (text == null) {
            return 50;
        }
        try {
            final int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= Ledger.HISTORY_LIMIT_MAX) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw Problem.validation("limit", "limit must be a whole number from 1 to " + Ledger.HISTORY_LIMIT_MAX);
    }
}

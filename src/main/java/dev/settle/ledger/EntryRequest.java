package dev.settle.ledger;

import java.util.List;
import java.util.Optional;

/** A journal entry to post: two or more postings that sum to zero, plus what it is about. */
public record EntryRequest(
        long businessId,
        String kind,
        Optional<String> memo,
        Actor actor,
        Optional<Long> clientId,
        Optional<String> idempotencyKey,
        List<PostingRequest> postings,
        Optional<Long> invoiceId) {

    public static final int POSTINGS_MAX = 50;
    public static final int MEMO_LENGTH_MAX = 500;

    public EntryRequest {
        postings = List.copyOf(postings);
        if (postings.size() < 2 || postings.size() > POSTINGS_MAX) {
            throw new IllegalArgumentException("an entry has 2.." + POSTINGS_MAX + " postings");
        }
        if (postings.stream().mapToLong(PostingRequest::amountMinor).reduce(0, Math::addExact) != 0) {
            throw new IllegalArgumentException("postings must sum to zero: " + postings);
        }
        if (!kind.matches("[a-z][a-z0-9_]{0,39}")) {
            throw new IllegalArgumentException("bad entry kind: " + kind);
        }
        if (memo.isPresent() && memo.get().length() > MEMO_LENGTH_MAX) {
            throw new IllegalArgumentException("memo longer than " + MEMO_LENGTH_MAX);
        }
    }

    /** An entry about no one invoice. */
    public EntryRequest(
            long businessId,
            String kind,
            Optional<String> memo,
            Actor actor,
            Optional<Long> clientId,
            Optional<String> idempotencyKey,
            List<PostingRequest> postings) {
        this(businessId, kind, memo, actor, clientId, idempotencyKey, postings, Optional.empty());
    }

    /** This entry, about {@code invoiceId}. */
    public EntryRequest aboutInvoice(long invoiceId) {
        return new EntryRequest(
                businessId, kind, memo, actor, clientId, idempotencyKey, postings, Optional.of(invoiceId));
    }

    /** An entry Settle posts itself (a job, the benchmark): no memo, client or idempotency key. */
    public static EntryRequest bySystem(long businessId, String kind, List<PostingRequest> postings) {
        return new EntryRequest(
                businessId, kind, Optional.empty(), Actor.system(), Optional.empty(), Optional.empty(), postings);
    }

    /** The accounts this entry touches: a writer locks them before it runs. */
    public List<Long> accountIds() {
        return postings.stream().map(PostingRequest::accountId).distinct().toList();
    }
}

package dev.settle.ledger;

import java.util.Optional;

/**
 * One line of an entry to post. {@code amountMinor} is signed the accounting way: a debit is
 * positive, a credit negative; an entry's lines sum to zero. A line that moves a client's balance
 * due names the invoice it charges or pays, and only those lines do (decision 0009).
 */
public record PostingRequest(long accountId, long amountMinor, Optional<Long> invoiceId) {

    public PostingRequest {
        if (amountMinor == 0) {
            throw new IllegalArgumentException("a posting moves a non-zero amount");
        }
    }

    public PostingRequest(long accountId, long amountMinor) {
        this(accountId, amountMinor, Optional.empty());
    }

    /** This line, charging or paying {@code invoiceId}. */
    public PostingRequest onInvoice(long invoiceId) {
        return new PostingRequest(accountId, amountMinor, Optional.of(invoiceId));
    }

    public static PostingRequest debit(long accountId, long amountMinor) {
        requirePositive(amountMinor);
        return new PostingRequest(accountId, amountMinor);
    }

    public static PostingRequest credit(long accountId, long amountMinor) {
        requirePositive(amountMinor);
        return new PostingRequest(accountId, -amountMinor);
    }

    private static void requirePositive(long amountMinor) {
        if (amountMinor <= 0) {
            throw new IllegalArgumentException("amount must be positive, was " + amountMinor);
        }
    }
}

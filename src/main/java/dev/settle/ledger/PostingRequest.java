package dev.settle.ledger;

/**
 * One line of an entry to post. {@code amountMinor} is signed the accounting way: a debit is
 * positive, a credit negative; an entry's lines sum to zero.
 */
public record PostingRequest(long accountId, long amountMinor) {

    public PostingRequest {
        if (amountMinor == 0) {
            throw new IllegalArgumentException("a posting moves a non-zero amount");
        }
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

package dev.settle.ledger;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/** A journal entry as it stands in the ledger. Immutable, like the rows behind it. */
public record PostedEntry(
        long businessId,
        long id,
        String kind,
        OffsetDateTime effectiveAt,
        Optional<String> memo,
        Optional<Long> clientId,
        Optional<Long> reversesEntryId,
        List<Posting> postings) {

    /** One posting with the account's balance and version right after it, and the invoice it names. */
    public record Posting(
            long accountId, long accountVersion, long amountMinor, long balanceAfterMinor, Optional<Long> invoiceId) {}
}

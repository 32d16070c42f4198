package dev.settle.payments;

import java.util.Currency;
import java.util.Optional;

/**
 * A card processor, as Settle sees one: it takes a payment on its own page (no card number ever
 * reaches Settle), and says afterwards whether it succeeded. Settle records the payment only once
 * the processor confirms it.
 */
public interface CardProcessor {

    /** A payment the processor is waiting for: its id, and where the payer enters their card. */
    record Intent(String id, String payUrl) {}

    enum State {
        PENDING,
        SUCCEEDED,
        DECLINED
    }

    /** What the processor says of an intent now. */
    record Outcome(State state, Optional<String> cardLast4, Optional<String> declineReason) {}

    /** Asks for {@code amountMinor}; the payer is sent back to {@code returnUrl} when done. */
    Intent create(long businessId, long amountMinor, Currency currency, String returnUrl);

    Outcome outcome(long businessId, String intentId);

    /** The name stored with each payment ("test"). */
    String name();
}

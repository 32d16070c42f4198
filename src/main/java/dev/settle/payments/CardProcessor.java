package dev.settle.payments;

import java.util.Currency;
import java.util.Optional;

/**
 * A card processor, as Settle sees one: it takes a payment on its own page (no card number ever
 * reaches Settle), says afterwards whether it succeeded, and charges cards it keeps for a client.
 * Settle records a payment only once the processor confirms it.
 */
public interface CardProcessor {

    /** A payment the processor is waiting for: its id, and where the payer enters their card. */
    record Intent(String id, String payUrl) {}

    enum State {
        PENDING,
        SUCCEEDED,
        DECLINED
    }

    /** A card the processor keeps for a client: its ids there, brand and last 4. */
    record CardOnFile(
            String customerRef,
            String paymentMethodRef,
            String brand,
            String last4,
            Optional<Integer> expMonth,
            Optional<Integer> expYear) {}

    /** What the processor says of an intent now; {@code kept} when the payer asked to save the card. */
    record Outcome(State state, Optional<String> cardLast4, Optional<String> declineReason, Optional<CardOnFile> kept) {
        public static Outcome declined(String reason) {
            return new Outcome(State.DECLINED, Optional.empty(), Optional.of(reason), Optional.empty());
        }
    }

    /**
     * What the payer is asked for on the processor's page. With {@code saveFor} (a customer ref),
     * the card is kept for that customer.
     */
    record Checkout(
            long amountMinor, Currency currency, String description, String returnUrl, Optional<String> saveFor) {}

    /** The processor cannot be reached or will not answer now: nothing was charged. */
    final class Unavailable extends RuntimeException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The processor answered, and said no (a request it will never take, as asked): retrying will not help. */
    final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message);
        }
    }

    /** Asks for a payment on the processor's page; the payer is sent back to the checkout's return URL. */
    Intent create(long businessId, Checkout checkout);

    Outcome outcome(long businessId, String intentId);

    /**
     * Charges a kept card now, the client away. The same {@code idempotencyKey} gives the same
     * charge, never a second. Returns the intent's id, which {@link #outcome} then answers for.
     */
    String charge(
            long businessId,
            CardOnFile card,
            long amountMinor,
            Currency currency,
            String description,
            String idempotencyKey);

    /**
     * Gives {@code amountMinor} of a paid intent back to its card. The same {@code idempotencyKey}
     * never refunds twice.
     */
    void refund(long businessId, String intentId, long amountMinor, String idempotencyKey);

    /** Makes the processor's customer for a client, whose cards it will keep. */
    String newCustomer(long businessId, long clientId, String name, Optional<String> email);

    /** The name stored with each payment ("test", "stripe"). */
    String name();
}

package dev.settle.payments;

import dev.settle.business.Secrets;
import java.util.Currency;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * A stand-in processor for trying Settle and for tests. Its own pay page takes a test card (see
 * {@link #CARDS}) and keeps only the last 4 digits, and its state is in its own tables, as an
 * outside service's would be.
 */
public final class TestProcessor implements CardProcessor {
    public static final String SUCCEEDS = "4242424242424242";
    public static final String DECLINED = "4000000000000002";
    /** The bank asks the payer to confirm (a second step) before it is paid. */
    public static final String NEEDS_CONFIRMING = "4000002500003155";
    /** Paid now; kept for later, its later charges are declined. */
    public static final String LATER_DECLINED = "4000000000000341";

    /** Each test card and what it does, as the pay page tells the payer. */
    public static final Map<String, String> CARDS = Map.of(
            SUCCEEDS, "is paid",
            DECLINED, "is declined",
            NEEDS_CONFIRMING, "asks you to confirm with your bank first",
            LATER_DECLINED, "is paid, then declined when charged again later");

    private final Jdbi jdbi;
    private final Supplier<String> publicUrl;

    public TestProcessor(Jdbi jdbi, Supplier<String> publicUrl) {
        this.jdbi = jdbi;
        this.publicUrl = publicUrl;
    }

    @Override
    public String name() {
        return "test";
    }

    @Override
    public Intent create(long businessId, Checkout checkout) {
        final String id = "ti_" + Secrets.random256().substring(0, 24);
        jdbi.useHandle(handle -> handle.createUpdate("""
                        insert into test_processor_intents
                            (id, business_id, amount_minor, currency, return_url, save_for)
                        values (:id, :business_id, :amount, :currency, :return_url, :save_for)
                        """)
                .bind("id", id)
                .bind("business_id", businessId)
                .bind("amount", checkout.amountMinor())
                .bind("currency", checkout.currency().getCurrencyCode())
                .bind("return_url", checkout.returnUrl())
                .bind("save_for", checkout.saveFor().orElse(null))
                .execute());
        return new Intent(id, publicUrl.get() + "/test-processor/" + id);
    }

    /**
     * The payer typed {@code number} on the pay page: the intent is paid, declined, or waits for
     * the bank's second step. A card paid with, when the payer asked, is kept (its last 4 only).
     */
    void pay(Handle handle, String intentId, String number) {
        final String last4 = number.substring(number.length() - 4);
        final String status = switch (number) {
            case DECLINED -> "declined";
            case NEEDS_CONFIRMING -> "requires_action";
            default -> "succeeded";
        };
        final Optional<String> kept = number.equals(DECLINED)
                ? Optional.empty()
                : handle.createQuery("""
                                insert into test_processor_cards (id, business_id, customer_ref, last4, charges_fail)
                                select :card_id, business_id, save_for, :last4, :charges_fail
                                from test_processor_intents where id = :id and save_for is not null
                                returning id
                                """)
                        .bind("card_id", "tpm_" + Secrets.random256().substring(0, 20))
                        .bind("last4", last4)
                        .bind("charges_fail", number.equals(LATER_DECLINED))
                        .bind("id", intentId)
                        .mapTo(String.class)
                        .findOne();
        handle.createUpdate("""
                        update test_processor_intents
                        set status = :status, card_last4 = :last4, decline_reason = :reason, payment_method = :card
                        where id = :id and status = 'requires_payment'
                        """)
                .bind("status", status)
                .bind("last4", last4)
                .bind("reason", status.equals("declined") ? "Your card was declined." : null)
                .bind("card", kept.orElse(null))
                .bind("id", intentId)
                .execute();
    }

    /** The payer's answer to the bank's second step. */
    void confirm(Handle handle, String intentId, boolean confirmed) {
        handle.createUpdate("""
                        update test_processor_intents set status = :status, decline_reason = :reason
                        where id = :id and status = 'requires_action'
                        """)
                .bind("status", confirmed ? "succeeded" : "declined")
                .bind("reason", confirmed ? null : "You did not confirm the payment with your bank.")
                .bind("id", intentId)
                .execute();
    }

    @Override
    public Outcome outcome(long businessId, String intentId) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        select i.status, i.card_last4, i.decline_reason, c.id as card_id, c.customer_ref
                        from test_processor_intents i
                        left join test_processor_cards c on c.id = i.payment_method and i.save_for is not null
                        where i.id = :id and i.business_id = :business_id
                        """)
                .bind("id", intentId)
                .bind("business_id", businessId)
                .map((rs, ctx) -> outcome(rs))
                .findOne()
                .orElse(Outcome.declined("The processor has no such payment")));
    }

    private static Outcome outcome(java.sql.ResultSet rs) throws java.sql.SQLException {
        final Optional<String> last4 = Optional.ofNullable(rs.getString("card_last4"));
        final Optional<String> card = Optional.ofNullable(rs.getString("card_id"));
        final String customer = rs.getString("customer_ref");
        return new Outcome(
                switch (rs.getString("status")) {
                    case "succeeded" -> State.SUCCEEDED;
                    case "declined" -> State.DECLINED;
                    default -> State.PENDING;
                },
                last4,
                Optional.ofNullable(rs.getString("decline_reason")),
                card.map(id -> new CardOnFile(
                        customer, id, "Test card", last4.orElseThrow(), Optional.empty(), Optional.empty())));
    }

    @Override
    public String charge(
            long businessId,
            CardOnFile card,
            long amountMinor,
            Currency currency,
            String description,
            String idempotencyKey) {
        // The same key names the same intent, so a repeat finds the first charge and makes none.
        final String id = "ti_"
                + HexFormat.of()
                        .formatHex(Secrets.sha256(businessId + ":" + idempotencyKey))
                        .substring(0, 24);
        jdbi.useHandle(handle -> handle.createUpdate("""
                        insert into test_processor_intents
                            (id, business_id, amount_minor, currency, return_url, status, card_last4, decline_reason,
                             payment_method)
                        select :id, business_id, :amount, :currency, '', case when charges_fail then 'declined' else 'succeeded' end,
                               last4, case when charges_fail then 'The card was declined.' end, id
                        from test_processor_cards where id = :card and business_id = :business_id
                        on conflict (id) do nothing
                        """)
                .bind("id", id)
                .bind("amount", amountMinor)
                .bind("currency", currency.getCurrencyCode())
                .bind("card", card.paymentMethodRef())
                .bind("business_id", businessId)
                .execute());
        return id;
    }

    @Override
    public void refund(long businessId, String intentId, long amountMinor, String idempotencyKey) {
        jdbi.useTransaction(handle -> {
            final int first = handle.createUpdate("""
                            insert into test_processor_refunds (idempotency_key, intent_id, amount_minor)
                            select :key, id, :amount from test_processor_intents
                            where id = :id and business_id = :business_id and status = 'succeeded'
                            on conflict (idempotency_key) do nothing
                            """)
                    .bind("key", businessId + ":" + idempotencyKey)
                    .bind("amount", amountMinor)
                    .bind("id", intentId)
                    .bind("business_id", businessId)
                    .execute();
            if (first == 0) {
                // Only a repeat of the very same refund is answered as done.
                final boolean repeat = handle.createQuery("""
                                select exists (select 1 from test_processor_refunds
                                               where idempotency_key = :key and intent_id = :id and amount_minor = :amount)
                                """)
                        .bind("key", businessId + ":" + idempotencyKey)
                        .bind("id", intentId)
                        .bind("amount", amountMinor)
                        .mapTo(Boolean.class)
                        .one();
                if (!repeat) {
                    throw new Refused("The test processor has no paid payment " + intentId + " to refund that way");
                }
                return;
            }
            if (handle.createUpdate("""
                                    update test_processor_intents set refunded_minor = refunded_minor + :amount
                                    where id = :id and refunded_minor + :amount <= amount_minor
                                    """)
                            .bind("amount", amountMinor)
                            .bind("id", intentId)
                            .execute()
                    == 0) {
                throw new Refused("The test processor refunds no more than was paid");
            }
        });
    }

    @Override
    public String newCustomer(long businessId, long clientId, String name, Optional<String> email) {
        return "tcus_" + Secrets.random256().substring(0, 20);
    }
}

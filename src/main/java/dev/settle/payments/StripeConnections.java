package dev.settle.payments;

import dev.settle.Problem;
import dev.settle.business.SecretBox;
import java.time.OffsetDateTime;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * A business's Stripe keys: checked with Stripe when the owner connects, stored sealed ({@link
 * SecretBox}), opened only to call Stripe or check a webhook's signature.
 */
public final class StripeConnections {

    /** The keys in the clear, for one call. */
    public record Keys(String secretKey, String webhookSecret) {}

    /** What the settings page shows: never a key, only its last 4. */
    public record Status(
            String accountId,
            Optional<String> accountName,
            boolean liveMode,
            String secretKeyLast4,
            OffsetDateTime connectedAt,
            Optional<OffsetDateTime> lastWebhookAt) {}

    private final Jdbi jdbi;
    private final SecretBox box;

    public StripeConnections(Jdbi jdbi, SecretBox box) {
        this.jdbi = jdbi;
        this.box = box;
    }

    public Keys keys(long businessId) {
        try {
            return sealedKeys(businessId);
        } catch (IllegalStateException wrongKey) {
            throw new CardProcessor.Unavailable(
                    "Stripe's keys do not open with this Settle's SETTLE_SECRET_KEY: reconnect Stripe in Settings",
                    wrongKey);
        }
    }

    private Keys sealedKeys(long businessId) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        select secret_key_sealed, webhook_secret_sealed from stripe_connections
                        where business_id = :business_id
                        """)
                .bind("business_id", businessId)
                .map((rs, ctx) -> new Keys(
                        box.open(rs.getString("secret_key_sealed"), context(businessId, "secret key")),
                        box.open(rs.getString("webhook_secret_sealed"), context(businessId, "webhook secret"))))
                .findOne()
                .orElseThrow(() -> new CardProcessor.Unavailable("Stripe is not connected here", null)));
    }

    public Optional<Status> status(Handle handle, long businessId) {
        return handle.createQuery("""
                        select account_id, account_name, live_mode, secret_key_last4, connected_at, last_webhook_at
                        from stripe_connections where business_id = :business_id
                        """)
                .bind("business_id", businessId)
                .map((rs, ctx) -> new Status(
                        rs.getString("account_id"),
                        Optional.ofNullable(rs.getString("account_name")),
                        rs.getBoolean("live_mode"),
                        rs.getString("secret_key_last4"),
                        rs.getObject("connected_at", OffsetDateTime.class),
                        Optional.ofNullable(rs.getObject("last_webhook_at", OffsetDateTime.class))))
                .findOne();
    }

    /**
     * Connects Stripe with the owner's keys, once Stripe has accepted the secret key; card payments
     * then go through Stripe.
     */
    public Status connect(
            long businessId, String secretKey, String webhookSecret, long staffId, StripeProcessor stripe) {
        final String key = secretKey == null ? "" : secretKey.strip();
        final String signing = webhookSecret == null ? "" : webhookSecret.strip();
        if (!key.matches("(sk|rk)_(test|live)_[A-Za-z0-9]{10,200}")) {
            throw Problem.validation(
                    "secretKey", "Paste the secret key from Stripe's dashboard: it starts sk_live_ or sk_test_");
        }
        if (!signing.matches("whsec_[A-Za-z0-9+/=]{10,200}")) {
            throw Problem.validation(
                    "webhookSecret", "Paste the webhook's signing secret from Stripe: it starts whsec_");
        }
        final StripeProcessor.Account account;
        try {
            account = stripe.account(key);
        } catch (CardProcessor.Unavailable | CardProcessor.Refused e) {
            throw Problem.validation("secretKey", "Stripe did not accept this key: " + e.getMessage());
        }
        return jdbi.inTransaction(handle -> {
            if (status(handle, businessId)
                    .filter(connected -> !connected.accountId().equals(account.id()))
                    .isPresent()) {
                refuseWhileWaiting(handle, businessId, "connect another Stripe account");
            }
            handle.createUpdate("""
                            insert into stripe_connections (business_id, secret_key_sealed, webhook_secret_sealed,
                                                            secret_key_last4, live_mode, account_id, account_name,
                                                            connected_by_staff_id)
                            values (:business_id, :key, :signing, :last4, :live, :account_id, :account_name, :staff_id)
                            on conflict (business_id) do update
                            set secret_key_sealed = excluded.secret_key_sealed,
                                webhook_secret_sealed = excluded.webhook_secret_sealed,
                                secret_key_last4 = excluded.secret_key_last4, live_mode = excluded.live_mode,
                                account_id = excluded.account_id, account_name = excluded.account_name,
                                connected_by_staff_id = excluded.connected_by_staff_id,
                                connected_at = clock_timestamp(), last_webhook_at = null
                            """)
                    .bind("business_id", businessId)
                    .bind("key", box.seal(key, context(businessId, "secret key")))
                    .bind("signing", box.seal(signing, context(businessId, "webhook secret")))
                    .bind("last4", key.substring(key.length() - 4))
                    .bind("live", account.liveMode())
                    .bind("account_id", account.id())
                    .bind("account_name", account.name().orElse(null))
                    .bind("staff_id", staffId)
                    .execute();
            handle.createUpdate("update businesses set card_processor = 'stripe' where id = :business_id")
                    .bind("business_id", businessId)
                    .execute();
            return status(handle, businessId).orElseThrow();
        });
    }

    /** Forgets the keys; cards are then recorded by hand until a processor is connected again. */
    public void disconnect(Handle handle, long businessId) {
        refuseWhileWaiting(handle, businessId, "disconnect");
        handle.createUpdate("delete from stripe_connections where business_id = :business_id")
                .bind("business_id", businessId)
                .execute();
        handle.createUpdate(
                        "update businesses set card_processor = 'none' where id = :business_id and card_processor = 'stripe'")
                .bind("business_id", businessId)
                .execute();
    }

    /**
     * A Checkout page stays payable for a day: its payment could not be checked once the keys are
     * gone or belong to another account.
     */
    private static void refuseWhileWaiting(Handle handle, long businessId, String what) {
        final long waiting = handle.createQuery("""
                        select count(*) from card_payments
                        where business_id = :business_id and processor = 'stripe' and status = 'pending'
                          and created_at > clock_timestamp() - interval '1 day'
                        """)
                .bind("business_id", businessId)
                .mapTo(Long.class)
                .one();
        if (waiting > 0) {
            throw new Problem(
                    Problem.Kind.CONFLICT,
                    "processor",
                    waiting + (waiting == 1 ? " card payment" : " card payments")
                            + " started in the last day still wait for Stripe's answer; " + what
                            + " once they are settled or a day old, so that none is lost");
        }
    }

    void webhookReceived(long businessId) {
        jdbi.useHandle(handle -> handle.createUpdate(
                        "update stripe_connections set last_webhook_at = clock_timestamp() where business_id = :id")
                .bind("id", businessId)
                .execute());
    }

    /** Binds a sealed key to its business and use, so it cannot be moved to another row. */
    private static String context(long businessId, String what) {
        return "business " + businessId + " stripe " + what;
    }
}

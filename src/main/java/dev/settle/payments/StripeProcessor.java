package dev.settle.payments;

import com.stripe.StripeClient;
import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.AuthenticationException;
import com.stripe.exception.CardException;
import com.stripe.exception.StripeException;
import com.stripe.model.PaymentIntent;
import com.stripe.model.PaymentMethod;
import com.stripe.model.checkout.Session;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.PaymentIntentCreateParams;
import com.stripe.param.PaymentIntentRetrieveParams;
import com.stripe.param.RefundCreateParams;
import com.stripe.param.checkout.SessionCreateParams;
import com.stripe.param.checkout.SessionRetrieveParams;
import dev.settle.business.Secrets;
import java.util.Currency;
import java.util.Locale;
import java.util.Optional;

/**
 * Stripe behind {@link CardProcessor}: the payer pays on a Stripe Checkout page; a kept card is
 * charged with an off-session PaymentIntent. Each business uses its own keys ({@link
 * StripeConnections}); the API's base URL can be pointed elsewhere (tests use WireMock).
 */
public final class StripeProcessor implements CardProcessor {
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int READ_TIMEOUT_MS = 20_000;

    private final StripeConnections connections;
    private final String apiBase;

    public StripeProcessor(StripeConnections connections, String apiBase) {
        this.connections = connections;
        this.apiBase = apiBase;
    }

    @Override
    public String name() {
        return "stripe";
    }

    /** A client for these keys, to check them before they are stored. */
    StripeClient client(String secretKey) {
        return StripeClient.builder()
                .setApiKey(secretKey)
                .setApiBase(apiBase)
                .setConnectTimeout(CONNECT_TIMEOUT_MS)
                .setReadTimeout(READ_TIMEOUT_MS)
                .setMaxNetworkRetries(2)
                .build();
    }

    private StripeClient client(long businessId) {
        return client(connections.keys(businessId).secretKey());
    }

    @Override
    public Intent create(long businessId, Checkout checkout) {
        final SessionCreateParams.Builder params = SessionCreateParams.builder()
                .setMode(SessionCreateParams.Mode.PAYMENT)
                .setSuccessUrl(checkout.returnUrl() + "?intent={CHECKOUT_SESSION_ID}")
                .setCancelUrl(checkout.returnUrl() + "?intent={CHECKOUT_SESSION_ID}")
                .putMetadata("settle_business", Long.toString(businessId))
                .addLineItem(SessionCreateParams.LineItem.builder()
                        .setQuantity(1L)
                        .setPriceData(SessionCreateParams.LineItem.PriceData.builder()
                                .setCurrency(lower(checkout.currency()))
                                .setUnitAmount(checkout.amountMinor())
                                .setProductData(SessionCreateParams.LineItem.PriceData.ProductData.builder()
                                        .setName(checkout.description())
                                        .build())
                                .build())
                        .build());
        checkout.saveFor()
                .ifPresent(customer -> params.setCustomer(customer)
                        .setPaymentIntentData(SessionCreateParams.PaymentIntentData.builder()
                                .setSetupFutureUsage(SessionCreateParams.PaymentIntentData.SetupFutureUsage.OFF_SESSION)
                                .build()));
        final Session session = call(() -> client(businessId)
                .v1()
                .checkout()
                .sessions()
                .create(params.build(), idempotently("settle-checkout-" + Secrets.random256())));
        return new Intent(session.getId(), session.getUrl());
    }

    @Override
    public Outcome outcome(long businessId, String intentId) {
        if (intentId.startsWith("pi_")) {
            return outcome(call(() -> client(businessId)
                    .v1()
                    .paymentIntents()
                    .retrieve(
                            intentId,
                            PaymentIntentRetrieveParams.builder()
                                    .addExpand("payment_method")
                                    .build(),
                            null)));
        }
        final Session session = call(() -> client(businessId)
                .v1()
                .checkout()
                .sessions()
                .retrieve(
                        intentId,
                        SessionRetrieveParams.builder()
                                .addExpand("payment_intent.payment_method")
                                .build(),
                        null));
        if ("expired".equals(session.getStatus())) {
            return Outcome.declined("The payment page expired before the card was paid.");
        }
        if (!"complete".equals(session.getStatus()) || !"paid".equals(session.getPaymentStatus())) {
            return new Outcome(State.PENDING, Optional.empty(), Optional.empty(), Optional.empty());
        }
        return outcome(session.getPaymentIntentObject());
    }

    private static Outcome outcome(PaymentIntent intent) {
        final Optional<PaymentMethod.Card> card =
                Optional.ofNullable(intent.getPaymentMethodObject()).map(PaymentMethod::getCard);
        final Optional<String> last4 = card.map(PaymentMethod.Card::getLast4);
        return switch (intent.getStatus()) {
            case "succeeded" ->
                new Outcome(
                        State.SUCCEEDED,
                        last4,
                        Optional.empty(),
                        card.filter(kept -> intent.getSetupFutureUsage() != null && intent.getCustomer() != null)
                                .map(kept -> new CardOnFile(
                                        intent.getCustomer(),
                                        intent.getPaymentMethod(),
                                        brand(kept.getBrand()),
                                        kept.getLast4(),
                                        Optional.ofNullable(kept.getExpMonth()).map(Long::intValue),
                                        Optional.ofNullable(kept.getExpYear()).map(Long::intValue))));
            case "canceled", "requires_payment_method" ->
                new Outcome(
                        State.DECLINED,
                        last4,
                        Optional.of(Optional.ofNullable(intent.getLastPaymentError())
                                .map(error -> error.getMessage())
                                .orElse("The card was declined.")),
                        Optional.empty());
            default -> new Outcome(State.PENDING, last4, Optional.empty(), Optional.empty());
        };
    }

    @Override
    public String charge(
            long businessId,
            CardOnFile card,
            long amountMinor,
            Currency currency,
            String description,
            String idempotencyKey) {
        final PaymentIntentCreateParams params = PaymentIntentCreateParams.builder()
                .setAmount(amountMinor)
                .setCurrency(lower(currency))
                .setCustomer(card.customerRef())
                .setPaymentMethod(card.paymentMethodRef())
                .setOffSession(true)
                .setConfirm(true)
                .setDescription(description)
                .putMetadata("settle_business", Long.toString(businessId))
                .build();
        try {
            return client(businessId)
                    .v1()
                    .paymentIntents()
                    .create(params, idempotently(idempotencyKey))
                    .getId();
        } catch (CardException declined) {
            // A decline still made an intent; its outcome says why.
            if (declined.getStripeError() != null && declined.getStripeError().getPaymentIntent() != null) {
                return declined.getStripeError().getPaymentIntent().getId();
            }
            throw unavailable(declined);
        } catch (StripeException e) {
            throw unavailable(e);
        }
    }

    @Override
    public void refund(long businessId, String intentId, long amountMinor, String idempotencyKey) {
        final StripeClient client = client(businessId);
        // A Checkout payment is known by its session; Stripe refunds the PaymentIntent inside it.
        final String paymentIntent = intentId.startsWith("cs_")
                ? call(() -> client.v1().checkout().sessions().retrieve(intentId))
                        .getPaymentIntent()
                : intentId;
        call(() -> client.v1()
                .refunds()
                .create(
                        RefundCreateParams.builder()
                                .setPaymentIntent(paymentIntent)
                                .setAmount(amountMinor)
                                .build(),
                        idempotently(idempotencyKey)));
    }

    @Override
    public String newCustomer(long businessId, long clientId, String name, Optional<String> email) {
        final CustomerCreateParams.Builder params =
                CustomerCreateParams.builder().setName(name).putMetadata("settle_client", Long.toString(clientId));
        email.ifPresent(params::setEmail);
        return call(() -> client(businessId)
                        .v1()
                        .customers()
                        .create(params.build(), idempotently("settle-customer-" + businessId + "-" + clientId)))
                .getId();
    }

    /** What Stripe says of these keys' account: its id and name, or why they will not do. */
    record Account(String id, Optional<String> name, boolean liveMode) {}

    Account account(String secretKey) {
        final com.stripe.model.Account account =
                call(() -> client(secretKey).v1().accounts().retrieveCurrent());
        return new Account(
                account.getId(),
                Optional.ofNullable(account.getBusinessProfile()).map(profile -> profile.getName()),
                secretKey.startsWith("sk_live_") || secretKey.startsWith("rk_live_"));
    }

    private interface StripeCall<T> {
        T call() throws StripeException;
    }

    private static <T> T call(StripeCall<T> call) {
        try {
            return call.call();
        } catch (StripeException e) {
            throw unavailable(e);
        }
    }

    private static RuntimeException unavailable(StripeException e) {
        if (e instanceof com.stripe.exception.InvalidRequestException
                || e instanceof CardException
                || e instanceof com.stripe.exception.IdempotencyException) {
            return new Refused("Stripe refused: "
                    + (e.getStripeError() != null && e.getStripeError().getMessage() != null
                            ? e.getStripeError().getMessage()
                            : e.getMessage()));
        }
        if (e instanceof AuthenticationException) {
            return new Unavailable("Stripe refused this business's keys: reconnect Stripe in Settings", e);
        }
        if (e instanceof ApiConnectionException) {
            return new Unavailable("Stripe could not be reached", e);
        }
        return new Unavailable("Stripe did not answer as expected (" + e.getMessage() + ")", e);
    }

    private static RequestOptions idempotently(String key) {
        return RequestOptions.builder().setIdempotencyKey(key).build();
    }

    private static String lower(Currency currency) {
        return currency.getCurrencyCode().toLowerCase(Locale.ROOT);
    }

    private static String brand(String stripeBrand) {
        return switch (stripeBrand == null ? "" : stripeBrand) {
            case "visa" -> "Visa";
            case "mastercard" -> "Mastercard";
            case "amex" -> "American Express";
            case "discover" -> "Discover";
            case "" -> "Card";
            default -> stripeBrand.substring(0, 1).toUpperCase(Locale.ROOT) + stripeBrand.substring(1);
        };
    }
}

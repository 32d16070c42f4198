package dev.settle.payments;

import dev.settle.Problem;
import dev.settle.money.Money;
import dev.settle.web.Form;
import dev.settle.web.Pages;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Currency;
import java.util.Locale;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * The test processor's own pay page, as a processor hosts one: the payer types a test card here,
 * never on a Settle page. When they pay, it tells Settle (its webhook) and sends them back.
 */
public final class TestProcessorPages {
    private final Jdbi jdbi;
    private final CardPayments payments;
    private final Pages pages;

    public TestProcessorPages(Jdbi jdbi, CardPayments payments, Pages pages) {
        this.jdbi = jdbi;
        this.payments = payments;
        this.pages = pages;
    }

    private record Intent(
            String id, long businessId, long amountMinor, String currency, String status, String returnUrl) {}

    public void form(Context ctx) {
        show(ctx, HttpStatus.OK, intent(ctx), Form.of(Map.of()));
    }

    public void pay(Context ctx) {
        final Intent intent = intent(ctx);
        final String number = ctx.formParam("cardNumber") == null
                ? ""
                : ctx.formParam("cardNumber").replaceAll("[\\s-]", "");
        if (intent.status().equals("requires_payment")) {
            if (!number.equals(TestProcessor.SUCCEEDS) && !number.equals(TestProcessor.DECLINED)) {
                show(
                        ctx,
                        HttpStatus.UNPROCESSABLE_CONTENT,
                        intent,
                        Form.of(Map.of())
                                .withError(
                                        Problem.validation(
                                                "cardNumber",
                                                "Use a test card: 4242 4242 4242 4242 is paid, 4000 0000 0000 0002 is declined")));
                return;
            }
            final boolean paid = number.equals(TestProcessor.SUCCEEDS);
            // Only the last 4 digits are kept, as a real processor tells its merchants.
            jdbi.useHandle(handle -> handle.createUpdate("""
                            update test_processor_intents
                            set status = :status, card_last4 = :last4, decline_reason = :reason
                            where id = :id and status = 'requires_payment'
                            """)
                    .bind("status", paid ? "succeeded" : "declined")
                    .bind("last4", number.substring(number.length() - 4))
                    .bind("reason", paid ? null : "Your card was declined.")
                    .bind("id", intent.id())
                    .execute());
            // The processor's webhook: Settle records the payment now, whether or not the payer returns.
            payments.settle(intent.businessId(), intent.id());
        }
        ctx.redirect(intent.returnUrl() + "?intent=" + intent.id(), HttpStatus.SEE_OTHER);
    }

    private Intent intent(Context ctx) {
        final String id = ctx.pathParam("intentId");
        return jdbi.withHandle(handle -> handle.createQuery("""
                        select id, business_id, amount_minor, currency, status, return_url
                        from test_processor_intents where id = :id
                        """)
                .bind("id", id)
                .map((rs, c) -> new Intent(
                        rs.getString("id"),
                        rs.getLong("business_id"),
                        rs.getLong("amount_minor"),
                        rs.getString("currency"),
                        rs.getString("status"),
                        rs.getString("return_url")))
                .findOne()
                .orElseThrow(() -> Problem.notFound("intentId", "no payment has that id")));
    }

    private void show(Context ctx, HttpStatus status, Intent intent, Form form) {
        pages.renderPublic(
                ctx,
                status,
                "payments/test-processor.jte",
                "Test processor",
                Map.of(
                        "amount",
                        new Money(intent.amountMinor(), Currency.getInstance(intent.currency())).format(Locale.US),
                        "intentId",
                        intent.id(),
                        "open",
                        intent.status().equals("requires_payment"),
                        "form",
                        form));
    }
}

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
    private final TestProcessor processor;

    public TestProcessorPages(Jdbi jdbi, TestProcessor processor, CardPayments payments, Pages pages) {
        this.jdbi = jdbi;
        this.processor = processor;
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
            if (!TestProcessor.CARDS.containsKey(number)) {
                show(
                        ctx,
                        HttpStatus.UNPROCESSABLE_CONTENT,
                        intent,
                        Form.of(Map.of())
                                .withError(Problem.validation(
                                        "cardNumber", "Use one of the test cards above; no real card works here")));
                return;
            }
            jdbi.useTransaction(handle -> processor.pay(handle, intent.id(), number));
            if (number.equals(TestProcessor.NEEDS_CONFIRMING)) {
                ctx.redirect("/test-processor/" + intent.id(), HttpStatus.SEE_OTHER);
                return;
            }
        }
        done(ctx, intent);
    }

    /** The bank's second step: the payer confirms (it is paid) or cancels (it is declined). */
    public void confirm(Context ctx) {
        final Intent intent = intent(ctx);
        jdbi.useTransaction(
                handle -> processor.confirm(handle, intent.id(), "confirm".equals(ctx.formParam("answer"))));
        done(ctx, intent);
    }

    /**
     * The processor's webhook (Settle records the payment now, whether or not the payer returns),
     * then the payer goes back to the shop.
     */
    private void done(Context ctx, Intent intent) {
        if (!intent.returnUrl().isEmpty()) {
            payments.settle(intent.businessId(), intent.id());
            ctx.redirect(intent.returnUrl() + "?intent=" + intent.id(), HttpStatus.SEE_OTHER);
        } else {
            ctx.redirect("/test-processor/" + intent.id(), HttpStatus.SEE_OTHER);
        }
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
                        "status",
                        intent.status(),
                        "form",
                        form));
    }
}

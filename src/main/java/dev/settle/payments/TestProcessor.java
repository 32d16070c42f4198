package dev.settle.payments;

import dev.settle.business.Secrets;
import java.util.Currency;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * A stand-in processor for trying Settle and for tests: its own pay page takes a test card —
 * {@link #SUCCEEDS} is paid, {@link #DECLINED} is declined — and keeps only the last 4 digits. It
 * keeps its state in its own table, as an outside service would.
 */
public final class TestProcessor implements CardProcessor {
    public static final String SUCCEEDS = "4242424242424242";
    public static final String DECLINED = "4000000000000002";

    private final Jdbi jdbi;
    private final java.util.function.Supplier<String> publicUrl;

    public TestProcessor(Jdbi jdbi, java.util.function.Supplier<String> publicUrl) {
        this.jdbi = jdbi;
        this.publicUrl = publicUrl;
    }

    @Override
    public String name() {
        return "test";
    }

    @Override
    public Intent create(long businessId, long amountMinor, Currency currency, String returnUrl) {
        final String id = "ti_" + Secrets.random256().substring(0, 24);
        jdbi.useHandle(handle -> handle.createUpdate("""
                        insert into test_processor_intents (id, business_id, amount_minor, currency, return_url)
                        values (:id, :business_id, :amount, :currency, :return_url)
                        """)
                .bind("id", id)
                .bind("business_id", businessId)
                .bind("amount", amountMinor)
                .bind("currency", currency.getCurrencyCode())
                .bind("return_url", returnUrl)
                .execute());
        return new Intent(id, publicUrl.get() + "/test-processor/" + id);
    }

    @Override
    public Outcome outcome(long businessId, String intentId) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        select status, card_last4, decline_reason from test_processor_intents
                        where id = :id and business_id = :business_id
                        """)
                .bind("id", intentId)
                .bind("business_id", businessId)
                .map((rs, ctx) -> new Outcome(
                        switch (rs.getString("status")) {
                            case "succeeded" -> State.SUCCEEDED;
                            case "declined" -> State.DECLINED;
                            default -> State.PENDING;
                        },
                        Optional.ofNullable(rs.getString("card_last4")),
                        Optional.ofNullable(rs.getString("decline_reason"))))
                .findOne()
                .orElse(new Outcome(
                        State.DECLINED, Optional.empty(), Optional.of("The processor has no such payment"))));
    }
}

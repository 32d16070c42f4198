package dev.settle.money;

import java.math.BigDecimal;
import java.text.NumberFormat;
import java.util.Currency;
import java.util.Locale;
import java.util.Objects;

/** An amount of one currency in integer minor units (cents). Never a float. */
public record Money(long amountMinor, Currency currency) {

    public Money {
        Objects.requireNonNull(currency, "currency");
    }

    public static Money of(long amountMinor, String currencyCode) {
        return new Money(amountMinor, Currency.getInstance(currencyCode));
    }

    /** For people: {@code $1,234.50} in en-US, {@code 1.234,50 €} in de-DE. */
    public String format(Locale locale) {
        final NumberFormat format = NumberFormat.getCurrencyInstance(locale);
        format.setCurrency(currency);
        final int digits = Math.max(currency.getDefaultFractionDigits(), 0);
        format.setMinimumFractionDigits(digits);
        format.setMaximumFractionDigits(digits);
        // BigDecimal keeps the exact value: a long of cents never passes through a double.
        return format.format(BigDecimal.valueOf(amountMinor, digits));
    }
}

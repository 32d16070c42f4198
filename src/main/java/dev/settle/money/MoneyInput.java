package dev.settle.money;

import dev.settle.Problem;
import java.util.Currency;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads an amount a person typed ({@code 12}, {@code 12.50}, {@code 12,50}) as exact minor units. */
public final class MoneyInput {
    // At most 13 whole digits keeps every amount far inside a long of minor units.
    private static final Pattern AMOUNT = Pattern.compile("(\\d{1,13})(?:[.,](\\d+))?");

    private MoneyInput() {}

    /** The amount in minor units; never negative, never finer than the currency's minor unit. */
    public static long parse(String text, Currency currency, String field, String label) {
        final String typed = text == null ? "" : text.strip();
        if (typed.startsWith("-")) {
            throw Problem.validation(field, label + " must not be negative");
        }
        final Matcher matcher = AMOUNT.matcher(typed);
        if (!matcher.matches()) {
            throw Problem.validation(field, label + " must be an amount such as 25 or 25.50");
        }
        final int digits = Math.max(currency.getDefaultFractionDigits(), 0);
        final String fraction = matcher.group(2) == null ? "" : matcher.group(2);
        if (fraction.length() > digits) {
            throw Problem.validation(
                    field,
                    digits == 0
                            ? label + " must be a whole number of " + currency.getCurrencyCode()
                            : label + " can have at most " + digits + " decimal places in "
                                    + currency.getCurrencyCode());
        }
        long minor = Long.parseLong(matcher.group(1));
        for (int place = 0; place < digits; place++) {
            minor = minor * 10 + (place < fraction.length() ? fraction.charAt(place) - '0' : 0);
        }
        return minor;
    }

    /** The amount as it would be typed back into a field: {@code 1234.5} → {@code "1234.50"}. */
    public static String plain(long amountMinor, Currency currency) {
        final int digits = Math.max(currency.getDefaultFractionDigits(), 0);
        return java.math.BigDecimal.valueOf(amountMinor, digits).toPlainString();
    }
}

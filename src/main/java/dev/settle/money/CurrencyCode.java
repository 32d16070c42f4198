package dev.settle.money;

import dev.settle.Problem;
import java.util.Currency;

/** Checks ISO 4217 codes as people type them. */
public final class CurrencyCode {
    private CurrencyCode() {}

    /** The currency for {@code code}, or a validation problem naming {@code field}. */
    public static Currency parse(String code, String field) {
        if (code == null || !code.matches("[A-Z]{3}")) {
            throw Problem.validation(field, "Currency must be an ISO 4217 code such as USD or EUR");
        }
        try {
            final Currency currency = Currency.getInstance(code);
            if (currency.getDefaultFractionDigits() < 0) {
                throw Problem.validation(field, code + " is not a currency money can be kept in");
            }
            return currency;
        } catch (IllegalArgumentException e) {
            throw Problem.validation(field, code + " is not an ISO 4217 currency code");
        }
    }
}

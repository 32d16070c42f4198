package dev.settle.money;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.settle.Problem;
import java.util.Currency;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MoneyInputTest {
    private static final Currency USD = Currency.getInstance("USD");

    @Test
    void whatIsShownForAnAmountReadsBackAsTheSameAmountInEveryKindOfCurrency() {
        final long seed = Long.getLong("settle.seed", System.nanoTime());
        final Random random = new Random(seed);
        for (Currency currency : List.of(USD, Currency.getInstance("JPY"), Currency.getInstance("BHD"))) {
            for (int run = 0; run < 2_000; run++) {
                final long amountMinor = random.nextLong(1_000_000_000_000L);
                final String shown = MoneyInput.plain(amountMinor, currency);
                assertThat(MoneyInput.parse(shown, currency, "amount", "Amount"))
                        .as("seed %d, %s %s", seed, currency, shown)
                        .isEqualTo(amountMinor);
            }
        }
    }

    @Test
    void peopleMayTypeWholeAmountsShortDecimalsOrACommaForThePoint() {
        assertThat(MoneyInput.parse("12", USD, "amount", "Amount")).isEqualTo(12_00);
        assertThat(MoneyInput.parse("12.5", USD, "amount", "Amount")).isEqualTo(12_50);
        assertThat(MoneyInput.parse(" 12,05 ", USD, "amount", "Amount")).isEqualTo(12_05);
        assertThat(MoneyInput.parse("0.01", USD, "amount", "Amount")).isEqualTo(1);
    }

    @Test
    void negativeFractionalMinorUnitsAndNonNumbersAreRefusedByName() {
        assertRefused("-1", USD, "Amount must not be negative");
        assertRefused("1.001", USD, "Amount can have at most 2 decimal places in USD");
        assertRefused("1.5", Currency.getInstance("JPY"), "Amount must be a whole number of JPY");
        assertRefused("1e3", USD, "Amount must be an amount such as 25 or 25.50");
        assertRefused("1,000.00", USD, "Amount must be an amount such as 25 or 25.50");
        assertRefused("99999999999999", USD, "Amount must be an amount such as 25 or 25.50");
        assertRefused("", USD, "Amount must be an amount such as 25 or 25.50");
    }

    private static void assertRefused(String typed, Currency currency, String message) {
        assertThatThrownBy(() -> MoneyInput.parse(typed, currency, "amount", "Amount"))
                .isInstanceOfSatisfying(Problem.class, problem -> {
                    assertThat(problem.detail()).isEqualTo(message);
                    assertThat(problem.field()).contains("amount");
                });
    }
}

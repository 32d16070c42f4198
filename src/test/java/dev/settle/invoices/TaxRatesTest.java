package dev.settle.invoices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.settle.Problem;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaxRatesTest {

    @Test
    void aPercentIsReadAsTypedAndRefusedWhenItIsNotOne() {
        assertThat(TaxRates.percent("8.875", "rate")).isEqualByComparingTo("8.875");
        assertThat(TaxRates.percent(" 20 % ", "rate")).isEqualByComparingTo("20");
        assertThat(TaxRates.percent("", "rate")).isEqualByComparingTo("0");
        assertThat(TaxRates.shown(new BigDecimal("20.000"))).isEqualTo("20");
        for (String bad : List.of("abc", "-1", "100", "8.8751", "1e3", "NaN")) {
            assertThatThrownBy(() -> TaxRates.percent(bad, "rate"))
                    .as(bad)
                    .isInstanceOfSatisfying(
                            Problem.class,
                            problem -> assertThat(problem.field()).contains("rate"));
        }
    }

    @Test
    void taxIsRoundedHalfUpOncePerKindAndTipsAreNotTaxed() {
        final TaxRates rates = new TaxRates(new BigDecimal("10"), BigDecimal.ZERO);
        final List<Invoices.Line> lines = List.of(
                new Invoices.Line(Invoices.LineKind.SERVICE, "Cut", 3, 1_05),
                new Invoices.Line(Invoices.LineKind.PRODUCT, "Comb", 1, 5_00),
                new Invoices.Line(Invoices.LineKind.TIP, "Tip", 1, 2_00));

        final List<Invoices.Line> tax = rates.linesFor(lines);

        assertThat(tax).containsExactly(new Invoices.Line(Invoices.LineKind.TAX, "Tax on services (10%)", 1, 32));
        assertThat(TaxRates.NONE.linesFor(lines)).isEmpty();
    }
}

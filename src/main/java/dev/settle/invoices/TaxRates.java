package dev.settle.invoices;

import dev.settle.Problem;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * The business's sales tax, a percent per line kind (zero: not taxed). A ticket's discounts lower
 * the taxed amounts in proportion to its services and products, as a till does; tips are never
 * taxed. Each kind's tax is rounded half up to the minor unit once per ticket, not per line, so a
 * ticket is never off by a rounding per line.
 */
public record TaxRates(BigDecimal servicePercent, BigDecimal productPercent) {
    public static final TaxRates NONE = new TaxRates(BigDecimal.ZERO, BigDecimal.ZERO);

    /** Largest percent a rate can be, and the decimals it may have (the column is numeric(6, 3)). */
    private static final BigDecimal PERCENT_LIMIT = BigDecimal.valueOf(100);

    private static final int PERCENT_SCALE = 3;

    public boolean any() {
        return servicePercent.signum() > 0 || productPercent.signum() > 0;
    }

    /** A percent as typed on Settings: "8.875", "20", blank for none. */
    public static BigDecimal percent(String typed, String field) {
        if (typed == null || typed.isBlank()) {
            return BigDecimal.ZERO;
        }
        final BigDecimal parsed;
        try {
            parsed = new BigDecimal(typed.strip().replace("%", "").strip());
        } catch (NumberFormatException e) {
            throw Problem.validation(field, "Enter a percent such as 8.875, or leave it empty for no tax");
        }
        if (parsed.signum() < 0
                || parsed.compareTo(PERCENT_LIMIT) >= 0
                || parsed.stripTrailingZeros().scale() > PERCENT_SCALE) {
            throw Problem.validation(field, "A tax rate is 0 to 99.999 percent, with at most three decimals");
        }
        return parsed;
    }

    /** The tax lines for a ticket's typed lines: one per taxed kind that comes to at least one minor unit. */
    public List<Invoices.Line> linesFor(List<Invoices.Line> lines) {
        final long services = sum(lines, Invoices.LineKind.SERVICE);
        final long products = sum(lines, Invoices.LineKind.PRODUCT);
        final long discount = -sum(lines, Invoices.LineKind.DISCOUNT);
        final long goods = services + products;
        if (goods == 0) {
            return List.of();
        }
        final long serviceDiscount = BigDecimal.valueOf(discount)
                .multiply(BigDecimal.valueOf(services))
                .divide(BigDecimal.valueOf(goods), 0, RoundingMode.HALF_UP)
                .longValueExact();
        final List<Invoices.Line> tax = new ArrayList<>();
        add(tax, "services", services - serviceDiscount, servicePercent);
        add(tax, "products", products - (discount - serviceDiscount), productPercent);
        return tax;
    }

    private static void add(List<Invoices.Line> tax, String what, long taxedMinor, BigDecimal percent) {
        final long amount = BigDecimal.valueOf(taxedMinor)
                .multiply(percent)
                .movePointLeft(2)
                .setScale(0, RoundingMode.HALF_UP)
                .longValueExact();
        if (amount > 0) {
            tax.add(new Invoices.Line(
                    Invoices.LineKind.TAX, "Tax on " + what + " (" + shown(percent) + "%)", 1, amount));
        }
    }

    /** A percent as stored: thousandths of a percent, a whole number (8875 for 8.875%). */
    public static int millipercent(BigDecimal percent) {
        return percent.movePointRight(PERCENT_SCALE).intValueExact();
    }

    public static BigDecimal fromMillipercent(int millipercent) {
        return BigDecimal.valueOf(millipercent, PERCENT_SCALE);
    }

    /** "8.875", "20": the percent as the owner typed it, without trailing zeros. */
    public static String shown(BigDecimal percent) {
        return percent.stripTrailingZeros().toPlainString();
    }

    private static long sum(List<Invoices.Line> lines, Invoices.LineKind kind) {
        return lines.stream()
                .filter(line -> line.kind() == kind)
                .mapToLong(Invoices.Line::amountMinor)
                .reduce(0, Math::addExact);
    }
}

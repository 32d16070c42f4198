package dev.settle.business;

import dev.settle.Problem;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/** Reads a date people or programs send ({@code 2026-11-01}), within years PostgreSQL and people use. */
public final class DateInput {
    private static final LocalDate EARLIEST = LocalDate.of(1900, 1, 1);
    private static final LocalDate LATEST = LocalDate.of(9999, 12, 30);

    private DateInput() {}

    /** The last instant of a day up to today, in {@code zone}: what "as of that date" means. */
    public static java.time.Instant endOfDay(String text, java.time.ZoneId zone, String field) {
        final LocalDate day = parse(text, field);
        if (day.isAfter(LocalDate.now(zone))) {
            throw Problem.validation(field, "Choose a date up to today");
        }
        return day.plusDays(1).atStartOfDay(zone).toInstant().minusNanos(1_000);
    }

    public static LocalDate parse(String text, String field) {
        final LocalDate date;
        try {
            date = LocalDate.parse(text == null ? "" : text.strip());
        } catch (DateTimeParseException e) {
            throw Problem.validation(field, "Choose a date such as 2026-11-01");
        }
        if (date.isBefore(EARLIEST) || date.isAfter(LATEST)) {
            throw Problem.validation(field, "Choose a date between 1900 and 9999");
        }
        return date;
    }
}

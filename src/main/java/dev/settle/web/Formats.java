package dev.settle.web;

import dev.settle.money.Money;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.Currency;
import java.util.Locale;

/** Money and dates as a business's people read them: its locale, its time zone, its currency. */
public record Formats(Locale locale, ZoneId zone, Currency currency) {

    public String money(long amountMinor) {
        return new Money(amountMinor, currency).format(locale);
    }

    public String dateTime(OffsetDateTime at) {
        return DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM, FormatStyle.SHORT)
                .withLocale(locale)
                .format(at.atZoneSameInstant(zone));
    }

    /** A calendar day (a credit's last day, say), which has no time zone of its own. */
    public String day(java.time.LocalDate day) {
        return DateTimeFormatter.ofLocalizedDate(FormatStyle.MEDIUM)
                .withLocale(locale)
                .format(day);
    }

    public String date(OffsetDateTime at) {
        return DateTimeFormatter.ofLocalizedDate(FormatStyle.MEDIUM)
                .withLocale(locale)
                .format(at.atZoneSameInstant(zone));
    }

    /** A count of things (rows, say), grouped as the locale groups digits. */
    public String count(long count) {
        return java.text.NumberFormat.getIntegerInstance(locale).format(count);
    }
}

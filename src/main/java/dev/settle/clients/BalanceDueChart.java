package dev.settle.clients;

import dev.settle.web.Formats;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A small step chart of a client's balance due over their recent history, drawn as SVG points on
 * the server: no script, and nothing for the page's content security policy to refuse.
 */
public record BalanceDueChart(String points, String description, String highest) {
    // Whole-number coordinates on a fine grid (the SVG scales it), so no float is ever involved.
    static final long WIDTH = 6_000;
    static final long HEIGHT = 1_000;

    /** The chart of {@code rows} (newest first) up to {@code now}, if balance due ever moved in them. */
    public static Optional<BalanceDueChart> of(List<ClientHistory.Row> rows, Instant now, Formats formats) {
        final List<ClientHistory.Row> moves = rows.reversed().stream()
                .filter(row -> row.balanceDueChangeMinor() != 0)
                .toList();
        if (moves.isEmpty()) {
            return Optional.empty();
        }
        final ClientHistory.Row first = moves.getFirst();
        final long start = first.at().toInstant().toEpochMilli();
        final long span = Math.max(1, now.toEpochMilli() - start);
        final long before = first.balanceDueAfterMinor() - first.balanceDueChangeMinor();
        long highest = Math.max(1, before);
        for (ClientHistory.Row row : moves) {
            highest = Math.max(highest, row.balanceDueAfterMinor());
        }
        final List<String> points = new ArrayList<>();
        long level = before;
        for (ClientHistory.Row row : moves) {
            final long x = x(row.at(), start, span);
            points.add(point(x, y(level, highest)));
            level = row.balanceDueAfterMinor();
            points.add(point(x, y(level, highest)));
        }
        points.add(point(WIDTH, y(level, highest)));
        final String description = "Balance due from " + formats.date(first.at()) + ": " + formats.money(before)
                + " then, " + formats.money(level) + " now, highest " + formats.money(highest) + ".";
        return Optional.of(new BalanceDueChart(String.join(" ", points), description, formats.money(highest)));
    }

    private static long x(OffsetDateTime at, long start, long span) {
        return (at.toInstant().toEpochMilli() - start) * WIDTH / span;
    }

    /** Room for the line's width at the top; a balance below zero sits on the axis. */
    private static long y(long balanceMinor, long highest) {
        return HEIGHT - Math.max(0, balanceMinor) * (HEIGHT - 40) / highest;
    }

    private static String point(long x, long y) {
        return x + "," + y;
    }
}

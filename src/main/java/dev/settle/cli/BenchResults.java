package dev.settle.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import javax.imageio.ImageIO;

/** What {@code bench http} measured, as a table on the console and as bench/results/DATE.md with a plot. */
final class BenchResults {
    private static final int CHART_CLIENTS = 32;

    private final HttpBench.Figures figures;
    private final boolean quick;

    BenchResults(HttpBench.Figures figures, boolean quick) {
        this.figures = figures;
        this.quick = quick;
    }

    void print() {
        System.out.println();
        System.out.print(targets());
        System.out.println();
        System.out.print(curve());
    }

    /** Writes DATE.md and DATE.png (DATE-short.* for a short run) into {@code folder}; returns the .md. */
    Path write(Path folder, LocalDate date) throws IOException {
        Files.createDirectories(folder);
        final String name = date + (quick ? "-short" : "");
        final Path png = folder.resolve(name + ".png");
        plot(png);
        final Path markdown = folder.resolve(name + ".md");
        Files.writeString(
                markdown,
                "# Benchmark " + date + (quick ? " (short)" : "") + "\n\n"
                        + "`./settle bench http" + (quick ? " --short" : "") + "`: " + figures.setting() + "\n\n"
                        + "A checkout is two requests, as at the desk: the ticket drafted, then checked out with the"
                        + " desk's mix of tenders (card 45%, cash and card 20%, card and pay later 10%, gift card and"
                        + " cash 10%, open payments and card 10%, credit and check 5%), "
                        + "%.1f postings per checkout entry on average. ".formatted(figures.postingsPerCheckout())
                        + "\"Visit\" latency covers both requests; \"checkout\" the second alone.\n\n"
                        + "## Against the targets\n\n" + targets() + "\n"
                        + "## Throughput and latency against clients\n\n"
                        + "![checkouts/s and p99 against clients](" + png.getFileName() + ")\n\n"
                        + curve() + "\n"
                        + "verify over the run's database: " + figures.verified() + "\n\n"
                        + "Requests refused or unanswered during the run: " + figures.refused() + "\n",
                StandardCharsets.UTF_8);
        System.out.println("bench http: wrote " + markdown + " and " + png);
        return markdown;
    }

    private HttpBench.Run at32() {
        return figures.curve().stream()
                .filter(run -> run.clients() == CHART_CLIENTS)
                .findFirst()
                .orElse(figures.curve().getLast());
    }

    private HttpBench.Pgbench pgbenchAt(HttpBench.Run run) {
        return figures.pgbench().get(figures.curve().indexOf(run));
    }

    private String targets() {
        final HttpBench.Run uniform = at32();
        final HttpBench.Pgbench pgbench = pgbenchAt(uniform);
        final StringBuilder table = new StringBuilder("| | target | measured | |\n|---|---|---|---|\n");
        ratioRow(
                table,
                "P1 checkouts/s at %d clients ÷ pgbench tps".formatted(uniform.clients()),
                uniform.perSecond(),
                pgbench.tps(),
                1.0);
        table.append("| P1 in two parts: PostgreSQL's CPU per checkout ÷ per pgbench transaction (the work asked"
                        + " of it), and the cores it kept busy under Settle ÷ under pgbench (how fully each kept it"
                        + " busy); P1 is the second ÷ the first | | ")
                .append(p1Parts(uniform, pgbench))
                .append(" | |\n");
        ratioRow(
                table,
                "P2 all on one client ÷ uniform, %d clients"
                        .formatted(figures.hot().clients()),
                figures.hot().perSecond(),
                uniform.perSecond(),
                0.5);
        final HttpBench.Run half = figures.halfPeak();
        row(
                table,
                "P3 p99, %s at %.0f visits/s: checkout request".formatted(half.shape(), half.perSecond()),
                "≤ 20 ms",
                "%.1f ms".formatted(half.checkoutMillis(99)),
                half.checkoutMillis(99) <= 20);
        row(
                table,
                "P3 the same, whole visit (both requests, from when it was due)",
                "≤ 20 ms",
                "%.1f ms".formatted(half.visitMillis(99)),
                half.visitMillis(99) <= 20);
        figures.history()
                .ifPresentOrElse(
                        history -> {
                            final double page = BenchCommand.LedgerBench.percentile(history.pageMicros(), 99) / 1000.0;
                            row(
                                    table,
                                    "P4 balances + newest 50 history rows (one request), client with %,d movements, %,d postings in the database: p99"
                                            .formatted(history.clientMovements(), history.databasePostings()),
                                    "≤ 5 ms",
                                    "%.2f ms (p50 %.2f; `/health`, which reads nothing, p99 %.2f)"
                                            .formatted(
                                                    page,
                                                    BenchCommand.LedgerBench.percentile(history.pageMicros(), 50)
                                                            / 1000.0,
                                                    BenchCommand.LedgerBench.percentile(history.healthMicros(), 99)
                                                            / 1000.0),
                                    page <= 5);
                        },
                        () -> table.append("| P4 long history on 10M postings | ≤ 5 ms | not run (--short) | |\n"));
        row(
                table,
                "P5 bytes per two-posting entry (entries, postings, their indexes)",
                "≤ 700",
                String.valueOf(figures.bytesPerEntry()),
                figures.bytesPerEntry() <= 700);
        final List<java.time.Duration> starts = figures.starts();
        final long slowestWarm = starts.subList(1, starts.size()).stream()
                .mapToLong(java.time.Duration::toMillis)
                .max()
                .orElseThrow();
        row(
                table,
                "P6 jar start to /health 200, embedded PostgreSQL, warm (slowest of %d; first start %d ms)"
                        .formatted(starts.size() - 1, starts.getFirst().toMillis()),
                "≤ 3 s",
                slowestWarm + " ms",
                slowestWarm <= 3_000);
        final long residentMegabytes = figures.peakResidentBytes() / (1024 * 1024);
        row(
                table,
                "P6 app resident memory, highest under load",
                "≤ 300 MB",
                residentMegabytes + " MB",
                residentMegabytes <= 300);
        table.append("| P7 aging and liability at 10M postings | ≤ 1 s | `./settle bench reports` | |\n");
        ratioRow(
                table,
                "Two instances on one database ÷ one, %d clients, each desk to either instance"
                        .formatted(figures.twoInstances().clients()),
                figures.twoInstances().perSecond(),
                uniform.perSecond(),
                1.0);
        ratioRow(
                table,
                "The same, each business's desks to one instance (routed by API key)",
                figures.twoInstancesByBusiness().perSecond(),
                uniform.perSecond(),
                1.0);
        return table.toString();
    }

    private static String p1Parts(HttpBench.Run uniform, HttpBench.Pgbench pgbench) {
        if (uniform.postgresCores().isEmpty() || pgbench.postgresCores().isEmpty()) {
            return "not measured: PostgreSQL is not on this machine";
        }
        final double checkout = uniform.postgresMillisEach().getAsDouble();
        final double transaction = pgbench.postgresMillisEach().getAsDouble();
        final double settleCores = uniform.postgresCores().getAsDouble();
        final double pgbenchCores = pgbench.postgresCores().getAsDouble();
        return "%.2f ÷ %.2f ms = %.1f; %.2f ÷ %.2f cores = %.2f"
                .formatted(
                        checkout,
                        transaction,
                        checkout / transaction,
                        settleCores,
                        pgbenchCores,
                        settleCores / pgbenchCores);
    }

    private static void ratioRow(StringBuilder table, String what, double measured, double against, double target) {
        row(
                table,
                what,
                "≥ %.1f".formatted(target),
                "%.0f ÷ %.0f = %.2f".formatted(measured, against, measured / against),
                against > 0 && measured / against >= target);
    }

    private static void row(StringBuilder table, String what, String target, String measured, boolean met) {
        table.append("| ")
                .append(what)
                .append(" | ")
                .append(target)
                .append(" | ")
                .append(measured)
                .append(" | ")
                .append(met ? "met" : "**missed**")
                .append(" |\n");
    }

    private String curve() {
        final StringBuilder table = new StringBuilder(
                "| clients | checkouts/s | visit p50 ms | visit p99 ms | checkout p99 ms | PostgreSQL CPU ms per checkout"
                        + " | pgbench tps | PostgreSQL CPU ms per transaction | ratio |\n"
                        + "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (HttpBench.Run run : figures.curve()) {
            final HttpBench.Pgbench pgbench = pgbenchAt(run);
            table.append("| %d | %.0f | %.2f | %.2f | %.2f | %s | %.0f | %s | %.2f |%n"
                    .formatted(
                            run.clients(),
                            run.perSecond(),
                            run.visitMillis(50),
                            run.visitMillis(99),
                            run.checkoutMillis(99),
                            millis(run.postgresMillisEach()),
                            pgbench.tps(),
                            millis(pgbench.postgresMillisEach()),
                            run.perSecond() / pgbench.tps()));
        }
        return table.toString();
    }

    private static String millis(java.util.OptionalDouble millis) {
        return millis.isPresent() ? "%.2f".formatted(millis.getAsDouble()) : "–";
    }

    /** Checkouts/s and pgbench tps (left axis) and visit p99 (right axis) against clients, clients spaced evenly. */
    private void plot(Path png) throws IOException {
        final int width = 900;
        final int height = 520;
        final int left = 80;
        final int right = 80;
        final int top = 60;
        final int bottom = 70;
        final BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        final List<HttpBench.Run> runs = figures.curve();
        final double throughputMax = niceCeiling(Math.max(
                runs.stream().mapToDouble(HttpBench.Run::perSecond).max().orElse(1),
                figures.pgbench().stream()
                        .mapToDouble(HttpBench.Pgbench::tps)
                        .max()
                        .orElse(1)));
        final double latencyMax = niceCeiling(
                runs.stream().mapToDouble(run -> run.visitMillis(99)).max().orElse(1));
        final int plotWidth = width - left - right;
        final int plotHeight = height - top - bottom;
        final Area area = new Area(left, top, plotWidth, plotHeight, runs.size());
        g.setColor(new Color(230, 230, 230));
        for (int tick = 0; tick <= 5; tick++) {
            final int y = top + plotHeight - tick * plotHeight / 5;
            g.drawLine(left, y, left + plotWidth, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString("%.0f".formatted(throughputMax * tick / 5), 20, y + 5);
            g.drawString("%.0f".formatted(latencyMax * tick / 5), left + plotWidth + 10, y + 5);
            g.setColor(new Color(230, 230, 230));
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(left, top, plotWidth, plotHeight);
        for (int index = 0; index < runs.size(); index++) {
            final String label = String.valueOf(runs.get(index).clients());
            g.drawString(label, area.x(index) - 4 * label.length(), top + plotHeight + 20);
        }
        g.drawString("concurrent clients", left + plotWidth / 2 - 55, height - 25);
        g.drawString("per second", 10, top - 15);
        g.drawString("p99 ms", left + plotWidth + 10, top - 15);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString("Settle checkouts over HTTP against pgbench TPC-B, same server, same run", left, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        final Color blue = new Color(31, 119, 180);
        final Color grey = new Color(127, 127, 127);
        final Color red = new Color(214, 39, 40);
        line(g, area, throughputMax, blue, index -> runs.get(index).perSecond());
        line(g, area, throughputMax, grey, index -> figures.pgbench().get(index).tps());
        line(g, area, latencyMax, red, index -> runs.get(index).visitMillis(99));
        legend(g, left + 15, top + 20, blue, "checkouts/s (left)");
        legend(g, left + 15, top + 40, grey, "pgbench tps (left)");
        legend(g, left + 15, top + 60, red, "visit p99 ms (right)");
        g.dispose();
        ImageIO.write(image, "png", png.toFile());
    }

    /** The plot's frame, with {@code points} evenly spaced along it. */
    private record Area(int left, int top, int width, int height, int points) {
        int x(int index) {
            return left + (points == 1 ? width / 2 : index * width / (points - 1));
        }

        int y(double value, double max) {
            return top + height - (int) Math.round(value / max * height);
        }
    }

    private static void line(
            Graphics2D g, Area area, double max, Color color, java.util.function.IntToDoubleFunction value) {
        g.setColor(color);
        g.setStroke(new BasicStroke(2.5f));
        int previousX = -1;
        int previousY = -1;
        for (int index = 0; index < area.points(); index++) {
            final int x = area.x(index);
            final int y = area.y(value.applyAsDouble(index), max);
            g.fillOval(x - 4, y - 4, 8, 8);
            if (previousX >= 0) {
                g.drawLine(previousX, previousY, x, y);
            }
            previousX = x;
            previousY = y;
        }
        g.setStroke(new BasicStroke(1f));
    }

    private static void legend(Graphics2D g, int x, int y, Color color, String label) {
        g.setColor(color);
        g.fillRect(x, y - 9, 18, 4);
        g.setColor(Color.DARK_GRAY);
        g.drawString(label, x + 26, y - 3);
    }

    /** 1, 2 or 5 times a power of ten, at or above {@code value}: axis ends people can read. */
    private static double niceCeiling(double value) {
        final double power = Math.pow(10, Math.floor(Math.log10(Math.max(value, 1e-9))));
        for (double step : new double[] {1, 2, 5, 10}) {
            if (step * power >= value) {
                return step * power;
            }
        }
        return 10 * power;
    }
}

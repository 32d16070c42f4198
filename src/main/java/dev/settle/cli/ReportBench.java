package dev.settle.cli;

import dev.settle.db.Database;
import dev.settle.ledger.Verifier;
import dev.settle.reports.Reports;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.ToIntFunction;
import org.jdbi.v3.core.Handle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How long each report takes on a business with millions of postings (10M by default), as of the
 * end of today (what an owner opens) and of last month (an accountant's close), made once by
 * {@link LedgerGenerator} and reused.
 */
@Command(name = "reports", description = "Report latency on a business with millions of postings.")
public final class ReportBench implements Callable<Integer> {
    private static final ZoneId ZONE = ZoneId.of("America/New_York");

    @Mixin
    BenchServer bench;

    @Option(names = "--postings", defaultValue = "10000000", description = "Postings in the business.")
    long postings;

    @Option(names = "--runs", defaultValue = "10", description = "Reads of each report.")
    int runs;

    @Option(names = "--verify", description = "Check every invariant over the whole database after (slow).")
    boolean verify;

    private final Reports reports = new Reports();

    @Override
    public Integer call() throws java.sql.SQLException {
        try (Database db = bench.open(2)) {
            final long businessId = generated(db, postings);
            final long total = db.jdbi()
                    .withHandle(handle -> handle.createQuery("select count(*) from postings")
                            .mapTo(Long.class)
                            .one());
            final LocalDate today = LocalDate.now(ZONE);
            final Instant endOfToday = end(today);
            final Instant endOfLastMonth = end(today.withDayOfMonth(1).minusDays(1));
            System.out.printf(
                    "bench reports: business %d holds %,d postings (%,d in the database); %d reads each%n",
                    businessId, postings(db, businessId), total, runs);
            System.out.println();
            System.out.println("| report | as of | rows | p50 ms | max ms |");
            System.out.println("|---|---|---:|---:|---:|");
            for (Instant asOf : new Instant[] {endOfToday, endOfLastMonth}) {
                final String when = asOf.equals(endOfToday) ? "end of today" : "end of last month";
                measure(
                        db,
                        "receivables aging",
                        when,
                        handle -> reports.aging(handle, businessId, asOf, ZONE)
                                .rows()
                                .size());
                measure(db, "stored-value liability", when, handle -> {
                    final Reports.Liability liability = reports.liability(handle, businessId, asOf);
                    return liability.openPayments().size()
                            + liability.credits().size()
                            + liability.giftCards().size();
                });
                measure(
                        db,
                        "trial balance",
                        when,
                        handle -> reports.trialBalance(handle, businessId, asOf)
                                .lines()
                                .size());
                measure(db, "breakage (12 months)", when, handle -> {
                    final Reports.Breakage breakage = reports.breakage(handle, businessId, asOf, ZONE, 12);
                    return breakage.giftCards().size()
                            + breakage.openPayments().size()
                            + breakage.expiredCredits().size();
                });
            }
            for (int days : new int[] {7, 31, 366}) {
                measure(
                        db,
                        "daily tenders, " + days + " days",
                        "to today",
                        handle -> reports.tenderSummary(handle, businessId, today.minusDays(days - 1L), today, ZONE)
                                .days()
                                .size());
            }
            if (verify) {
                final Verifier.Report report = db.jdbi().withHandle(new Verifier()::verify);
                System.out.println();
                System.out.println("verify: " + report.summary());
                report.violations().forEach(System.out::println);
                return report.ok() ? 0 : 1;
            }
            return 0;
        }
    }

    private void measure(Database db, String report, String when, ToIntFunction<Handle> read) {
        db.jdbi().withHandle(read::applyAsInt); // warm
        final long[] micros = new long[runs];
        int rows = 0;
        for (int run = 0; run < runs; run++) {
            final long started = System.nanoTime();
            rows = db.jdbi().withHandle(read::applyAsInt);
            micros[run] = (System.nanoTime() - started) / 1_000;
        }
        Arrays.sort(micros);
        System.out.printf(
                "| %s | %s | %,d | %s | %s |%n",
                report,
                when,
                rows,
                milliseconds(BenchCommand.LedgerBench.percentile(micros, 50)),
                milliseconds(micros[micros.length - 1]));
    }

    private static String milliseconds(long micros) {
        return "%d.%d".formatted(micros / 1_000, micros % 1_000 / 100);
    }

    private static Instant end(LocalDate day) {
        return day.plusDays(1).atStartOfDay(ZONE).toInstant().minusNanos(1_000);
    }

    /** The generated business of about {@code postings} postings, made the first time (minutes for 10M). */
    static long generated(Database db, long postings) {
        final String name = "bench reports " + postings;
        final Optional<Long> existing = db.jdbi()
                .withHandle(handle -> handle.createQuery("select id from businesses where name = :name")
                        .bind("name", name)
                        .mapTo(Long.class)
                        .findOne());
        if (existing.isPresent()) {
            return existing.get();
        }
        System.out.printf("bench reports: generating a business with about %,d postings…%n", postings);
        final LedgerGenerator.Generated generated = new LedgerGenerator().generate(db.jdbi(), name, postings);
        System.out.printf(
                "bench reports: %,d visits by %,d clients, %,d entries, %,d postings in %d s%n",
                generated.visits(),
                generated.clients(),
                generated.entries(),
                generated.postings(),
                generated.took().toSeconds());
        return generated.businessId();
    }

    private static long postings(Database db, long businessId) {
        return db.jdbi()
                .withHandle(
                        handle -> handle.createQuery("select count(*) from postings where business_id = :business_id")
                                .bind("business_id", businessId)
                                .mapTo(Long.class)
                                .one());
    }
}

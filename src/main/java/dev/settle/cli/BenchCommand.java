package dev.settle.cli;

import dev.settle.business.ApiKeys;
import dev.settle.business.Businesses;
import dev.settle.clients.Clients;
import dev.settle.db.Database;
import dev.settle.db.DatabaseUrl;
import dev.settle.db.WriteBatcher;
import dev.settle.invoices.Invoices;
import dev.settle.ledger.AccountKind;
import dev.settle.ledger.Actor;
import dev.settle.ledger.EntryRequest;
import dev.settle.ledger.Ledger;
import dev.settle.ledger.PostingRequest;
import dev.settle.ledger.Verifier;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench ledger}: posts checkout-shaped 3-posting entries (cash + balance due -> sales)
 * from 1, 8 and 32 concurrent writers for a fixed time, with pgbench TPC-B on the same server in
 * the same run, and prints entries/s, latency and the ratio to pgbench's tps. A command that
 * prints figures, not a test.
 */
@Command(
        name = "bench",
        description = "Measure Settle.",
        subcommands = {BenchCommand.LedgerBench.class, HistoryBench.class, ReportBench.class, HttpBench.class})
public final class BenchCommand {

    @Command(name = "ledger", description = "Ledger posting throughput and latency against pgbench.")
    public static final class LedgerBench implements Callable<Integer> {
        private static final int UNIFORM_BUSINESSES = 256;
        private static final int CLIENTS_PER_BUSINESS = 20;
        private static final int HOT_CLIENTS = 1000;
        private static final int STORAGE_ENTRIES = 20_000;

        @Mixin
        BenchServer bench;

        @Option(names = "--seconds", defaultValue = "10", description = "Duration of each run.")
        int seconds;

        @Option(names = "--writers", defaultValue = "1,8,32", split = ",", description = "Concurrent writers per run.")
        int[] writers;

        @Option(
                names = "--batch-writers",
                defaultValue = "4",
                description = "Group-commit writer threads (connections).")
        int batchWriters;

        @Option(names = "--skip-pgbench", description = "Do not run pgbench.")
        boolean skipPgbench;

        private final Ledger ledger = new Ledger();

        /** A bench business; client i has receivable account receivables[i] and one open invoice, tabs[i]. */
        private record Business(long id, long cash, long sales, long[] receivables, long[] tabs) {}

        private record Run(String shape, int writers, long entries, double seconds, long p50Micros, long p99Micros) {
            double perSecond() {
                return entries / seconds;
            }
        }

        @Override
        public Integer call() throws Exception {
            final DatabaseUrl server = bench.server();
            System.out.printf(
                    "bench ledger: %d s per run, writers %s, %d group-commit connections%n",
                    seconds, Arrays.toString(writers), batchWriters);
            try (Database db = bench.open(batchWriters + 2)) {
                final List<Business> uniform = new ArrayList<>();
                for (int index = 0; index < UNIFORM_BUSINESSES; index++) {
                    uniform.add(setUpBusiness(db, "bench uniform " + index, CLIENTS_PER_BUSINESS));
                }
                final Business hot = setUpBusiness(db, "bench hot", HOT_CLIENTS);
                final List<Run> runs = new ArrayList<>();
                final List<String> pgbench = new ArrayList<>();
                try (WriteBatcher batcher = new WriteBatcher(db.jdbi(), batchWriters)) {
                    System.out.printf(
                            "storage: %d bytes per two-posting entry (tables and indexes)%n",
                            storagePerEntry(db, batcher, setUpBusiness(db, "bench storage", 100)));
                    for (int count : writers) {
                        runs.add(run(batcher, "uniform", count, uniform));
                        runs.add(run(batcher, "one business", count, List.of(hot)));
                    }
                }
                if (!skipPgbench) {
                    createDatabaseIfMissing(server, "settle_pgbench");
                    pgbenchInit(server);
                    for (int count : writers) {
                        pgbench.add(count + "=" + pgbenchTps(server, count, seconds));
                    }
                }
                print(runs, pgbench);
                final Verifier.Report report = db.jdbi().withHandle(new Verifier()::verify);
                System.out.println("verify: " + report.summary());
                return report.ok() ? 0 : 1;
            }
        }

        /** The named bench business, made on the first run and reused after (setting up is slow). */
        private Business setUpBusiness(Database db, String name, int clientsCount) {
            return db.jdbi().inTransaction(handle -> {
                final Businesses businesses = new Businesses(ledger, new ApiKeys());
                final Optional<Long> existing = handle.createQuery("select min(id) from businesses where name = :name")
                        .bind("name", name)
                        .mapTo(Long.class)
                        .findOne();
                final long businessId;
                if (existing.isPresent()) {
                    businessId = existing.get();
                } else {
                    businessId = businesses
                            .create(handle, name, "USD", "America/New_York", "owner@bench.example")
                            .business()
                            .id();
                    final Clients clients = new Clients(ledger);
                    for (int index = 0; index < clientsCount; index++) {
                        clients.create(handle, businessId, "Client " + index, Optional.empty(), Optional.empty());
                    }
                }
                // Every posting to a balance due names an invoice: each client runs one open tab.
                final List<long[]> accounts = handle.createQuery("""
                                select a.id, a.client_id,
                                       (select min(i.id) from invoices i
                                        where i.business_id = a.business_id and i.client_id = a.client_id) as tab
                                from accounts a
                                where a.business_id = :business_id and a.kind = 'receivable'
                                order by a.id
                                """)
                        .bind("business_id", businessId)
                        .map((rs, ctx) -> new long[] {rs.getLong("id"), rs.getLong("client_id"), rs.getLong("tab")})
                        .list();
                final Invoices invoices = new Invoices();
                for (long[] account : accounts) {
                    if (account[2] == 0) {
                        account[2] = invoices.issue(
                                handle,
                                businessId,
                                Optional.of(account[1]),
                                List.of(new Invoices.Line(Invoices.LineKind.SERVICE, "Bench visits", 1, 1)),
                                Actor.system());
                    }
                }
                return new Business(
                        businessId,
                        businesses.accountId(handle, businessId, AccountKind.CASH),
                        businesses.accountId(handle, businessId, AccountKind.SALES),
                        accounts.stream().mapToLong(account -> account[0]).toArray(),
                        accounts.stream().mapToLong(account -> account[2]).toArray());
            });
        }

        /** A checkout: part cash, the rest pay-later onto the client's balance due, all of it sales. */
        private static EntryRequest checkout(Business business) {
            final ThreadLocalRandom random = ThreadLocalRandom.current();
            final long totalMinor = random.nextLong(1_000, 20_000);
            final long cashMinor = random.nextLong(1, totalMinor);
            final int client = random.nextInt(business.receivables().length);
            return EntryRequest.bySystem(
                    business.id(),
                    "checkout",
                    List.of(
                            PostingRequest.debit(business.cash(), cashMinor),
                            PostingRequest.debit(business.receivables()[client], totalMinor - cashMinor)
                                    .onInvoice(business.tabs()[client]),
                            PostingRequest.credit(business.sales(), totalMinor)));
        }

        private long post(WriteBatcher batcher, EntryRequest request) {
            return batcher.write(request.businessId(), request.accountIds(), ledger.postWork(request))
                    .id();
        }

        private Run run(WriteBatcher batcher, String shape, int writersCount, List<Business> businesses)
                throws InterruptedException {
            final long[][] latencies = new long[writersCount][];
            final int[] counts = new int[writersCount];
            final AtomicBoolean stop = new AtomicBoolean();
            final List<Thread> threads = new ArrayList<>();
            for (int index = 0; index < writersCount; index++) {
                final int writer = index;
                latencies[writer] = new long[1 << 20];
                threads.add(Thread.ofPlatform().start(() -> {
                    while (!stop.get() && counts[writer] < latencies[writer].length) {
                        final Business business =
                                businesses.get(ThreadLocalRandom.current().nextInt(businesses.size()));
                        final long started = System.nanoTime();
                        post(batcher, checkout(business));
                        latencies[writer][counts[writer]++] = (System.nanoTime() - started) / 1_000;
                    }
                }));
            }
            final long started = System.nanoTime();
            Thread.sleep(seconds * 1_000L);
            stop.set(true);
            for (Thread thread : threads) {
                thread.join();
            }
            final double elapsed = (System.nanoTime() - started) / 1e9;
            final long total = Arrays.stream(counts).asLongStream().sum();
            final long[] all = new long[(int) total];
            int offset = 0;
            for (int index = 0; index < writersCount; index++) {
                System.arraycopy(latencies[index], 0, all, offset, counts[index]);
                offset += counts[index];
            }
            Arrays.sort(all);
            final Run run = new Run(shape, writersCount, total, elapsed, percentile(all, 50), percentile(all, 99));
            System.out.printf(
                    "  %-12s %2d writers: %8.0f entries/s  p50 %6.2f ms  p99 %6.2f ms%n",
                    shape, writersCount, run.perSecond(), run.p50Micros() / 1000.0, run.p99Micros() / 1000.0);
            return run;
        }

        private long storagePerEntry(Database db, WriteBatcher batcher, Business business) throws InterruptedException {
            final String sizeSql =
                    "select pg_total_relation_size('journal_entries') + pg_total_relation_size('postings')";
            db.jdbi().useHandle(handle -> handle.execute("checkpoint"));
            final long before = db.jdbi()
                    .withHandle(handle ->
                            handle.createQuery(sizeSql).mapTo(Long.class).one());
            final List<Thread> threads = new ArrayList<>();
            for (int writer = 0; writer < 16; writer++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int index = 0; index < STORAGE_ENTRIES / 16; index++) {
                        final long amount = ThreadLocalRandom.current().nextLong(100, 10_000);
                        final int client = ThreadLocalRandom.current().nextInt(business.receivables().length);
                        post(
                                batcher,
                                EntryRequest.bySystem(
                                        business.id(),
                                        "checkout",
                                        List.of(
                                                PostingRequest.debit(business.receivables()[client], amount)
                                                        .onInvoice(business.tabs()[client]),
                                                PostingRequest.credit(business.sales(), amount))));
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            final long after = db.jdbi()
                    .withHandle(handle ->
                            handle.createQuery(sizeSql).mapTo(Long.class).one());
            return (after - before) / STORAGE_ENTRIES;
        }

        static long percentile(long[] sorted, int percent) {
            if (sorted.length == 0) {
                return 0;
            }
            return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * percent / 100.0) - 1)];
        }

        private void print(List<Run> runs, List<String> pgbench) {
            System.out.println();
            System.out.println("| writers | shape | entries/s | p50 ms | p99 ms | pgbench tps | ratio |");
            System.out.println("|---:|---|---:|---:|---:|---:|---:|");
            for (Run run : runs) {
                final Optional<Double> tps = pgbench.stream()
                        .filter(row -> row.startsWith(run.writers() + "="))
                        .map(row -> Double.parseDouble(row.substring(row.indexOf('=') + 1)))
                        .findFirst();
                System.out.printf(
                        "| %d | %s | %.0f | %.2f | %.2f | %s | %s |%n",
                        run.writers(),
                        run.shape(),
                        run.perSecond(),
                        run.p50Micros() / 1000.0,
                        run.p99Micros() / 1000.0,
                        tps.map(value -> "%.0f".formatted(value)).orElse("-"),
                        tps.map(value -> "%.2f".formatted(run.perSecond() / value))
                                .orElse("-"));
            }
            for (int count : writers) {
                final Optional<Run> uniform = runs.stream()
                        .filter(r -> r.writers() == count && r.shape().equals("uniform"))
                        .findFirst();
                final Optional<Run> hot = runs.stream()
                        .filter(r -> r.writers() == count && !r.shape().equals("uniform"))
                        .findFirst();
                if (uniform.isPresent() && hot.isPresent()) {
                    System.out.printf(
                            "one business / uniform at %d writers: %.2f%n",
                            count, hot.get().perSecond() / uniform.get().perSecond());
                }
            }
        }

        static void createDatabaseIfMissing(DatabaseUrl server, String name) throws SQLException {
            try (var connection = server.withDatabase("postgres").connect();
                    var statement = connection.createStatement()) {
                final var exists = statement.executeQuery("select 1 from pg_database where datname = '" + name + "'");
                if (!exists.next()) {
                    statement.execute("create database " + name);
                }
            }
        }

        static void pgbenchInit(DatabaseUrl server) throws IOException, InterruptedException {
            final List<String> command = new ArrayList<>(pgbenchConnection(server));
            command.addAll(List.of("-i", "-s", "10", "-q", "settle_pgbench"));
            runProcess(command);
        }

        /** pgbench TPC-B's transactions per second over {@code seconds}, as it reports them. */
        static double pgbenchTps(DatabaseUrl server, int clients, int seconds)
                throws IOException, InterruptedException {
            return reportedTps(clients, runProcess(pgbenchCommand(server, clients, seconds, false)));
        }

        /** pgbench TPC-B at {@code clients} for {@code seconds}, printing its progress each second if asked. */
        static List<String> pgbenchCommand(DatabaseUrl server, int clients, int seconds, boolean progress) {
            final List<String> command = new ArrayList<>(pgbenchConnection(server));
            command.addAll(List.of(
                    "-c",
                    String.valueOf(clients),
                    "-j",
                    String.valueOf(Math.min(clients, 2)),
                    "-T",
                    String.valueOf(seconds)));
            if (progress) {
                command.addAll(List.of("-P", "1"));
            }
            command.add("settle_pgbench");
            return command;
        }

        private static double reportedTps(int clients, String output) {
            final Matcher matcher = Pattern.compile("tps = ([0-9.]+)").matcher(output);
            if (!matcher.find()) {
                throw new IllegalStateException("pgbench printed no tps:\n" + output);
            }
            return printed(clients, Double.parseDouble(matcher.group(1)));
        }

        private static double printed(int clients, double tps) {
            System.out.printf("  pgbench TPC-B scale 10, %2d clients: %8.0f tps%n", clients, tps);
            return tps;
        }

        private static List<String> pgbenchConnection(DatabaseUrl server) {
            return postgresTool("pgbench", server);
        }

        /** A PostgreSQL client program (pgbench, pg_dump, pg_restore) aimed at the server. */
        static List<String> postgresTool(String program, DatabaseUrl server) {
            final Matcher matcher =
                    Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/").matcher(server.jdbcUrl());
            if (!matcher.find()) {
                throw new IllegalArgumentException("cannot run " + program + " against " + server.jdbcUrl());
            }
            final List<String> command =
                    new ArrayList<>(List.of(program, "-h", matcher.group(1), "-p", matcher.group(2)));
            server.user().ifPresent(user -> command.addAll(List.of("-U", user)));
            return command;
        }

        static String runProcess(List<String> command) throws IOException, InterruptedException {
            final Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            return outputOf(process, command);
        }

        /** All the process printed, once it has ended; thrown if it failed. */
        static String outputOf(Process process, List<String> command) throws IOException, InterruptedException {
            final StringBuilder output = new StringBuilder();
            try (BufferedReader reader =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                reader.lines().forEach(line -> output.append(line).append('\n'));
            }
            if (process.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
            }
            return output.toString();
        }
    }
}

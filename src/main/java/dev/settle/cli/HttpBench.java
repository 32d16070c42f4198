package dev.settle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.settle.business.ApiKeys;
import dev.settle.business.Businesses;
import dev.settle.clients.Clients;
import dev.settle.db.Database;
import dev.settle.db.DatabaseUrl;
import dev.settle.ledger.Ledger;
import dev.settle.ledger.Verifier;
import dev.settle.web.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench http}: the desk's traffic end to end. Settle runs as its own process ({@code
 * ./settle serve}) on the server's database {@code settle_bench_http}, made afresh each run; clients
 * draft a ticket and check it out over HTTP with a mix of tenders, closed loop, at rising client
 * counts, with pgbench TPC-B on the same server at the same counts in the same run. Then: all
 * traffic on one client, an open-loop run at half the peak (latency counted from when each visit
 * was due, so a slow answer cannot hide the ones queued behind it), two instances on one database,
 * storage per entry, start time on embedded PostgreSQL, resident memory, and a long client history
 * on the 10M-posting database of {@code bench reports}. Writes bench/results/DATE.md and .png.
 */
@Command(
        name = "http",
        description = "Checkouts over HTTP against Settle run as its own process, with pgbench in the same"
                + " run; writes bench/results/<date>.md and a plot.")
public final class HttpBench implements Callable<Integer> {
    private static final String DATABASE = "settle_bench_http";
    private static final int BUSINESSES = 32;
    private static final int CLIENTS_PER_BUSINESS = 16;
    /** Each client's open payments, credits and gift card: more than any run spends. */
    private static final long FUNDS_MINOR = 100_000_000;

    private static final long SERVICE_MINOR = 45_00;
    private static final long TIP_MINOR = 9_00;
    private static final long PRODUCT_MINOR = 12_00;

    @Mixin
    BenchServer bench;

    private static final int WARM_UP_WINDOW_SECONDS = 5;
    private static final int WARM_UP_MAX_SECONDS = 120;
    private static final double WARM_COMPILER_SHARE = 0.05;
    /**
     * Seconds each measured run, Settle's or pgbench's, runs before it counts. pgbench's runs push
     * Settle's pages out of PostgreSQL's shared buffers (60 MB before a 20 s run at 32 clients,
     * under 1 MB after, with the default 128 MB), and Settle's push out pgbench's: the first
     * second's visits, reading them back, took up to 75 ms while the rest of the run kept under
     * 20. Counted, they measured the switch from the run before, not the run.
     */
    private static final int LEAD_IN_SECONDS = 3;
    /** Far beyond what one machine serves; keeps the open loop's per-visit arrays within memory. */
    private static final int OPEN_LOOP_RATE_MAX = 100_000;

    @Option(names = "--seconds", defaultValue = "15", description = "Duration of each run.")
    int seconds;

    @Option(
            names = "--clients",
            defaultValue = "1,2,4,8,16,32,64",
            split = ",",
            description = "Concurrent clients per point of the curve.")
    int[] clientCounts;

    @Option(
            names = "--short",
            description = "A quick pass for CI: 4 s runs at 1, 8 and 32 clients, no 10M-posting history.")
    boolean quick;

    @Option(
            names = "--open-loop-rate",
            description =
                    "Visits/s of the open loop (P3), to compare builds at one rate; by default half the curve's peak.")
    Optional<Double> openLoopRate;

    @Option(names = "--results", defaultValue = "bench/results", description = "Folder for DATE.md and DATE.png.")
    Path results;

    @Option(
            names = "--history-postings",
            defaultValue = "10000000",
            description = "Size of the database the long-history read (P4) runs on (that of bench reports).")
    long historyPostings;

    /** One pool of kept-alive connections per Settle instance, by its base URL. */
    private final java.util.Map<String, DeskConnections> connections = new java.util.concurrent.ConcurrentHashMap<>();

    /** The server's CPU, where it runs on this machine; set once the run's database is open. */
    private Optional<PostgresCpu> postgresCpu = Optional.empty();

    private final AtomicLong refused = new AtomicLong();
    private final ConcurrentLinkedQueue<String> refusals = new ConcurrentLinkedQueue<>();

    /** A client at the desk: their business (its index here) and its key, and a gift card they carry. */
    private record Client(int business, String apiKey, long id, String giftCardCode) {}

    /** Which instance a visit goes to when several serve. */
    private enum Routing {
        /** Each desk keeps to one instance, whatever the business: a load balancer's round robin. */
        BY_DESK,
        /** Each business keeps to one instance: a load balancer routing on the API key. */
        BY_BUSINESS
    }

    /**
     * A run's visits: a ticket drafted then checked out. Latencies in microseconds, sorted; the
     * cores PostgreSQL kept busy meanwhile where it runs on this machine.
     */
    record Run(
            String shape,
            int clients,
            long visits,
            double seconds,
            long[] visitMicros,
            long[] checkoutMicros,
            OptionalDouble postgresCores) {
        double perSecond() {
            return visits / seconds;
        }

        /** PostgreSQL's CPU milliseconds per checkout (the visit's two requests). */
        OptionalDouble postgresMillisEach() {
            return perMillis(postgresCores, perSecond());
        }

        double visitMillis(int percent) {
            return BenchCommand.LedgerBench.percentile(visitMicros, percent) / 1000.0;
        }

        double checkoutMillis(int percent) {
            return BenchCommand.LedgerBench.percentile(checkoutMicros, percent) / 1000.0;
        }
    }

    /** pgbench TPC-B's transactions per second, and the cores PostgreSQL kept busy meanwhile where it runs here. */
    record Pgbench(double tps, OptionalDouble postgresCores) {
        /** PostgreSQL's CPU milliseconds per TPC-B transaction. */
        OptionalDouble postgresMillisEach() {
            return perMillis(postgresCores, tps);
        }
    }

    private static OptionalDouble perMillis(OptionalDouble cores, double perSecond) {
        return cores.stream().map(busy -> busy * 1000 / perSecond).findFirst();
    }

    /** What the run measured, for the results file. */
    record Figures(
            String setting,
            List<Run> curve,
            List<Pgbench> pgbench,
            Run hot,
            Run halfPeak,
            Run twoInstances,
            Run twoInstancesByBusiness,
            long bytesPerEntry,
            double postingsPerCheckout,
            List<Duration> starts,
            long peakResidentBytes,
            Optional<HistoryRead> history,
            String verified,
            long refused) {}

    /**
     * P4: a client's balances and newest 50 history rows (one request), over HTTP, on a big
     * database; with {@code /health}, which reads nothing, as the floor of this machine and HTTP.
     */
    record HistoryRead(long databasePostings, long clientMovements, long[] pageMicros, long[] healthMicros) {}

    @Override
    public Integer call() throws Exception {
        if (openLoopRate
                .filter(rate -> !(rate > 0 && rate <= OPEN_LOOP_RATE_MAX))
                .isPresent()) {
            System.err.println("error: --open-loop-rate must be above 0 and at most " + OPEN_LOOP_RATE_MAX);
            return 2;
        }
        if (quick) {
            seconds = 4;
            clientCounts = new int[] {1, 8, 32};
        }
        final DatabaseUrl server = bench.server();
        System.out.printf(
                "bench http: %d s per run, clients %s, on %s%n", seconds, Arrays.toString(clientCounts), DATABASE);
        final List<Duration> starts = startTimes();
        FaultsCommand.recreate(server, DATABASE);
        final Path dataFolder = Files.createTempDirectory("settle-bench-http");
        final List<Run> curve = new ArrayList<>();
        final List<Pgbench> pgbench = new ArrayList<>();
        final Run hot;
        final Run halfPeak;
        final Run twoInstances;
        final Run twoInstancesByBusiness;
        final long bytesPerEntry;
        final long peakResident;
        final List<Integer> warmedFor = new ArrayList<>();
        try (Database db = Database.connect(server.withDatabase(DATABASE), 2)) {
            db.migrate();
            postgresCpu = PostgresCpu.of(db);
            final List<Client> clients = new ArrayList<>();
            final List<Client> oneClient;
            // The second instance starts with the first and is warmed as long, so the two-instance
            // runs compare two warm JVMs: started just before them, it measured its own compiler.
            try (SettleProcess app = SettleProcess.start(
                            SettleProcess.freePort(), Optional.of(bench.urlOf(DATABASE)), dataFolder.resolve("a"));
                    ResidentPeak resident = new ResidentPeak(app);
                    SettleProcess second = SettleProcess.start(
                            SettleProcess.freePort(), Optional.of(bench.urlOf(DATABASE)), dataFolder.resolve("b"))) {
                for (int index = 0; index < BUSINESSES; index++) {
                    clients.addAll(business(db, app.base(), index));
                }
                oneClient = List.of(clients.getFirst());
                System.out.printf(
                        "  %d businesses, %d clients, started in %d ms%n",
                        BUSINESSES, clients.size(), app.startedIn().toMillis());
                warmedFor.add(warmUp("warm-up", app, clients));
                warmedFor.add(warmUp("warm-up, second", second, clients));
                BenchCommand.LedgerBench.createDatabaseIfMissing(server, "settle_pgbench");
                BenchCommand.LedgerBench.pgbenchInit(server);
                for (int count : clientCounts) {
                    curve.add(closedLoop("uniform", List.of(app.base()), clients, count, leadIn(), seconds));
                    pgbench.add(pgbench(server, count));
                }
                hot = closedLoop("one client", List.of(app.base()), oneClient, 32, leadIn(), seconds);
                final double peak =
                        curve.stream().mapToDouble(Run::perSecond).max().orElseThrow();
                halfPeak = openLoopRate.isPresent()
                        ? openLoop("set rate, open loop", app.base(), clients, openLoopRate.get())
                        : openLoop("half of peak, open loop", app.base(), clients, peak / 2);
                final List<String> both = List.of(app.base(), second.base());
                twoInstances = closedLoop("two instances", both, Routing.BY_DESK, clients, 32, leadIn(), seconds);
                twoInstancesByBusiness =
                        closedLoop("two, by business", both, Routing.BY_BUSINESS, clients, 32, leadIn(), seconds);
                bytesPerEntry = storagePerEntry(db, app.base(), clients);
                peakResident = resident.peakBytes();
            }
            final Verifier.Report report = db.jdbi().withHandle(new Verifier()::verify);
            final Figures figures = new Figures(
                    setting(db, warmedFor),
                    curve,
                    pgbench,
                    hot,
                    halfPeak,
                    twoInstances,
                    twoInstancesByBusiness,
                    bytesPerEntry,
                    postingsPerCheckout(db),
                    starts,
                    peakResident,
                    quick ? Optional.empty() : Optional.of(history()),
                    report.summary(),
                    refused.get());
            final BenchResults written = new BenchResults(figures, quick);
            written.print();
            written.write(results, LocalDate.now());
            refusals.stream().limit(5).forEach(body -> System.out.println("REFUSED " + body));
            return report.ok() && refused.get() == 0 ? 0 : 1;
        }
    }

    private String setting(Database db, List<Integer> warmedFor) throws IOException {
        final String postgres = db.jdbi()
                .withHandle(handle -> handle.createQuery("show server_version")
                        .mapTo(String.class)
                        .one());
        final String memory = Files.readAllLines(Path.of("/proc/meminfo")).stream()
                .filter(line -> line.startsWith("MemTotal:"))
                .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")) / (1024 * 1024) + " GiB")
                .findFirst()
                .orElse("? GiB");
        return "Settle run as its own process (`./settle serve`: Java %s with the script's JVM options),"
                        .formatted(Runtime.version().feature())
                + " PostgreSQL %s on the same machine (%d cores, %s),"
                        .formatted(postgres, Runtime.getRuntime().availableProcessors(), memory)
                + " load from this command's threads on that machine too; %d s per run, counted after %d s at the same load."
                        .formatted(seconds, leadIn())
                + " Each instance was warmed until its JIT compilers were nearly idle: %s s."
                        .formatted(warmedFor.stream()
                                .map(String::valueOf)
                                .collect(java.util.stream.Collectors.joining(" and ")));
    }

    /**
     * Runs 32 desks on one instance in windows of {@link #WARM_UP_WINDOW_SECONDS} until its JIT
     * compilers use under {@link #WARM_COMPILER_SHARE} of a core, at most {@link
     * #WARM_UP_MAX_SECONDS}; returns the seconds spent. A fixed 10 s left C2 compiling through the
     * measured runs on a slow machine (14% of the machine's CPU in a profile), so every figure after
     * it measured the compiler too, and by how much depended on the machine's speed that hour.
     */
    private int warmUp(String shape, SettleProcess app, List<Client> clients) throws InterruptedException {
        final int most = quick ? WARM_UP_MAX_SECONDS / 4 : WARM_UP_MAX_SECONDS;
        int spent = 0;
        while (spent < most) {
            final SettleProcess.CompilerMark mark = app.compilerMark();
            closedLoop(shape, List.of(app.base()), clients, 32, 0, WARM_UP_WINDOW_SECONDS);
            spent += WARM_UP_WINDOW_SECONDS;
            final double share = compilerShare(app, mark);
            System.out.printf("    JIT compilers busy %.0f%% of a core%n", share * 100);
            if (share < WARM_COMPILER_SHARE) {
                break;
            }
        }
        return spent;
    }

    /** The share of one core the instance's JIT compilers have used since {@code mark}. */
    private static double compilerShare(SettleProcess app, SettleProcess.CompilerMark mark) {
        final long elapsed = System.nanoTime() - mark.nanos();
        return app.compilerTimeSince(mark).toNanos() / (double) elapsed;
    }

    /** P6: Settle started on its embedded PostgreSQL, first in an empty folder, then three times warm. */
    private List<Duration> startTimes() throws IOException, InterruptedException {
        final Path folder = Files.createTempDirectory("settle-bench-start");
        final List<Duration> starts = new ArrayList<>();
        for (int start = 0; start < 4; start++) {
            try (SettleProcess app = SettleProcess.start(SettleProcess.freePort(), Optional.empty(), folder)) {
                starts.add(app.startedIn());
            }
        }
        System.out.printf(
                "  start to /health on embedded PostgreSQL: first %d ms, warm %s ms%n",
                starts.getFirst().toMillis(),
                starts.subList(1, starts.size()).stream()
                        .map(start -> String.valueOf(start.toMillis()))
                        .toList());
        return starts;
    }

    /** A business with its clients, each given open payments, credit and a gift card over the API. */
    private List<Client> business(Database db, String base, int business) {
        final String name = "bench http " + business;
        final String apiKey = db.jdbi().inTransaction(handle -> {
            final Businesses.CreatedBusiness created = new Businesses(new Ledger(), new ApiKeys())
                    .create(handle, name, "USD", "America/New_York", "owner@bench.example");
            // Cards big enough to last the run.
            handle.createUpdate("update businesses set gift_card_max_minor = :max where id = :id")
                    .bind("max", FUNDS_MINOR)
                    .bind("id", created.business().id())
                    .execute();
            return created.apiKey();
        });
        final List<Client> clients = new ArrayList<>();
        for (int index = 0; index < CLIENTS_PER_BUSINESS; index++) {
            final long clientId = expect(base, apiKey, "/api/v1/clients", "{\"name\": \"Client " + index + "\"}")
                    .get("id")
                    .asLong();
            final String funds = "{\"amountMinor\": " + FUNDS_MINOR + ", \"currency\": \"USD\"";
            expect(base, apiKey, "/api/v1/clients/" + clientId + "/open-payments", funds + ", \"tender\": \"card\"}");
            expect(base, apiKey, "/api/v1/clients/" + clientId + "/credits", funds + ", \"reason\": \"goodwill\"}");
            final String code = expect(base, apiKey, "/api/v1/gift-cards", funds + ", \"reason\": \"bench\"}")
                    .get("code")
                    .asText();
            clients.add(new Client(business, apiKey, clientId, code));
        }
        return clients;
    }

    private JsonNode expect(String base, String apiKey, String path, String body) {
        final DeskConnections.Reply reply = post(base, apiKey, path, body);
        if (reply == null || reply.status() / 100 != 2) {
            throw new IllegalStateException(
                    path + " answered " + (reply == null ? "nothing" : reply.status() + ": " + reply.body()));
        }
        return json(reply.body());
    }

    /**
     * One visit: a ticket (a service and a tip, one in ten also a product) drafted, then checked
     * out with the desk's mix of tenders. Its latency and the checkout's, in microseconds, or
     * empty if either was refused.
     */
    private Optional<long[]> visit(String base, Client client, SplittableRandom random) {
        try {
            return timedVisit(base, client, random);
        } catch (RuntimeException e) {
            // an answer that is not what the API documents: counted, never a silently lost worker
            refused.incrementAndGet();
            refusals.add(e.toString());
            return Optional.empty();
        }
    }

    private Optional<long[]> timedVisit(String base, Client client, SplittableRandom random) {
        final long started = System.nanoTime();
        final boolean product = random.nextInt(10) == 0;
        final long total = SERVICE_MINOR + TIP_MINOR + (product ? PRODUCT_MINOR : 0);
        final DeskConnections.Reply draft = post(
                base,
                client.apiKey(),
                "/api/v1/invoices",
                "{\"clientId\": " + client.id() + ", \"currency\": \"USD\", \"lines\": ["
                        + "{\"kind\": \"service\", \"description\": \"Cut and colour\", \"unitMinor\": "
                        + SERVICE_MINOR + "}, {\"kind\": \"tip\", \"description\": \"Tip\", \"unitMinor\": "
                        + TIP_MINOR + "}"
                        + (product
                                ? ", {\"kind\": \"product\", \"description\": \"Shampoo\", \"unitMinor\": "
                                        + PRODUCT_MINOR + "}"
                                : "")
                        + "]}");
        if (!answered(draft, 201)) {
            return Optional.empty();
        }
        final long invoiceId = json(draft.body()).get("id").asLong();
        final long checkoutStarted = System.nanoTime();
        final DeskConnections.Reply checkout = post(
                base,
                client.apiKey(),
                "/api/v1/invoices/" + invoiceId + "/checkout",
                "{\"currency\": \"USD\", " + tenders(client, total, random.nextInt(100)) + "}");
        final long done = System.nanoTime();
        if (!answered(checkout, 201)) {
            return Optional.empty();
        }
        return Optional.of(new long[] {(done - started) / 1_000, (done - checkoutStarted) / 1_000});
    }

    /** How a front desk is paid, by percentile of visits: card mostly, then splits, pay later, funds. */
    private static String tenders(Client client, long total, int percentile) {
        if (percentile < 45) {
            return "\"tenders\": [" + card(total) + "]";
        }
        if (percentile < 65) {
            return "\"tenders\": [{\"tender\": \"cash\", \"amountMinor\": 2000, \"tenderedMinor\": 2000}, "
                    + card(total - 20_00) + "]";
        }
        if (percentile < 75) {
            return "\"tenders\": [" + card(30_00) + "], \"payLaterMinor\": " + (total - 30_00);
        }
        if (percentile < 85) {
            return "\"tenders\": [{\"tender\": \"gift_card\", \"code\": \"" + client.giftCardCode()
                    + "\", \"amountMinor\": 1000}, {\"tender\": \"cash\", \"amountMinor\": " + (total - 10_00) + "}]";
        }
        if (percentile < 95) {
            return "\"tenders\": [{\"tender\": \"open_payment\", \"amountMinor\": 2000}, " + card(total - 20_00) + "]";
        }
        return "\"tenders\": [{\"tender\": \"credit\", \"amountMinor\": 1500}, {\"tender\": \"check\", \"amountMinor\": "
                + (total - 15_00) + ", \"reference\": \"1042\"}]";
    }

    private static String card(long amountMinor) {
        return "{\"tender\": \"card\", \"amountMinor\": " + amountMinor + ", \"cardLast4\": \"4242\"}";
    }

    private int leadIn() {
        return quick ? 1 : LEAD_IN_SECONDS;
    }

    /**
     * Closed loop: {@code clientsCount} clients, each starting its next visit when the last is
     * answered; visits answered in the first {@code leadInSeconds} are not counted.
     */
    private Run closedLoop(
            String shape, List<String> bases, List<Client> clients, int clientsCount, int leadInSeconds, int runSeconds)
            throws InterruptedException {
        return closedLoop(shape, bases, Routing.BY_DESK, clients, clientsCount, leadInSeconds, runSeconds);
    }

    private Run closedLoop(
            String shape,
            List<String> bases,
            Routing routing,
            List<Client> clients,
            int clientsCount,
            int leadInSeconds,
            int runSeconds)
            throws InterruptedException {
        final int capacity = runSeconds * 2_000;
        final long[][] visitMicros = new long[clientsCount][capacity];
        final long[][] checkoutMicros = new long[clientsCount][capacity];
        final int[] counts = new int[clientsCount];
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Thread> threads = new ArrayList<>();
        final long measuredFrom = System.nanoTime() + leadInSeconds * 1_000_000_000L;
        for (int index = 0; index < clientsCount; index++) {
            final int worker = index;
            threads.add(Thread.ofPlatform().start(() -> {
                final SplittableRandom random = new SplittableRandom(worker);
                while (!stop.get() && counts[worker] < capacity) {
                    final Client client = clients.get(random.nextInt(clients.size()));
                    final int instance = routing == Routing.BY_DESK ? worker : client.business();
                    visit(bases.get(instance % bases.size()), client, random)
                            .filter(micros -> System.nanoTime() >= measuredFrom)
                            .ifPresent(micros -> {
                                visitMicros[worker][counts[worker]] = micros[0];
                                checkoutMicros[worker][counts[worker]++] = micros[1];
                            });
                }
            }));
        }
        Thread.sleep(leadInSeconds * 1_000L);
        final Optional<PostgresCpu.Mark> measuring = postgresCpu.map(PostgresCpu::mark);
        Thread.sleep(runSeconds * 1_000L);
        final OptionalDouble postgresCores = coresSince(measuring);
        stop.set(true);
        for (Thread thread : threads) {
            thread.join();
        }
        final double elapsed = (System.nanoTime() - measuredFrom) / 1e9;
        final Run run = new Run(
                shape,
                clientsCount,
                Arrays.stream(counts).asLongStream().sum(),
                elapsed,
                sorted(visitMicros, counts),
                sorted(checkoutMicros, counts),
                postgresCores);
        report(run);
        return run;
    }

    /**
     * Open loop: visits due at a fixed rate whatever the answers; latency counts from when each was
     * due. The visits of its first {@link #leadIn()} seconds run at the same rate but are not
     * counted.
     */
    private Run openLoop(String shape, String base, List<Client> clients, double perSecond)
            throws InterruptedException {
        final int leadInVisits = (int) (perSecond * leadIn());
        final int visits = (int) (perSecond * seconds);
        final long[] visitMicros = new long[visits];
        final long[] checkoutMicros = new long[visits];
        final AtomicInteger done = new AtomicInteger();
        final long started = System.nanoTime();
        final long measuredFrom = started + (long) (leadInVisits * 1e9 / perSecond);
        try (ExecutorService desks = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int index = 0; index < leadInVisits + visits; index++) {
                final long due = started + (long) (index * 1e9 / perSecond);
                final long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                final boolean measured = index >= leadInVisits;
                final SplittableRandom random = new SplittableRandom(index);
                desks.submit(() -> visit(base, clients.get(random.nextInt(clients.size())), random)
                        .filter(micros -> measured)
                        .ifPresent(micros -> {
                            final int slot = done.getAndIncrement();
                            visitMicros[slot] = (System.nanoTime() - due) / 1_000;
                            checkoutMicros[slot] = micros[1];
                        }));
            }
        }
        final double elapsed = (System.nanoTime() - measuredFrom) / 1e9;
        final int count = done.get();
        final Run run = new Run(
                shape,
                0,
                count,
                elapsed,
                sorted(new long[][] {visitMicros}, new int[] {count}),
                sorted(new long[][] {checkoutMicros}, new int[] {count}),
                OptionalDouble.empty());
        report(run);
        return run;
    }

    /**
     * pgbench TPC-B at {@code clients} for the run's seconds after its lead-in: its tps from the
     * progress lines it prints each second past the lead-in, PostgreSQL's CPU over the same span.
     */
    private Pgbench pgbench(DatabaseUrl server, int clients) throws IOException, InterruptedException {
        final List<String> command = BenchCommand.LedgerBench.pgbenchCommand(server, clients, leadIn() + seconds, true);
        final Process process =
                new ProcessBuilder(command).redirectErrorStream(true).start();
        final java.util.concurrent.CompletableFuture<String> output =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return BenchCommand.LedgerBench.outputOf(process, command);
                    } catch (IOException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
        Thread.sleep(leadIn() * 1_000L);
        final Optional<PostgresCpu.Mark> measuring = postgresCpu.map(PostgresCpu::mark);
        Thread.sleep(seconds * 1_000L);
        final OptionalDouble postgresCores = coresSince(measuring);
        final String printed = output.join();
        final Matcher progress =
                Pattern.compile("progress: ([0-9.]+) s, ([0-9.]+) tps").matcher(printed);
        final List<Double> counted = new ArrayList<>();
        while (progress.find()) {
            if (Double.parseDouble(progress.group(1)) > leadIn()) {
                counted.add(Double.parseDouble(progress.group(2)));
            }
        }
        if (counted.isEmpty()) {
            throw new IllegalStateException("pgbench printed no progress after its lead-in:\n" + printed);
        }
        final Pgbench run = new Pgbench(
                counted.stream().mapToDouble(Double::doubleValue).average().orElseThrow(), postgresCores);
        System.out.printf(
                "  pgbench TPC-B scale 10, %2d clients: %8.0f tps%s%n",
                clients, run.tps(), postgresEach(run.postgresMillisEach()));
        return run;
    }

    private OptionalDouble coresSince(Optional<PostgresCpu.Mark> mark) {
        return mark.stream()
                .mapToDouble(from -> postgresCpu.orElseThrow().coresSince(from))
                .findFirst();
    }

    /** ", PostgreSQL N ms CPU each" where it was measured. */
    private static String postgresEach(OptionalDouble millis) {
        return millis.isPresent() ? ", PostgreSQL %.2f ms CPU each".formatted(millis.getAsDouble()) : "";
    }

    private static long[] sorted(long[][] perWorker, int[] counts) {
        final long[] all = new long[Arrays.stream(counts).sum()];
        int offset = 0;
        for (int worker = 0; worker < perWorker.length; worker++) {
            System.arraycopy(perWorker[worker], 0, all, offset, counts[worker]);
            offset += counts[worker];
        }
        Arrays.sort(all);
        return all;
    }

    private static void report(Run run) {
        System.out.printf(
                "  %-24s %2s clients: %6.0f checkouts/s  visit p50 %6.2f p99 %7.2f ms  checkout p99 %7.2f ms%s%n",
                run.shape(),
                run.clients() == 0 ? "-" : String.valueOf(run.clients()),
                run.perSecond(),
                run.visitMillis(50),
                run.visitMillis(99),
                run.checkoutMillis(99),
                postgresEach(run.postgresMillisEach()));
    }

    /** P5: growth of the ledger's tables and indexes over open payments (two postings each) sent over HTTP. */
    private long storagePerEntry(Database db, String base, List<Client> clients) throws Exception {
        final int entries = quick ? 2_000 : 10_000;
        final String sizeSql = "select pg_total_relation_size('journal_entries') + pg_total_relation_size('postings')";
        final long before = db.jdbi()
                .withHandle(
                        handle -> handle.createQuery(sizeSql).mapTo(Long.class).one());
        final AtomicInteger written = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            for (int index = 0; index < entries; index++) {
                final Client client = clients.get(index % clients.size());
                pool.submit(() -> {
                    if (answered(
                            post(
                                    base,
                                    client.apiKey(),
                                    "/api/v1/clients/" + client.id() + "/open-payments",
                                    "{\"amountMinor\": 2500, \"currency\": \"USD\", \"tender\": \"cash\"}"),
                            201)) {
                        written.incrementAndGet();
                    }
                });
            }
        }
        final long after = db.jdbi()
                .withHandle(
                        handle -> handle.createQuery(sizeSql).mapTo(Long.class).one());
        return (after - before) / Math.max(1, written.get());
    }

    private static double postingsPerCheckout(Database db) {
        return db.jdbi()
                .withHandle(handle -> handle.createQuery("""
                                select count(*)::numeric / nullif(count(distinct p.entry_id), 0)
                                from postings p join journal_entries e on e.business_id = p.business_id and e.id = p.entry_id
                                where e.kind = 'checkout'
                                """)
                        .mapTo(java.math.BigDecimal.class)
                        .one()
                        .doubleValue());
    }

    /**
     * P4 on the database of {@code bench reports} (its 10M-posting business made there if
     * missing), with the long-history client of {@code bench history} beside it: Settle started
     * on it, one client reading the balances with the newest 50 rows (one request), then /health, 2,000 times once warm.
     */
    private HistoryRead history() throws Exception {
        final int movements = 100_000;
        final Clients.Client client;
        final String apiKey;
        final long databasePostings;
        try (Database big = bench.open(2)) {
            ReportBench.generated(big, historyPostings);
            client = HistoryBench.clientWithHistory(big, movements);
            apiKey = big.jdbi()
                    .inTransaction(handle -> new ApiKeys().create(handle, client.businessId(), "bench http"))
                    .key();
            databasePostings = big.jdbi()
                    .withHandle(handle -> handle.createQuery("select count(*) from postings")
                            .mapTo(Long.class)
                            .one());
        }
        final int reads = 2_000;
        final long[] pageMicros = new long[reads];
        final long[] healthMicros = new long[reads];
        try (SettleProcess app = SettleProcess.start(
                SettleProcess.freePort(),
                Optional.of(bench.urlOf("settle_bench")),
                Files.createTempDirectory("settle-bench-history"))) {
            final String page = "/api/v1/clients/" + client.id() + "/history?limit=50";
            // A fresh instance compiles its code and runs its first jobs over the big database (the
            // tender summary catching up): reads count once 20 s have passed and its JIT compilers
            // are nearly idle, as on a Settle already running.
            final long startedAt = System.nanoTime();
            SettleProcess.CompilerMark window = app.compilerMark();
            boolean measuring = false;
            int read = 0;
            while (read < reads) {
                final long started = System.nanoTime();
                if (!measuring
                        && started - window.nanos()
                                >= Duration.ofSeconds(WARM_UP_WINDOW_SECONDS).toNanos()) {
                    final long warming = Duration.ofNanos(started - startedAt).toSeconds();
                    measuring = warming >= 20 && compilerShare(app, window) < WARM_COMPILER_SHARE
                            || warming >= WARM_UP_MAX_SECONDS;
                    if (measuring) {
                        System.out.printf("  long history: warmed %d s%n", warming);
                    }
                    window = app.compilerMark();
                }
                final boolean answered = answered(get(app.base(), apiKey, page), 200);
                final long between = System.nanoTime();
                final boolean healthy = answered(get(app.base(), apiKey, "/health"), 200);
                final long done = System.nanoTime();
                if (measuring && answered && healthy) {
                    pageMicros[read] = (between - started) / 1_000;
                    healthMicros[read++] = (done - between) / 1_000;
                }
            }
        }
        Arrays.sort(pageMicros);
        Arrays.sort(healthMicros);
        final HistoryRead read = new HistoryRead(databasePostings, movements, pageMicros, healthMicros);
        System.out.printf(
                "  long history (%,d postings in the database): balances + newest 50 rows p99 %.2f ms, /health p99 %.2f ms%n",
                databasePostings,
                BenchCommand.LedgerBench.percentile(pageMicros, 99) / 1000.0,
                BenchCommand.LedgerBench.percentile(healthMicros, 99) / 1000.0);
        return read;
    }

    private boolean answered(DeskConnections.Reply reply, int status) {
        if (reply != null && reply.status() == status) {
            return true;
        }
        refused.incrementAndGet();
        refusals.add(reply == null ? "no answer" : reply.status() + " " + reply.body());
        return false;
    }

    private DeskConnections.Reply post(String base, String apiKey, String path, String body) {
        return send(
                base,
                "POST",
                path,
                apiKey,
                Optional.of(java.util.UUID.randomUUID().toString()),
                body);
    }

    private DeskConnections.Reply get(String base, String apiKey, String path) {
        return send(base, "GET", path, apiKey, Optional.empty(), "");
    }

    /** The answer, or null when there was none (counted as refused by the caller). */
    private DeskConnections.Reply send(
            String base, String method, String path, String apiKey, Optional<String> idempotencyKey, String body) {
        return connections
                .computeIfAbsent(base, url -> new DeskConnections(url, DeskConnections.DESK_TIMEOUT))
                .send(method, path, apiKey, idempotencyKey, body)
                .orElse(null);
    }

    private static JsonNode json(String body) {
        try {
            return Json.mapper().readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + body, e);
        }
    }

    /** The highest resident memory of a Settle process, sampled every 100 ms while open. */
    private static final class ResidentPeak implements AutoCloseable {
        private final AtomicLong peak = new AtomicLong();
        private final Thread sampler;

        ResidentPeak(SettleProcess app) {
            sampler = Thread.ofPlatform().daemon().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    app.residentBytes().ifPresent(bytes -> peak.accumulateAndGet(bytes, Math::max));
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        long peakBytes() {
            return peak.get();
        }

        @Override
        public void close() {
            sampler.interrupt();
        }
    }
}

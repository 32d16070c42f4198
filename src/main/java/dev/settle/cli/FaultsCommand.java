package dev.settle.cli;

import dev.settle.App;
import dev.settle.business.ApiKeys;
import dev.settle.business.Businesses;
import dev.settle.db.Database;
import dev.settle.db.DatabaseUrl;
import dev.settle.ledger.Ledger;
import dev.settle.ledger.Verifier;
import dev.settle.web.WebServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code faults}: tries to lose, duplicate or leak money through the API of a running Settle (in
 * this process, on a fresh database {@code settle_faults} on the server), prints a table of what
 * it tried and what went wrong, and exits 1 on anything that did. See docs/reliability.md.
 */
@Command(name = "faults", description = "Try to lose, duplicate or leak money through the API; exit 1 if any was.")
public final class FaultsCommand implements Callable<Integer> {
    private static final int CONCURRENCY = 32;

    @Mixin
    BenchServer bench;

    @Option(names = "--short", description = "A minute or two, as CI runs it (fewer requests).")
    boolean quick;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for the generated requests.")
    long seed;

    private static final java.time.Duration ANSWER_TIMEOUT = java.time.Duration.ofSeconds(120);

    private DeskConnections desk;

    /** One line of the table: what was tried, and what went wrong. */
    record Row(
            String check,
            long attempts,
            long losses,
            long duplicates,
            long negatives,
            long serverErrors,
            long leaks,
            long wrongAnswers) {
        boolean failed() {
            return losses + duplicates + negatives + serverErrors + leaks + wrongAnswers > 0;
        }
    }

    /** A business the run made, with its API key and one client. */
    record Tenant(long businessId, String apiKey, long clientId, String clientName) {}

    @Override
    public Integer call() throws Exception {
        final DatabaseUrl server = bench.server();
        recreate(server, "settle_faults");
        final Path dataFolder = Files.createTempDirectory("settle-faults");
        final List<Row> rows = new ArrayList<>();
        final Verifier.Report report;
        try (Database db = Database.connect(server.withDatabase("settle_faults"), 8)) {
            db.migrate();
            final Tenant salon;
            final App.Options fromEnvironment = App.Options.fromEnvironment(dataFolder);
            // Webhook endpoints on this machine, so the tenant checks have one to ask about.
            final App.Options options = new App.Options(
                    fromEnvironment.mail(),
                    fromEnvironment.secrets(),
                    fromEnvironment.stripeApiBase(),
                    new App.WebhookPolicy(true, true));
            try (App app = App.start(db, 0, options)) {
                final String base = "http://127.0.0.1:" + app.port();
                // R4 sends 32 statement PDFs at once now and then; one of 2,000 movements takes 2–4 s
                // to make alone, so their answers can take over the bench's 30 s. Slow is not lost.
                desk = new DeskConnections(base, ANSWER_TIMEOUT);
                salon = tenant(db, "Faults salon", "Ana Secret-Salon");
                final Tenant spa = tenant(db, "Faults spa", "Ben Secret-Spa");
                System.out.printf("faults: %s mode, seed %d, %s%n", quick ? "short" : "full", seed, base);
                rows.add(new IdempotencyCheck(this, db, salon, quick ? 2_000 : 10_000, seed).run());
                rows.add(new DrainCheck(this, db, salon, quick ? 300 : 2_000).run());
                rows.add(new BadInputCheck(this, db, salon, quick ? 2_000 : 10_000, seed).run());
                rows.add(new TenantCheck(this, db, salon, spa).run());
            }
            rows.add(new RoleCheck(server, db).run());
            rows.add(new KillCheck(bench, db, salon, quick ? 3 : 20, quick ? 1 : 5, quick ? 8 : 32).run());
            rows.add(new DumpRestoreCheck(server, db).run());
            report = db.jdbi().withHandle(new Verifier()::verify);
        }
        print(rows);
        System.out.println("verify: " + report.summary());
        report.violations().forEach(violation -> System.out.println("VIOLATION " + violation));
        final boolean failed = !report.ok() || rows.stream().anyMatch(Row::failed);
        System.out.println(failed ? "faults: FAILED" : "faults: nothing lost, duplicated or leaked");
        return failed ? 1 : 0;
    }

    private Tenant tenant(Database db, String name, String clientName) {
        final String apiKey = db.jdbi()
                .inTransaction(handle -> new Businesses(new Ledger(), new ApiKeys())
                        .create(handle, name, "USD", "America/New_York", "owner@faults.example")
                        .apiKey());
        final DeskConnections.Reply business = send("GET", "/api/v1/business", apiKey, null, null);
        final DeskConnections.Reply client =
                send("POST", "/api/v1/clients", apiKey, "{\"name\": \"" + clientName + "\"}", null);
        // An endpoint for the tenant checks to ask about, disabled so nothing is sent to it.
        final DeskConnections.Reply endpoint =
                send("POST", "/api/v1/webhook-endpoints", apiKey, "{\"url\": \"http://127.0.0.1:9/settle\"}", null);
        send(
                "POST",
                "/api/v1/webhook-endpoints/" + endpoint.json().get("id").asLong() + "/disable",
                apiKey,
                null,
                null);
        return new Tenant(
                business.json().get("id").asLong(),
                apiKey,
                client.json().get("id").asLong(),
                clientName);
    }

    /**
     * One API request; no answer (connection refused or closed) is status 0. Sent with the bench's
     * client, which reads an answer the server sent before the body was all sent; Java's {@code
     * HttpClient} drops it when the server then closes, and counted a 400 as no answer.
     */
    DeskConnections.Reply send(String method, String path, String apiKey, String body, String idempotencyKey) {
        return desk.send(method, path, apiKey, Optional.ofNullable(idempotencyKey), body == null ? "" : body)
                .orElse(new DeskConnections.Reply(0, "no answer: the connection was refused or closed"));
    }

    /** Runs {@code count} calls of {@code call} from {@link #CONCURRENCY} threads at once. */
    static void concurrently(int count, java.util.function.IntConsumer call) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY)) {
            final List<Future<?>> done = new ArrayList<>();
            for (int index = 0; index < count; index++) {
                final int request = index;
                done.add(pool.submit(() -> call.accept(request)));
            }
            for (Future<?> future : done) {
                future.get();
            }
        }
    }

    /** The API routes as {method, path with ids filled from {@code ids}, path as in the table}. */
    static List<String[]> apiRoutes(Map<String, Long> ids) {
        final List<String[]> routes = new ArrayList<>();
        for (WebServer.Route route : WebServer.routes()) {
            if (!route.path().startsWith("/api/")) {
                continue;
            }
            String path = route.path();
            for (Map.Entry<String, Long> id : ids.entrySet()) {
                path = path.replace("{" + id.getKey() + "}", String.valueOf(id.getValue()));
            }
            // An id kind the run has none of (a new route's, say) still gets a well-formed id.
            path = path.replaceAll("\\{[^/]+}", "1");
            routes.add(new String[] {route.method().name(), path, route.path()});
        }
        return routes;
    }

    /**
     * Ids of the tenant's own things, one of each kind a route names, so requests reach the
     * handlers rather than a 404 (an id kind with none yet gets 1).
     */
    static Map<String, Long> idsOf(Database db, Tenant tenant) {
        return db.jdbi()
                .withHandle(handle -> handle.createQuery("""
                        select (select min(id) from invoices where business_id = :b) as invoice,
                               (select min(id) from gift_cards where business_id = :b) as gift_card,
                               (select max(id) from journal_entries where business_id = :b) as entry,
                               (select min(id) from accounts where business_id = :b and client_id is not null) as account,
                               (select min(id) from invoice_payments where business_id = :b) as payment,
                               (select min(id) from webhook_endpoints where business_id = :b) as endpoint
                        """)
                        .bind("b", tenant.businessId())
                        .map((rs, ctx) -> Map.of(
                                "clientId", tenant.clientId(),
                                "invoiceId", rs.getLong("invoice"),
                                "giftCardId", rs.getLong("gift_card"),
                                "entryId", rs.getLong("entry"),
                                "accountId", rs.getLong("account"),
                                "paymentId", rs.getLong("payment"),
                                "endpointId", rs.getLong("endpoint")))
                        .one());
    }

    /** The client's open payments received, counted by amount (checks give each request its own). */
    static Map<Long, Long> openPaymentsByAmount(Database db, Tenant tenant) {
        return db.jdbi()
                .withHandle(handle -> handle.createQuery("""
                        select -p.amount_minor, count(*)
                        from journal_entries e
                        join postings p on p.business_id = e.business_id and p.entry_id = e.id
                        join accounts a on a.business_id = p.business_id and a.id = p.account_id
                                       and a.kind = 'open_payments'
                        where e.business_id = :business_id and e.client_id = :client_id and e.kind = 'open_payment'
                        group by 1
                        """)
                        .bind("business_id", tenant.businessId())
                        .bind("client_id", tenant.clientId())
                        .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getLong(2)))
                        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    }

    /** A count per label, for checks that tally what they saw. */
    static final class Tally {
        private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

        void add(String label) {
            counts.computeIfAbsent(label, key -> new AtomicLong()).incrementAndGet();
        }

        long get(String label) {
            final AtomicLong count = counts.get(label);
            return count == null ? 0 : count.get();
        }
    }

    static <T> List<T> shuffled(List<T> items, Random random) {
        final List<T> copy = new ArrayList<>(items);
        Collections.shuffle(copy, random);
        return copy;
    }

    static void recreate(DatabaseUrl server, String name) throws SQLException {
        try (var connection = server.withDatabase("postgres").connect();
                var statement = connection.createStatement()) {
            statement.execute("drop database if exists " + name + " with (force)");
            statement.execute("create database " + name);
        }
    }

    private static void print(List<Row> rows) {
        System.out.println();
        System.out.println("| check | attempts | losses | duplicates | negatives | 5xx | leaks | wrong answers |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (Row row : rows) {
            System.out.printf(
                    "| %s | %,d | %d | %d | %d | %d | %d | %d |%n",
                    row.check(),
                    row.attempts(),
                    row.losses(),
                    row.duplicates(),
                    row.negatives(),
                    row.serverErrors(),
                    row.leaks(),
                    row.wrongAnswers());
        }
        System.out.println();
    }
}

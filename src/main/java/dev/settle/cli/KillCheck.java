package dev.settle.cli;

import dev.settle.db.Database;
import dev.settle.web.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * R1: writers post open payments, each with its own Idempotency-Key and amount, retrying a key
 * until it is answered 2xx, while Settle (a separate process here, running as the app role of
 * db/app-role.sql) is killed with SIGKILL and
 * started again, and PostgreSQL's backend serving it is killed with SIGKILL (the server then
 * recovers from its write-ahead log, as after a crash). Every key answered 2xx must be in the
 * ledger exactly once, and asking again with each key must give the original answer.
 */
final class KillCheck {
    /** Key n pays AMOUNT_BASE + n, above any other check's amounts, so the entries say which key made them. */
    private static final long AMOUNT_BASE = 10_000_000;

    private final BenchServer bench;
    private final Database db;
    private final FaultsCommand.Tenant tenant;
    private final int appKills;
    private final int databaseKills;
    private final int writers;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();

    KillCheck(
            BenchServer bench, Database db, FaultsCommand.Tenant tenant, int appKills, int databaseKills, int writers) {
        this.bench = bench;
        this.db = db;
        this.tenant = tenant;
        this.appKills = appKills;
        this.databaseKills = databaseKills;
        this.writers = writers;
    }

    FaultsCommand.Row run() throws Exception {
        final int port = SettleProcess.freePort();
        final String base = "http://127.0.0.1:" + port;
        final Path dataFolder = Files.createTempDirectory("settle-faults-r1");
        final Map<String, Long> answered = new ConcurrentHashMap<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger next = new AtomicInteger();
        SettleProcess app = start(port, dataFolder);
        try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            for (int writer = 0; writer < writers; writer++) {
                pool.submit(() -> {
                    while (!stop.get()) {
                        final int key = next.incrementAndGet();
                        answered.put("r1-" + key, sendUntilAnswered(base, key));
                    }
                    return null;
                });
            }
            final int kills = appKills + databaseKills;
            for (int kill = 0; kill < kills; kill++) {
                Thread.sleep(1_500);
                // The database kills spread evenly among the app's.
                if ((kill + 1) * databaseKills / kills > kill * databaseKills / kills) {
                    killDatabaseBackend();
                } else {
                    app.kill();
                    app = start(port, dataFolder);
                }
            }
            Thread.sleep(1_500);
            stop.set(true);
        }
        long wrongAnswers = 0;
        for (Map.Entry<String, Long> key : answered.entrySet()) {
            final int amount = Integer.parseInt(key.getKey().substring(3));
            if (sendUntilAnswered(base, amount) != key.getValue()) {
                wrongAnswers++;
            }
        }
        app.close();
        final Map<Long, Long> entriesByAmount = new java.util.HashMap<>();
        FaultsCommand.openPaymentsByAmount(db, tenant).forEach((amount, count) -> {
            if (amount > AMOUNT_BASE) {
                entriesByAmount.put(amount - AMOUNT_BASE, count);
            }
        });
        long losses = 0;
        long duplicates = 0;
        for (String key : answered.keySet()) {
            final long made = entriesByAmount.getOrDefault(Long.parseLong(key.substring(3)), 0L);
            losses += made == 0 ? 1 : 0;
            duplicates += Math.max(0, made - 1);
        }
        // An entry no 2xx answered is fine only if its key was still being retried: there is none.
        duplicates += entriesByAmount.keySet().stream()
                .filter(amount -> !answered.containsKey("r1-" + amount))
                .count();
        return new FaultsCommand.Row(
                "R1 %d writers, Settle killed %d and PostgreSQL %d times (SIGKILL)"
                        .formatted(writers, appKills, databaseKills),
                answered.size(),
                losses,
                duplicates,
                0,
                0,
                0,
                wrongAnswers);
    }

    /** Posts key's open payment until some answer is 2xx (the app may be dead or starting); its entry id. */
    private long sendUntilAnswered(String base, int key) throws InterruptedException {
        final Instant giveUp = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(giveUp)) {
            try {
                final HttpResponse<String> reply = http.send(
                        HttpRequest.newBuilder(
                                        URI.create(base + "/api/v1/clients/" + tenant.clientId() + "/open-payments"))
                                .timeout(Duration.ofSeconds(10))
                                .header("Authorization", "Bearer " + tenant.apiKey())
                                .header("Content-Type", "application/json")
                                .header("Idempotency-Key", "r1-" + key)
                                .POST(HttpRequest.BodyPublishers.ofString("{\"amountMinor\": " + (AMOUNT_BASE + key)
                                        + ", \"currency\": \"USD\", \"tender\": \"card\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (reply.statusCode() / 100 == 2) {
                    return Json.mapper().readTree(reply.body()).get("entryId").asLong();
                }
            } catch (IOException e) {
                // dead or starting: try again
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("key r1-" + key + " was never answered 2xx");
    }

    /** As the role R6 made: the app must need nothing more. */
    private SettleProcess start(int port, Path dataFolder) throws IOException, InterruptedException {
        return SettleProcess.start(port, Optional.of(bench.urlOf("settle_faults", RoleCheck.ROLE)), dataFolder);
    }

    /** SIGKILL to one backend of the server: PostgreSQL stops every session and recovers, as after a crash. */
    private void killDatabaseBackend() throws IOException, InterruptedException {
        final List<Long> backends = db.jdbi()
                .withHandle(handle -> handle.createQuery("""
                        select pid from pg_stat_activity
                        where datname = 'settle_faults' and pid <> pg_backend_pid() and backend_type = 'client backend'
                        """).mapTo(Long.class).list());
        if (backends.isEmpty()) {
            return;
        }
        new ProcessBuilder("kill", "-9", String.valueOf(backends.getFirst()))
                .inheritIO()
                .start()
                .waitFor();
        // Wait out the recovery before the next kill.
        final Instant giveUp = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(giveUp)) {
            try {
                db.jdbi()
                        .withHandle(handle -> handle.createQuery("select 1")
                                .mapTo(Integer.class)
                                .one());
                return;
            } catch (RuntimeException e) {
                Thread.sleep(200);
            }
        }
    }
}

package dev.settle.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.settle.Settle;
import dev.settle.business.ApiKeys;
import dev.settle.business.Businesses;
import dev.settle.db.Database;
import dev.settle.ledger.AccountKind;
import dev.settle.ledger.EntryRequest;
import dev.settle.ledger.Ledger;
import dev.settle.ledger.PostingRequest;
import dev.settle.support.TestDatabase;
import dev.settle.web.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CliTest {

    @Test
    void businessCreatePrintsTheNewBusinessWithAnOwnerPasswordAndAWorkingApiKey() throws Exception {
        final Path dataDir = TestDatabase.tempDirectory("settle-cli");
        final Output created = run(
                "business",
                "create",
                "--data-dir",
                dataDir.toString(),
                "--name",
                "Paws & Claws",
                "--currency",
                "EUR",
                "--time-zone",
                "Europe/Berlin",
                "--owner-email",
                "owner@paws.example");

        assertThat(created.exitCode()).as(created.err()).isZero();
        final JsonNode json = Json.mapper().readTree(created.out());
        assertThat(json.get("businessId").asLong()).isPositive();
        assertThat(json.get("currency").asText()).isEqualTo("EUR");
        assertThat(json.at("/owner/password").asText()).hasSizeGreaterThanOrEqualTo(20);
        assertThat(json.get("apiKey").asText()).startsWith("settle_");

        final Output verified = run("verify", "--data-dir", dataDir.toString());
        assertThat(verified.exitCode()).isZero();
        assertThat(verified.out()).contains("all invariants hold");

        final Output refused = run(
                "business",
                "create",
                "--data-dir",
                dataDir.toString(),
                "--name",
                "X",
                "--currency",
                "usd",
                "--time-zone",
                "UTC",
                "--owner-email",
                "a@b.example");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("--currency");
    }

    @Test
    void aSecondStartOnTheSameDataKeepsEveryBalance() {
        final Path dataDir = TestDatabase.tempDirectory("settle-restart");
        final Ledger ledger = new Ledger();
        final long businessId;
        final long cash;
        try (Database first = Database.embedded(dataDir, 2)) {
            first.migrate();
            final Businesses businesses = new Businesses(ledger, new ApiKeys());
            businessId = first.jdbi()
                    .inTransaction(handle -> businesses
                            .create(handle, "Salon", "USD", "UTC", "owner@salon.example")
                            .business()
                            .id());
            cash = first.jdbi().withHandle(handle -> businesses.accountId(handle, businessId, AccountKind.CASH));
            final long sales =
                    first.jdbi().withHandle(handle -> businesses.accountId(handle, businessId, AccountKind.SALES));
            first.jdbi()
                    .useTransaction(handle -> ledger.post(
                            handle,
                            EntryRequest.bySystem(
                                    businessId,
                                    "checkout",
                                    List.of(
                                            PostingRequest.debit(cash, 123_45),
                                            PostingRequest.credit(sales, 123_45)))));
        }
        try (Database second = Database.embedded(dataDir, 2)) {
            second.migrate();
            assertThat(second.jdbi()
                            .withHandle(handle -> ledger.account(handle, businessId, cash))
                            .orElseThrow()
                            .balanceMinor())
                    .isEqualTo(123_45);
        }
    }

    @Test
    void aSettleKilledWithoutShutdownKeepsWhatItCommittedAndDoesNotBlockTheNextStart() throws Exception {
        final Path dataDir = TestDatabase.tempDirectory("settle-killed");
        final JsonNode created = Json.mapper()
                .readTree(run(
                                "business",
                                "create",
                                "--data-dir",
                                dataDir.toString(),
                                "--name",
                                "Salon",
                                "--currency",
                                "USD",
                                "--time-zone",
                                "UTC",
                                "--owner-email",
                                "o@salon.example")
                        .out());
        final int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        final Process settle = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElseThrow(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        Settle.class.getName(),
                        "serve",
                        "--port",
                        String.valueOf(port),
                        "--data-dir",
                        dataDir.toString())
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("serve.log").toFile())
                .start();
        try {
            final var http = java.net.http.HttpClient.newHttpClient();
            final var base = "http://localhost:" + port;
            waitForHealth(http, base);
            final var clientReply = http.send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/api/v1/clients"))
                            .header(
                                    "Authorization",
                                    "Bearer " + created.get("apiKey").asText())
                            .header("Content-Type", "application/json")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"name\": \"Ana\"}"))
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(clientReply.statusCode()).isEqualTo(201);
        } finally {
            settle.destroyForcibly().waitFor(); // kill -9: no shutdown hook runs
        }

        try (Database restarted = Database.embedded(dataDir.resolve("postgres"), 2)) {
            final long clients = restarted
                    .jdbi()
                    .withHandle(handle -> handle.createQuery("select count(*) from clients")
                            .mapTo(Long.class)
                            .one());
            assertThat(clients).isEqualTo(1L);
        }
    }

    @Test
    void aSecondSettleOnADataFolderInUseIsRefusedAndTheFirstKeepsRunning() {
        final Path dataDir = TestDatabase.tempDirectory("settle-in-use");
        try (Database first = Database.embedded(dataDir, 2)) {
            assertThatThrownBy(() -> Database.embedded(dataDir, 2))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("another Settle is running");
            assertThat(first.isReachable()).isTrue();
        }
    }

    @Test
    void theBenchmarkRefusesAnOpenLoopRateItCannotRunBeforeItTouchesAnything() {
        for (String rate : List.of("0", "-5", "NaN", "1e9")) {
            final Output refused = run("bench", "http", "--open-loop-rate", rate);
            assertThat(refused.exitCode()).as(rate).isEqualTo(2);
            assertThat(refused.err()).as(rate).contains("--open-loop-rate must be above 0 and at most 100000");
        }
    }

    private static void waitForHealth(java.net.http.HttpClient http, String base) throws InterruptedException {
        for (int attempt = 0; attempt < 300; attempt++) {
            try {
                if (http.send(
                                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/health"))
                                                .build(),
                                        java.net.http.HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        throw new AssertionError("Settle did not become healthy");
    }

    private record Output(int exitCode, String out, String err) {}

    private static Output run(String... args) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream originalOut = System.out;
        final PrintStream originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            final int code = Settle.commandLine().execute(args);
            return new Output(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }
}

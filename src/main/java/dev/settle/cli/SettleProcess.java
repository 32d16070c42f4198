package dev.settle.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Settle run as people run it: {@code ./settle serve}, a process of its own with the script's
 * JVM options (the script execs Java, so the process is Java's). The benchmark and the fault
 * harness measure and kill it.
 */
final class SettleProcess implements AutoCloseable {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final String base;
    private final Duration startedIn;

    private SettleProcess(Process process, String base, Duration startedIn) {
        this.process = process;
        this.base = base;
        this.startedIn = startedIn;
    }

    /** A port nothing listens on now. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * Starts Settle on {@code port} and waits for its /health to answer 200. Without a database
     * URL it starts its embedded PostgreSQL in {@code dataFolder}, which also holds its log.
     */
    static SettleProcess start(int port, Optional<String> databaseUrl, Path dataFolder)
            throws IOException, InterruptedException {
        final Path jar;
        try {
            jar = Path.of(SettleProcess.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot tell where settle.jar is", e);
        }
        // The script beside target/ (./settle), so Settle runs with the JVM options people run it with.
        final Path script = jar.toAbsolutePath().getParent().resolveSibling("settle");
        if (!Files.isExecutable(script)) {
            throw new IllegalStateException("no " + script + ": run this from a checkout of Settle, built");
        }
        Files.createDirectories(dataFolder);
        final Path log = dataFolder.resolve("serve.log");
        final ProcessBuilder builder = new ProcessBuilder(List.of(script.toString(), "serve", "--port", "" + port))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().remove("DATABASE_URL");
        databaseUrl.ifPresent(url -> builder.environment().put("DATABASE_URL", url));
        builder.environment().put("SETTLE_DATA_DIR", dataFolder.toString());
        // Never rebuilt under this JVM, which runs from the same jar.
        builder.environment().put("SETTLE_NO_BUILD", "1");
        final long started = System.nanoTime();
        final Process process = builder.start();
        final String base = "http://127.0.0.1:" + port;
        final long giveUp = started + Duration.ofSeconds(90).toNanos();
        try {
            while (System.nanoTime() < giveUp && process.isAlive()) {
                try {
                    final HttpResponse<Void> health = HTTP.send(
                            HttpRequest.newBuilder(URI.create(base + "/health"))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (health.statusCode() == 200) {
                        return new SettleProcess(process, base, Duration.ofNanos(System.nanoTime() - started));
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            stop(process);
            throw e;
        }
        stop(process);
        throw new IllegalStateException("Settle did not start; see " + log);
    }

    String base() {
        return base;
    }

    /** From the process's start to its first 200 on /health. */
    Duration startedIn() {
        return startedIn;
    }

    /** The process's resident memory now, in bytes (Linux), or empty where /proc does not say. */
    Optional<Long> residentBytes() {
        try {
            return Files.readAllLines(Path.of("/proc/" + process.pid() + "/status")).stream()
                    .filter(line -> line.startsWith("VmRSS:"))
                    .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024)
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** CPU time the JVM's JIT compiler threads have used so far (Linux; zero where /proc does not say). */
    private Duration compilerTime() {
        final List<Path> threads;
        try (java.util.stream.Stream<Path> listed = Files.list(Path.of("/proc/" + process.pid() + "/task"))) {
            threads = listed.toList();
        } catch (IOException e) {
            return Duration.ZERO;
        }
        // A thread that ended while being read (the JVM stops idle compiler threads) is left out; the rest still count.
        return ProcStat.duration(threads.stream()
                .flatMap(thread -> ProcStat.read(thread.resolve("stat")).stream())
                .filter(fields -> fields.get(ProcStat.NAME).matches("C[12] Compiler.*"))
                .mapToLong(fields -> ProcStat.ticks(fields, false))
                .sum());
    }

    /** The JIT compilers' CPU time at a moment, to tell how busy they have been since. */
    record CompilerMark(Duration compiled, long nanos) {}

    CompilerMark compilerMark() {
        return new CompilerMark(compilerTime(), System.nanoTime());
    }

    /** CPU time the JIT compilers have used since {@code mark}. */
    Duration compilerTimeSince(CompilerMark mark) {
        return compilerTime().minus(mark.compiled());
    }

    /** SIGKILL, as a crash. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** SIGTERM: Settle finishes what it was doing and stops its embedded PostgreSQL, if any. */
    @Override
    public void close() throws InterruptedException {
        stop(process);
    }

    /** SIGTERM, and SIGKILL if it has not stopped in 30 s. */
    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}

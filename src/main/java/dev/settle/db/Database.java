package dev.settle.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    private final HikariDataSource dataSource;
    private final Optional<EmbeddedPostgres> embedded;
    private final Jdbi jdbi;

    private Database(HikariDataSource dataSource, Optional<EmbeddedPostgres> embedded) {
        this.dataSource = dataSource;
        this.embedded = embedded;
        this.jdbi = Jdbi.create(dataSource).installPlugin(new PostgresPlugin());
    }

    /** Connects to the server at {@code url}. */
    public static Database connect(DatabaseUrl url, int poolSize) {
        return new Database(pool(url, poolSize), Optional.empty());
    }

    /** Starts (or restarts, keeping its data) an embedded PostgreSQL in {@code dataDirectory}. */
    public static Database embedded(Path dataDirectory, int poolSize) {
        final EmbeddedPostgres postgres = startEmbedded(dataDirectory);
        try {
            final DatabaseUrl url = DatabaseUrl.parse(postgres.getJdbcUrl("postgres", "postgres"));
            return new Database(pool(url, poolSize), Optional.of(postgres));
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

    public Jdbi jdbi() {
        return jdbi;
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
        // Start even when the server is down, so /health can say so instead of the process dying.
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }

    private static EmbeddedPostgres startEmbedded(Path dataDirectory) {
        try {
            Files.createDirectories(dataDirectory);
            log.info("starting embedded PostgreSQL with data in {}", dataDirectory.toAbsolutePath());
            return EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // Settle stops it itself on exit; a second hook would race ours.
                    .setRegisterShutdownHook(false)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start embedded PostgreSQL in " + dataDirectory, e);
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

package dev.settle.support;

import dev.settle.db.Database;
import dev.settle.db.DatabaseUrl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The real PostgreSQL every test runs on: the server named by {@code SETTLE_TEST_DATABASE_URL}
 * (a fresh database on it, dropped afterwards), else an embedded one in a temporary folder. One
 * per test run; tests keep apart by creating their own businesses, as tenants do.
 */
public final class TestDatabase {
    private static Database instance;

    private TestDatabase() {}

    public static synchronized Database get() {
        if (instance == null) {
            instance = start();
            instance.migrate();
            final Database started = instance;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close));
        }
        return instance;
    }

    private static Database start() {
        final String url = System.getenv("SETTLE_TEST_DATABASE_URL");
        if (url == null || url.isBlank()) {
            try {
                return Database.embedded(
                        Files.createTempDirectory("settle-test-pg"), 40, Database.Durability.THROWAWAY);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        final DatabaseUrl server = DatabaseUrl.parse(url);
        final String name =
                "settle_test_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
        admin(server, "create database " + name);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> admin(server, "drop database if exists " + name + " with (force)")));
        return Database.connect(server.withDatabase(name), 40);
    }

    /** A fresh temporary folder (for tests that start their own embedded server). */
    public static Path tempDirectory(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void admin(DatabaseUrl server, String sql) {
        try (var connection = server.withDatabase("postgres").connect();
                var statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("could not run " + sql, e);
        }
    }

    /** What {@code verify} finds wrong in the whole test database: empty when every invariant holds. */
    public static java.util.List<String> violations() {
        return get().jdbi().withHandle(new dev.settle.ledger.Verifier()::verify).violations();
    }
}

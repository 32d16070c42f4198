package dev.settle.cli;

import dev.settle.db.Database;
import dev.settle.db.DatabaseUrl;
import java.sql.SQLException;
import picocli.CommandLine.Option;

/** The PostgreSQL server a benchmark measures; Settle's side of it lives in database settle_bench. */
final class BenchServer {
    @Option(
            names = "--database-url",
            defaultValue = "${env:DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}",
            description = "Server to measure; Settle uses database settle_bench on it (bench ledger also"
                    + " settle_pgbench for pgbench).")
    String databaseUrl;

    DatabaseUrl server() {
        return DatabaseUrl.parse(databaseUrl);
    }

    /** The URL of another database on the same server, as another user, as DATABASE_URL takes it. */
    String urlOf(String database, String user) {
        final java.net.URI url = java.net.URI.create(databaseUrl);
        try {
            return new java.net.URI(
                            url.getScheme(), user, url.getHost(), url.getPort(), "/" + database, url.getQuery(), null)
                    .toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("not a database URL: " + databaseUrl, e);
        }
    }

    /** Another database on the same server, as the same user. */
    String urlOf(String database) {
        return urlOf(database, java.net.URI.create(databaseUrl).getUserInfo());
    }

    /** settle_bench, created if missing and migrated. */
    Database open(int poolSize) throws SQLException {
        BenchCommand.LedgerBench.createDatabaseIfMissing(server(), "settle_bench");
        final Database db = Database.connect(server().withDatabase("settle_bench"), poolSize);
        db.migrate();
        return db;
    }
}

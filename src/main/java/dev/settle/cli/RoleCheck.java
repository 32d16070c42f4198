package dev.settle.cli;

import dev.settle.db.Database;
import dev.settle.db.DatabaseUrl;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * R6: the role Settle is meant to run as (db/app-role.sql, made here as {@link #ROLE}) cannot
 * change, remove or truncate entries and postings, nor turn the triggers that guard them off. The
 * app then runs as that role for R1, which shows the role is enough for Settle.
 */
final class RoleCheck {
    static final String ROLE = "settle_faults_app";
    private static final List<String> REFUSED = List.of(
            "update journal_entries set memo = memo where false",
            "delete from journal_entries where false",
            "update postings set amount_minor = amount_minor where false",
            "delete from postings where false",
            "truncate postings",
            "truncate journal_entries",
            "set session_replication_role = replica",
            "alter table postings disable trigger postings_are_immutable");

    private final DatabaseUrl server;
    private final Database db;

    RoleCheck(DatabaseUrl server, Database db) {
        this.server = server;
        this.db = db;
    }

    FaultsCommand.Row run() throws IOException, SQLException {
        final String grants;
        try (InputStream in = RoleCheck.class.getResourceAsStream("/db/app-role.sql")) {
            grants = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("settle_app", ROLE);
        }
        // As one statement: the script's DO block is more than a script splitter takes apart.
        db.jdbi().useHandle(handle -> {
            try (Statement sql = handle.getConnection().createStatement()) {
                sql.execute(grants);
            }
        });
        long allowed = 0;
        final DatabaseUrl asRole = server.withDatabase("settle_faults");
        for (String statement : REFUSED) {
            try (Connection connection = DriverManager.getConnection(asRole.jdbcUrl(), ROLE, "");
                    Statement sql = connection.createStatement()) {
                connection.setAutoCommit(false);
                try {
                    sql.execute(statement);
                    allowed++;
                    System.out.println("R6 allowed as " + ROLE + ": " + statement);
                } catch (SQLException refused) {
                    // what it should do
                } finally {
                    connection.rollback();
                }
            }
        }
        return new FaultsCommand.Row(
                "R6 changes to entries and postings as the app's role (db/app-role.sql)",
                REFUSED.size(),
                0,
                0,
                0,
                0,
                0,
                allowed);
    }
}

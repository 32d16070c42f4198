package dev.settle.cli;

import dev.settle.db.Database;
import dev.settle.db.DatabaseUrl;
import dev.settle.ledger.Verifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * R8: the database after the other checks, dumped with pg_dump and restored with pg_restore into a
 * fresh database: `verify` passes there, and every account's balance and version are identical.
 */
final class DumpRestoreCheck {
    private static final String RESTORED = "settle_faults_restored";

    private final DatabaseUrl server;
    private final Database db;

    DumpRestoreCheck(DatabaseUrl server, Database db) {
        this.server = server;
        this.db = db;
    }

    FaultsCommand.Row run() throws Exception {
        final Path dump = Files.createTempFile("settle-faults", ".dump");
        try {
            final List<String> pgDump = new ArrayList<>(BenchCommand.LedgerBench.postgresTool("pg_dump", server));
            pgDump.addAll(List.of("-Fc", "-f", dump.toString(), "settle_faults"));
            BenchCommand.LedgerBench.runProcess(pgDump);
            FaultsCommand.recreate(server, RESTORED);
            final List<String> pgRestore = new ArrayList<>(BenchCommand.LedgerBench.postgresTool("pg_restore", server));
            pgRestore.addAll(List.of("--no-owner", "-d", RESTORED, dump.toString()));
            BenchCommand.LedgerBench.runProcess(pgRestore);
        } finally {
            Files.deleteIfExists(dump);
        }
        try (Database restored = Database.connect(server.withDatabase(RESTORED), 2)) {
            final Verifier.Report report = restored.jdbi().withHandle(new Verifier()::verify);
            final boolean same = balances(db.jdbi()).equals(balances(restored.jdbi()));
            System.out.println("R8 restored: " + report.summary());
            return new FaultsCommand.Row(
                    "R8 pg_dump, pg_restore into a fresh database, verify",
                    report.accounts(),
                    same ? 0 : 1,
                    0,
                    0,
                    0,
                    0,
                    report.ok() ? 0 : report.violations().size());
        }
    }

    /** Every account's balance and version, as one digest. */
    private static String balances(Jdbi jdbi) {
        return jdbi.withHandle(
                handle -> handle.createQuery("""
                        select count(*) || ':' || md5(string_agg(business_id || '/' || id || '=' || balance_minor
                                                                  || 'v' || version, ',' order by business_id, id))
                        from accounts
                        """).mapTo(String.class).one());
    }
}

package dev.settle.cli;

import dev.settle.db.Database;
import dev.settle.ledger.Verifier;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "verify",
        description = "Check every ledger invariant over the whole database; exit 1 on any violation.")
public final class VerifyCommand implements Callable<Integer> {
    @Mixin
    DatabaseOptions database;

    @Override
    public Integer call() {
        try (Database db = database.open()) {
            db.migrate();
            final Verifier.Report report = db.jdbi().withHandle(new Verifier()::verify);
            report.violations().forEach(violation -> System.out.println("VIOLATION " + violation));
            System.out.println(report.summary());
            return report.ok() ? 0 : 1;
        }
    }
}

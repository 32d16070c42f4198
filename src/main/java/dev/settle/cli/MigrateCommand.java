package dev.settle.cli;

import dev.settle.db.Database;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "migrate", description = "Bring the database schema up to date, then exit.")
public final class MigrateCommand implements Callable<Integer> {
    @Mixin
    DatabaseOptions database;

    @Override
    public Integer call() {
        try (Database db = database.open()) {
            db.migrate();
            System.out.println("schema is up to date");
            return 0;
        }
    }
}

package dev.settle.cli;

import dev.settle.db.Database;
import dev.settle.demo.DemoBusiness;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "demo",
        description = "Create a demo salon with staff, clients and months of history; prints how to sign in.")
public final class DemoCommand implements Callable<Integer> {
    @Mixin
    DatabaseOptions database;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the story told (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--clients", defaultValue = "50", description = "How many clients (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--days", defaultValue = "120", description = "Days of history (default: ${DEFAULT-VALUE}).")
    int days;

    @Override
    public Integer call() {
        if (clients < 1 || clients > 10_000 || days < 1 || days > 3_650) {
            System.err.println("error: --clients must be 1 to 10000 and --days 1 to 3650");
            return 2;
        }
        try (Database db = database.open()) {
            db.migrate();
            final DemoBusiness.Demo demo =
                    db.jdbi().inTransaction(handle -> new DemoBusiness().create(handle, seed, clients, days));
            System.out.printf(
                    "%s is ready (business %d): %d clients, %d entries over %d days.%n%n",
                    demo.name(), demo.businessId(), demo.clients(), demo.entries(), days);
            System.out.println("Start Settle with ./settle serve, open http://localhost:8080/signin and sign in as:");
            for (DemoBusiness.DemoStaff staff : demo.staff()) {
                System.out.printf(
                        "  %-11s %-15s %-36s password %s%n",
                        staff.role().label, staff.name(), staff.email(), staff.password());
            }
            System.out.printf("%nAPI key (Authorization: Bearer ...): %s%n", demo.apiKey());
            return 0;
        }
    }
}

package dev.settle.cli;

import dev.settle.Problem;
import dev.settle.business.ApiKeys;
import dev.settle.business.Businesses;
import dev.settle.db.Database;
import dev.settle.ledger.Ledger;
import dev.settle.web.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "business", description = "Manage businesses.", subcommands = BusinessCommand.Create.class)
public final class BusinessCommand {

    @Command(
            name = "create",
            description = "Create a business with its owner and an API key; prints them as JSON, once.")
    public static final class Create implements Callable<Integer> {
        @Mixin
        DatabaseOptions database;

        @Option(names = "--name", required = true, description = "The business's name.")
        String name;

        @Option(names = "--currency", required = true, description = "ISO 4217 code, e.g. USD.")
        String currency;

        @Option(names = "--time-zone", required = true, description = "IANA zone, e.g. America/New_York.")
        String timeZone;

        @Option(names = "--owner-email", required = true, description = "The owner's sign-in email.")
        String ownerEmail;

        @Option(
                names = "--owner-name",
                defaultValue = "Owner",
                description = "The owner's name, as staff pages show it (default: ${DEFAULT-VALUE}).")
        String ownerName;

        @Override
        public Integer call() {
            try (Database db = database.open()) {
                db.migrate();
                final Businesses.CreatedBusiness created = db.jdbi()
                        .inTransaction(handle -> new Businesses(new Ledger(), new ApiKeys())
                                .create(handle, name, currency, timeZone, ownerEmail, ownerName));
                final Map<String, Object> out = new LinkedHashMap<>();
                out.put("businessId", created.business().id());
                out.put("name", created.business().name());
                out.put("currency", created.business().currency());
                out.put("timeZone", created.business().timeZone());
                out.put("owner", Map.of("email", created.ownerEmail(), "password", created.ownerPassword()));
                out.put("apiKey", created.apiKey());
                System.out.println(Json.write(out));
                return 0;
            } catch (Problem problem) {
                System.err.println("error: "
                        + problem.field().map(f -> "--" + kebab(f) + ": ").orElse("") + problem.detail());
                return 2;
            }
        }

        private static String kebab(String field) {
            return field.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
        }
    }
}

package dev.settle.cli;

import dev.settle.db.Database;
import java.util.Map;

/**
 * R5: every API route in the route table, called with another business's key and this business's
 * ids (filled in from the route list, so a new route is covered without editing this): a read is
 * answered 404, a write never succeeds, and no answer names this business's client. Writes may be
 * refused for their body before the id is looked up; that tells nothing either.
 */
final class TenantCheck {
    private final FaultsCommand faults;
    private final Database db;
    private final FaultsCommand.Tenant owner;
    private final FaultsCommand.Tenant other;

    TenantCheck(FaultsCommand faults, Database db, FaultsCommand.Tenant owner, FaultsCommand.Tenant other) {
        this.faults = faults;
        this.db = db;
        this.owner = owner;
        this.other = other;
    }

    FaultsCommand.Row run() {
        final Map<String, Long> ids = FaultsCommand.idsOf(db, owner);
        long attempts = 0;
        long leaks = 0;
        long wrong = 0;
        long serverErrors = 0;
        for (String[] route : FaultsCommand.apiRoutes(ids)) {
            final boolean reads = route[0].equals("GET");
            attempts++;
            final DeskConnections.Reply reply =
                    faults.send(route[0], route[1], other.apiKey(), reads ? null : "{}", null);
            if (reply.status() >= 200 && reply.status() < 300 && route[2].contains("{")
                    || reply.body().contains(owner.clientName())) {
                leaks++;
                System.out.println("R5 leak: " + route[0] + " " + route[1] + " -> " + reply.status());
            } else if (reply.status() >= 500 || reply.status() == 0) {
                serverErrors++;
            } else if (reads && route[2].contains("{") && reply.status() != 404) {
                wrong++;
                System.out.println("R5 not 404: " + route[0] + " " + route[1] + " -> " + reply.status());
            }
        }
        return new FaultsCommand.Row(
                "R5 every API route with another business's key", attempts, 0, 0, 0, serverErrors, leaks, wrong);
    }
}

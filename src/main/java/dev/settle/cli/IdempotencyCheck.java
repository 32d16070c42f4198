package dev.settle.cli;

import dev.settle.db.Database;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

/**
 * R2: many concurrent requests reusing a few Idempotency-Keys (each key sent ten times at once,
 * with the same body) make exactly one open payment per key, and every answer for a key names the
 * same entry; the same key with a changed body is refused with 422 every time.
 */
final class IdempotencyCheck {
    private static final int SENDS_PER_KEY = 10;

    private final FaultsCommand faults;
    private final Database db;
    private final FaultsCommand.Tenant tenant;
    private final int requests;
    private final long seed;

    IdempotencyCheck(FaultsCommand faults, Database db, FaultsCommand.Tenant tenant, int requests, long seed) {
        this.seed = seed;
        this.faults = faults;
        this.db = db;
        this.tenant = tenant;
        this.requests = requests;
    }

    FaultsCommand.Row run() throws Exception {
        final int keys = requests / SENDS_PER_KEY;
        final List<Integer> order = FaultsCommand.shuffled(
                IntStream.range(0, requests).map(index -> index % keys).boxed().toList(), new java.util.Random(seed));
        final Map<Integer, Set<Long>> entriesByKey = new ConcurrentHashMap<>();
        final FaultsCommand.Tally tally = new FaultsCommand.Tally();
        final String path = "/api/v1/clients/" + tenant.clientId() + "/open-payments";
        FaultsCommand.concurrently(requests, index -> {
            final int key = order.get(index);
            final DeskConnections.Reply reply = faults.send("POST", path, tenant.apiKey(), body(key, 0), "r2-" + key);
            count(tally, reply, 201);
            if (reply.status() == 201) {
                entriesByKey
                        .computeIfAbsent(key, any -> ConcurrentHashMap.newKeySet())
                        .add(reply.json().get("entryId").asLong());
            }
        });
        FaultsCommand.concurrently(
                keys, key -> count(tally, faults.send("POST", path, tenant.apiKey(), body(key, 1), "r2-" + key), 422));
        // Each key's amount is its own (100 + key), so the entries say which key made them.
        final Map<Long, Long> entriesByAmount = FaultsCommand.openPaymentsByAmount(db, tenant);
        long losses = 0;
        long duplicates = 0;
        for (int key = 0; key < keys; key++) {
            final long made = entriesByAmount.getOrDefault(100L + key, 0L);
            final Set<Long> answered = entriesByKey.getOrDefault(key, Set.of());
            if (!answered.isEmpty() && made == 0) {
                losses++;
            }
            duplicates += Math.max(0, made - 1) + Math.max(0, answered.size() - 1);
        }
        return new FaultsCommand.Row(
                "R2 idempotency keys, 10 sends each, then changed bodies",
                requests + keys,
                losses,
                duplicates,
                0,
                tally.get("5xx"),
                0,
                tally.get("wrong"));
    }

    private static String body(int key, int changed) {
        return "{\"amountMinor\": " + (100 + key + changed) + ", \"currency\": \"USD\", \"tender\": \"cash\"}";
    }

    static void count(FaultsCommand.Tally tally, DeskConnections.Reply reply, int expected) {
        if (reply.status() >= 500 || reply.status() == 0) {
            tally.add("5xx");
        } else if (reply.status() != expected) {
            tally.add("wrong");
        }
    }
}

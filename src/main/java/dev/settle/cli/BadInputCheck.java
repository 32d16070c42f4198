package dev.settle.cli;

import dev.settle.db.Database;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * R4: generated bad requests spread over every API route in the route table — malformed and
 * non-object JSON, every field of the wrong type or out of range (huge, negative, fractional
 * amounts; bad currencies; NUL bytes, lone surrogates, overlong text), unknown fields, oversized
 * bodies, malformed and missing ids, bad query parameters. None may be answered 5xx, and the
 * ledger's checksum must not move. Routes that take no body (openapi.yaml) get only bad ids, since
 * with a real id they would rightly act.
 */
final class BadInputCheck {
    private static final List<String> BAD_IDS =
            List.of("0", "-1", "abc", "99999999999", "1.5", "9223372036854775808", "%00", "1e3", "%F0%9F%90%B6");
    private static final List<String> BAD_AMOUNTS = List.of(
            "\"12\"",
            "1.5",
            "-1",
            "0",
            "1e30",
            "9223372036854775808",
            "-9223372036854775809",
            "null",
            "true",
            "0.01",
            "1000000000001");
    private static final List<String> BAD_CURRENCIES =
            List.of("\"usd\"", "\"EUR\"", "\"€€€\"", "\"\"", "3", "null", "\"US\"", "\"USDX\"");
    private static final List<String> BAD_TEXTS = List.of(
            "\"\\u0000\"",
            "\"Lone \\ud800 surrogate\"",
            "\"" + "n".repeat(10_000) + "\"",
            "\"\"",
            "12",
            "null",
            "[\"list\"]",
            "{\"nested\": {\"deeper\": [1, 2]}}");
    private static final List<String> MALFORMED =
            List.of("{", "{\"amountMinor\": }", "[1, 2", "nul", "{\"a\": 1,}", "\u0000", "{} trailing");
    private static final List<String> NOT_OBJECTS = List.of("null", "[]", "\"text\"", "12", "true");
    private static final List<String> BAD_QUERIES = List.of(
            "limit=-1",
            "limit=abc",
            "limit=99999999999999999999",
            "olderThan=-5",
            "from=2026-13-45",
            "to=%2B999999-01-01",
            "asOf=yesterday",
            "kind=%00",
            "q=" + "x".repeat(5_000));

    private final FaultsCommand faults;
    private final Database db;
    private final FaultsCommand.Tenant tenant;
    private final int requests;
    private final Random random;

    BadInputCheck(FaultsCommand faults, Database db, FaultsCommand.Tenant tenant, int requests, long seed) {
        this.faults = faults;
        this.db = db;
        this.tenant = tenant;
        this.requests = requests;
        this.random = new Random(seed);
    }

    FaultsCommand.Row run() throws Exception {
        final List<String[]> routes = FaultsCommand.apiRoutes(FaultsCommand.idsOf(db, tenant));
        final Set<String> withoutBody = routesWithoutBody();
        final String[][] planned = new String[requests][];
        for (int index = 0; index < requests; index++) {
            final String[] route = routes.get(index % routes.size());
            final boolean hasIds = route[2].contains("{");
            final boolean writes = !route[0].equals("GET");
            String path = route[1];
            if (hasIds && (withoutBody.contains(route[0] + " " + route[2]) || random.nextInt(3) == 0)) {
                path = route[2].replaceAll("\\{[^/]+}", pick(BAD_IDS));
            }
            if (!writes) {
                path += "?" + pick(BAD_QUERIES);
            }
            planned[index] = new String[] {route[0], path, writes ? body() : null};
        }
        final String before = checksum();
        final FaultsCommand.Tally tally = new FaultsCommand.Tally();
        FaultsCommand.concurrently(requests, index -> {
            if (planned[index] == null) {
                return;
            }
            tally.add("sent");
            final DeskConnections.Reply reply =
                    faults.send(planned[index][0], planned[index][1], tenant.apiKey(), planned[index][2], null);
            if (reply.status() / 100 == 2 && !planned[index][0].equals("GET")) {
                // Every body here is bad: a write that succeeds took one it should have refused.
                tally.add("wrong");
                final String body = planned[index][2];
                System.out.println("R4 accepted: " + planned[index][0] + " " + planned[index][1] + " with "
                        + body.substring(0, Math.min(body.length(), 200)));
            } else if (reply.status() >= 500 || reply.status() == 0) {
                tally.add("5xx");
                if (tally.get("5xx") <= 3) {
                    final String body = planned[index][2] == null ? "" : planned[index][2];
                    System.out.printf(
                            "R4 5xx: %s %s with %d bytes (%s) -> %d %s%n",
                            planned[index][0],
                            planned[index][1],
                            body.length(),
                            body.substring(0, Math.min(body.length(), 60)),
                            reply.status(),
                            reply.body().substring(0, Math.min(reply.body().length(), 300)));
                }
            }
        });
        final boolean moved = !before.equals(checksum());
        return new FaultsCommand.Row(
                "R4 bad requests over " + routes.size() + " API routes",
                tally.get("sent"),
                0,
                0,
                0,
                tally.get("5xx"),
                0,
                tally.get("wrong") + (moved ? 1 : 0));
    }

    /** A body no route may accept: malformed, not an object, or every field wrong, and one unknown. */
    private String body() {
        return switch (random.nextInt(5)) {
            case 0 -> pick(MALFORMED);
            case 1 -> pick(NOT_OBJECTS);
            // Over the 64 KB limit, and now and then over the 1 MB Settle reads before refusing it.
            case 2 -> "{\"name\": \"" + " ".repeat(random.nextInt(10) == 0 ? 2_000_000 : 70_000) + "\"}";
            default ->
                "{\"amountMinor\": %s, \"currency\": %s, \"name\": %s, \"tender\": %s, \"reason\": %s, \"from\": %s,"
                                .formatted(
                                        pick(BAD_AMOUNTS),
                                        pick(BAD_CURRENCIES),
                                        pick(BAD_TEXTS),
                                        pick(BAD_TEXTS),
                                        pick(BAD_TEXTS),
                                        pick(BAD_TEXTS))
                        + " \"invoiceId\": %s, \"kind\": %s, \"postings\": %s, \"lines\": %s, \"url\": %s,"
                                .formatted(
                                        pick(BAD_AMOUNTS),
                                        pick(BAD_TEXTS),
                                        pick(BAD_TEXTS),
                                        pick(BAD_TEXTS),
                                        pick(BAD_TEXTS))
                        + " \"fuzzUnknownField\": true}";
        };
    }

    private String pick(List<String> choices) {
        return choices.get(random.nextInt(choices.size()));
    }

    /** What the ledger holds: any entry, posting, balance, unpaid amount or credit left that moved shows. */
    private String checksum() {
        return db.jdbi()
                .withHandle(
                        handle -> handle.createQuery("""
                        select (select count(*) from journal_entries) || '/' || (select count(*) from postings) || '/'
                               || (select coalesce(sum(balance_minor * id), 0) from accounts) || '/'
                               || (select coalesce(sum(unpaid_minor * id), 0) from invoices) || '/'
                               || (select coalesce(sum(remaining_minor * id), 0) from credit_grants)
                        """).mapTo(String.class).one());
    }

    /** "POST /api/v1/invoices/{invoiceId}/void" and the like: operations openapi.yaml gives no body. */
    static Set<String> routesWithoutBody() throws IOException {
        final String yaml;
        try (InputStream in = BadInputCheck.class.getResourceAsStream("/openapi.yaml")) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        final Set<String> without = new HashSet<>();
        final Matcher operations = Pattern.compile("(?m)^  (/\\S+):$|^    (post|patch|put):$|^      requestBody:")
                .matcher(yaml.substring(yaml.indexOf("\npaths:"), yaml.indexOf("\ncomponents:")));
        String path = null;
        String operation = null;
        while (operations.find()) {
            if (operations.group(1) != null) {
                path = operations.group(1);
            } else if (operations.group(2) != null) {
                operation = operations.group(2).toUpperCase(java.util.Locale.ROOT) + " " + path;
                without.add(operation);
            } else if (operation != null) {
                without.remove(operation);
            }
        }
        return without;
    }
}

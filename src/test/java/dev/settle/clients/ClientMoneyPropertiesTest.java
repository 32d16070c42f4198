package dev.settle.clients;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.settle.invoices.Invoices;
import dev.settle.ledger.Verifier;
import dev.settle.support.TestApp;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random sequences of a client's money operations through the API (charges, payments,
 * open payments, refunds, credits, funds applied, checkouts with pay-offs, split tenders and pay
 * later, and retries with their idempotency keys), each
 * checked against a plain model: balances never below zero (invariant 3), the balance due always
 * the sum of unpaid invoices paid oldest first (invariant 4), one effect per key (invariant 6), and
 * the verifier content at the end. A failure prints its seed; replay with {@code -Dsettle.seed=N}.
 */
class ClientMoneyPropertiesTest {
    private static final int SEQUENCES = 8;
    private static final int STEPS = 40;

    private record Sent(String path, String body, String key, TestApp.Reply reply) {}

    /**
     * What the client should hold: what is unpaid on each invoice (by id, which here is the order
     * they were issued in, so oldest first), open payments, credits, and the checkout payments that
     * can still be refunded.
     */
    private static final class Model {
        final java.util.TreeMap<Long, Long> unpaid = new java.util.TreeMap<>();
        final List<Paid> payments = new ArrayList<>();
        /** Every invoice's total, and what each ticket paid towards older invoices. */
        final java.util.Map<Long, Long> totals = new java.util.HashMap<>();

        final java.util.Map<Long, java.util.Map<Long, Long>> paidOff = new java.util.HashMap<>();
        final java.util.Set<Long> voided = new java.util.HashSet<>();
        long open;
        long credits;

        long due() {
            return unpaid.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Pays the oldest invoices first; returns what was left over. */
        long pay(long amount) {
            long left = amount;
            for (var invoice : unpaid.entrySet()) {
                final long paid = Math.min(left, invoice.getValue());
                invoice.setValue(invoice.getValue() - paid);
                left -= paid;
            }
            unpaid.values().removeIf(owed -> owed == 0);
            return left;
        }
    }

    /** A checkout payment: which, on which invoice, by what, and how much is left to refund. */
    private static final class Paid {
        final long id;
        final long invoiceId;
        final String tender;
        long left;

        Paid(long id, long invoiceId, String tender, long left) {
            this.id = id;
            this.invoiceId = invoiceId;
            this.tender = tender;
            this.left = left;
        }
    }

    @Test
    void anySequenceOfClientMoneyOperationsKeepsTheModelAndEveryInvariant() {
        final long baseSeed = Long.getLong("settle.seed", System.nanoTime());
        for (int sequence = 0; sequence < SEQUENCES; sequence++) {
            final long seed = baseSeed + sequence;
            try {
                run(seed);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(
                        "property failed with seed " + seed + " (replay: -Dsettle.seed=" + seed + ")", e);
            }
        }
    }

    private void run(long seed) {
        final Random random = new Random(seed);
        final TestBusiness salon = TestBusiness.create();
        final Clients.Client ana = salon.aClient("Ana");
        final String base = "/api/v1/clients/" + ana.id() + "/";
        final Model model = new Model();
        final List<Sent> sent = new ArrayList<>();
        for (int step = 0; step < STEPS; step++) {
            final long amount = 1 + random.nextInt(random.nextBoolean() ? 5_000 : 50_000);
            final String key = seed + "-" + step;
            final int choice = random.nextInt(11);
            if (choice == 10) {
                voidInvoice(random, salon, model, step);
                continue;
            }
            if (choice == 9) {
                refund(random, salon, model, step);
                continue;
            }
            if (choice == 8) {
                checkout(random, salon, ana, model, step);
                continue;
            }
            if (choice == 7 && !sent.isEmpty()) {
                final Sent earlier = sent.get(random.nextInt(sent.size()));
                final TestApp.Reply again = TestApp.post(salon.apiKey(), earlier.path(), earlier.body(), earlier.key());
                assertThat(again.status()).isEqualTo(earlier.reply().status());
                assertThat(again.body()).isEqualTo(earlier.reply().body());
                continue;
            }
            final String path;
            final String body;
            final int expected;
            switch (choice) {
                case 0 -> {
                    path = base + "charges";
                    body = money(amount) + ", \"reason\": \"Fee\"}";
                    expected = 201;
                }
                case 1 -> {
                    path = base + "payments";
                    body = money(amount) + ", \"tender\": \"card\"}";
                    expected = 201;
                    model.open += model.pay(amount);
                }
                case 2 -> {
                    path = base + "open-payments";
                    body = money(amount) + ", \"tender\": \"cash\"}";
                    expected = 201;
                    model.open += amount;
                }
                case 3 -> {
                    path = base + "open-payments/refunds";
                    body = money(amount) + ", \"tender\": \"cash\"}";
                    expected = amount > model.open ? 422 : 201;
                    model.open -= expected == 201 ? amount : 0;
                }
                case 4 -> {
                    path = base + "credits";
                    body = money(amount) + ", \"reason\": \"goodwill\"}";
                    expected = 201;
                    model.credits += amount;
                }
                default -> {
                    final boolean credits = choice == 5;
                    final long held = credits ? model.credits : model.open;
                    final boolean all = random.nextBoolean();
                    path = base + "apply-funds";
                    body = "{\"from\": \"" + (credits ? "credits" : "open_payments") + "\""
                            + (all ? "}" : ", " + money(amount).substring(1) + "}");
                    final long applied = all ? Math.min(held, model.due()) : amount;
                    expected = model.due() == 0
                            ? 400
                            : held == 0 || applied > held ? 422 : applied > model.due() ? 400 : 201;
                    if (expected == 201) {
                        model.pay(applied);
                        if (credits) {
                            model.credits -= applied;
                        } else {
                            model.open -= applied;
                        }
                    }
                }
            }
            final TestApp.Reply reply = TestApp.post(salon.apiKey(), path, body, key);
            assertThat(reply.status())
                    .as("step %d: %s %s → %s", step, path, body, reply.body())
                    .isEqualTo(expected);
            if (choice == 0) {
                final long invoiceId = newestInvoice(salon, ana);
                model.unpaid.put(invoiceId, amount);
                model.totals.put(invoiceId, amount);
            }
            sent.add(new Sent(path, body, key, reply));
            final JsonNode client =
                    TestApp.get(salon.apiKey(), "/api/v1/clients/" + ana.id()).json();
            assertThat(new long[] {
                        client.get("balanceDueMinor").asLong(),
                        client.get("openPaymentsMinor").asLong(),
                        client.get("creditsMinor").asLong()
                    })
                    .as("step %d", step)
                    .containsExactly(model.due(), model.open, model.credits);
        }
        final List<Long> unpaid =
                TestDatabase.get()
                        .jdbi()
                        .withHandle(handle -> new Invoices().unpaid(handle, salon.id(), ana.id()))
                        .stream()
                        .map(Invoices.Invoice::unpaidMinor)
                        .toList();
        assertThat(unpaid).containsExactlyElementsOf(model.unpaid.values());
        assertThat(TestDatabase.get().jdbi().withHandle(new Verifier()::verify).violations())
                .isEmpty();
    }

    /**
     * A ticket checked out at random: a pay-off of part of the balance due, then credits, open
     * payments, card and pay later in random shares of what is left (the ticket's own unpaid part is
     * its pay later, which becomes the newest unpaid invoice).
     */
    private static void checkout(Random random, TestBusiness salon, Clients.Client ana, Model model, int step) {
        final long price = 1 + random.nextInt(20_000);
        final JsonNode draft = TestApp.post(
                        salon.apiKey(),
                        "/api/v1/invoices",
                        "{\"currency\": \"USD\", \"clientId\": " + ana.id()
                                + ", \"lines\": [{\"kind\": \"service\", \"description\": \"Visit\", \"unitMinor\": "
                                + price + "}]}")
                .json();
        final long payOff = model.due() == 0 ? 0 : random.nextLong(model.due() + 1);
        long left = price + payOff;
        final long credits = Math.min(model.credits, random.nextBoolean() ? random.nextLong(left + 1) : 0);
        left -= credits;
        final long open = Math.min(model.open, random.nextBoolean() ? random.nextLong(left + 1) : 0);
        left -= open;
        final long payLater = random.nextBoolean() ? random.nextLong(left + 1) : 0;
        final long card = left - payLater;
        final List<String> tenders = new ArrayList<>();
        if (credits > 0) {
            tenders.add("{\"tender\": \"credit\", \"amountMinor\": " + credits + "}");
        }
        if (open > 0) {
            tenders.add("{\"tender\": \"open_payment\", \"amountMinor\": " + open + "}");
        }
        if (card > 0) {
            tenders.add("{\"tender\": \"card\", \"amountMinor\": " + card + "}");
        }
        final TestApp.Reply reply = TestApp.post(
                salon.apiKey(),
                "/api/v1/invoices/" + draft.get("id").asLong() + "/checkout",
                "{\"currency\": \"USD\", \"payOffMinor\": " + payOff + ", \"payLaterMinor\": " + payLater
                        + ", \"tenders\": [" + String.join(", ", tenders) + "]}");
        assertThat(reply.status())
                .as("step %d: checkout → %s", step, reply.body())
                .isEqualTo(201);
        model.pay(payOff);
        model.credits -= credits;
        model.open -= open;
        final long invoiceId = draft.get("id").asLong();
        model.totals.put(invoiceId, price + payOff);
        final java.util.Map<Long, Long> towards = new java.util.HashMap<>();
        reply.json()
                .get("paidOff")
                .forEach(allocation -> towards.put(
                        allocation.get("invoiceId").asLong(),
                        allocation.get("amountMinor").asLong()));
        model.paidOff.put(invoiceId, towards);
        if (payLater > 0) {
            model.unpaid.put(invoiceId, payLater);
        }
        for (JsonNode payment : reply.json().at("/invoice/payments")) {
            model.payments.add(new Paid(
                    payment.get("id").asLong(),
                    invoiceId,
                    payment.get("tender").asText(),
                    payment.get("amountMinor").asLong()));
        }
    }

    /**
     * Some of a checkout payment given back, to its tender or kept as an open payment or credit (a
     * credit's stays credit): its invoice owes that much again.
     */
    private static void refund(Random random, TestBusiness salon, Model model, int step) {
        final List<Paid> refundable =
                model.payments.stream().filter(paid -> paid.left > 0).toList();
        if (refundable.isEmpty()) {
            return;
        }
        final Paid paid = refundable.get(random.nextInt(refundable.size()));
        final long amount = 1 + random.nextLong(paid.left);
        final List<String> destinations = paid.tender.equals("credit")
                ? List.of("tender", "credit")
                : List.of("tender", "open_payment", "credit");
        final String to = destinations.get(random.nextInt(destinations.size()));
        final TestApp.Reply reply = TestApp.post(
                salon.apiKey(),
                "/api/v1/payments/" + paid.id + "/refunds",
                "{\"to\": \"" + to + "\", \"amountMinor\": " + amount + ", \"currency\": \"USD\"}");
        assertThat(reply.status())
                .as("step %d: refund → %s", step, reply.body())
                .isEqualTo(201);
        paid.left -= amount;
        model.unpaid.merge(paid.invoiceId, amount, Long::sum);
        final boolean backToFunds = paid.tender.equals("credit") || paid.tender.equals("open_payment");
        final String landing = to.equals("tender") && backToFunds ? paid.tender : to;
        if (landing.equals("open_payment")) {
            model.open += amount;
        } else if (landing.equals("credit")) {
            model.credits += amount;
        }
    }

    /**
     * Voids a known invoice at random: done only when nothing is left paid on it (what it charged
     * comes off the balance due, and what a ticket paid towards older invoices they owe again),
     * refused otherwise.
     */
    private static void voidInvoice(Random random, TestBusiness salon, Model model, int step) {
        if (model.totals.isEmpty()) {
            return;
        }
        final List<Long> known = new ArrayList<>(new java.util.TreeSet<>(model.totals.keySet()));
        final long invoiceId = known.get(random.nextInt(known.size()));
        final java.util.Map<Long, Long> towards = model.paidOff.getOrDefault(invoiceId, java.util.Map.of());
        final boolean voidable = !model.voided.contains(invoiceId)
                && model.unpaid.getOrDefault(invoiceId, 0L).equals(model.totals.get(invoiceId))
                && towards.keySet().stream().noneMatch(model.voided::contains);
        final TestApp.Reply reply = TestApp.post(salon.apiKey(), "/api/v1/invoices/" + invoiceId + "/void", "");
        assertThat(reply.status())
                .as("step %d: void %d → %s", step, invoiceId, reply.body())
                .isEqualTo(voidable ? 200 : 409);
        if (voidable) {
            model.voided.add(invoiceId);
            model.unpaid.remove(invoiceId);
            towards.forEach((older, amount) -> model.unpaid.merge(older, amount, Long::sum));
        }
    }

    private static long newestInvoice(TestBusiness salon, Clients.Client client) {
        return TestDatabase.get()
                .jdbi()
                .withHandle(handle -> handle.createQuery(
                                "select max(id) from invoices where business_id = :b and client_id = :c")
                        .bind("b", salon.id())
                        .bind("c", client.id())
                        .mapTo(Long.class)
                        .one());
    }

    private static String money(long amountMinor) {
        return "{\"amountMinor\": " + amountMinor + ", \"currency\": \"USD\"";
    }
}

package dev.settle.cli;

import dev.settle.db.Database;
import java.util.concurrent.atomic.AtomicLong;

/**
 * R3: concurrent writers draining one client's credit and one gift card, $1 at a time, more times
 * than they hold: each is spent exactly down to zero, never below, every $1 answered 201 is gone
 * from it, and no request is answered with a server error (a deadlock would be one).
 */
final class DrainCheck {
    private static final long HELD_MINOR = 100_00;
    private static final long STEP_MINOR = 1_00;

    private final FaultsCommand faults;
    private final Database db;
    private final FaultsCommand.Tenant tenant;
    private final int requests;

    DrainCheck(FaultsCommand faults, Database db, FaultsCommand.Tenant tenant, int requests) {
        this.faults = faults;
        this.db = db;
        this.tenant = tenant;
        this.requests = requests;
    }

    FaultsCommand.Row run() throws Exception {
        final String key = tenant.apiKey();
        final long clientId = faults.send("POST", "/api/v1/clients", key, "{\"name\": \"Drain\"}", null)
                .json()
                .get("id")
                .asLong();
        final String client = "/api/v1/clients/" + clientId;
        // Owed well beyond what both hold, on one invoice the gift card pays.
        faults.send(
                "POST",
                client + "/charges",
                key,
                "{\"amountMinor\": 1000000, \"currency\": \"USD\", \"reason\": \"Drain\"}",
                null);
        final long invoiceId = unpaidInvoice(clientId);
        faults.send(
                "POST",
                client + "/credits",
                key,
                "{\"amountMinor\": " + HELD_MINOR + ", \"currency\": \"USD\", \"reason\": \"goodwill\"}",
                null);
        final long cardId = faults.send(
                        "POST",
                        "/api/v1/gift-cards",
                        key,
                        "{\"amountMinor\": " + HELD_MINOR + ", \"currency\": \"USD\", \"reason\": \"Drain\"}",
                        null)
                .json()
                .get("giftCard")
                .get("id")
                .asLong();
        final FaultsCommand.Tally tally = new FaultsCommand.Tally();
        final AtomicLong creditsSpent = new AtomicLong();
        final AtomicLong cardSpent = new AtomicLong();
        FaultsCommand.concurrently(requests, index -> {
            final boolean credit = index % 2 == 0;
            final DeskConnections.Reply reply = credit
                    ? faults.send(
                            "POST",
                            client + "/apply-funds",
                            key,
                            "{\"from\": \"credits\", \"amountMinor\": " + STEP_MINOR + ", \"currency\": \"USD\"}",
                            null)
                    : faults.send(
                            "POST",
                            "/api/v1/gift-cards/" + cardId + "/redemptions",
                            key,
                            "{\"invoiceId\": " + invoiceId + ", \"amountMinor\": " + STEP_MINOR
                                    + ", \"currency\": \"USD\"}",
                            null);
            if (reply.status() == 201) {
                (credit ? creditsSpent : cardSpent).addAndGet(STEP_MINOR);
            } else if (reply.status() >= 500 || reply.status() == 0) {
                tally.add("5xx");
            } else if (reply.status() != 409 && reply.status() != 422) {
                tally.add("wrong");
            }
        });
        final long creditsLeft = balance("credits", "client_id", clientId);
        final long cardLeft = balance("gift_card", "gift_card_id", cardId);
        final long negatives = (creditsLeft < 0 ? 1 : 0) + (cardLeft < 0 ? 1 : 0);
        // Money answered as spent but still held is lost to the client; spent but not answered, to the business.
        final long mismatched = (HELD_MINOR - creditsLeft != creditsSpent.get() ? 1 : 0)
                + (HELD_MINOR - cardLeft != cardSpent.get() ? 1 : 0);
        final long notDrained = (creditsLeft != 0 && requests / 2 * STEP_MINOR >= HELD_MINOR ? 1 : 0)
                + (cardLeft != 0 && requests / 2 * STEP_MINOR >= HELD_MINOR ? 1 : 0);
        return new FaultsCommand.Row(
                "R3 %,d $1 spends by 32 writers of a $100 credit and a $100 gift card".formatted(requests),
                requests,
                mismatched,
                0,
                negatives,
                tally.get("5xx"),
                0,
                tally.get("wrong") + notDrained);
    }

    private long unpaidInvoice(long clientId) {
        return db.jdbi()
                .withHandle(handle -> handle.createQuery("""
                        select id from invoices
                        where business_id = :business_id and client_id = :client_id and unpaid_minor > 0
                        order by id limit 1
                        """)
                        .bind("business_id", tenant.businessId())
                        .bind("client_id", clientId)
                        .mapTo(Long.class)
                        .one());
    }

    private long balance(String kind, String owner, long ownerId) {
        return db.jdbi()
                .withHandle(handle -> handle.createQuery("select balance_minor from accounts"
                                + " where business_id = :business_id and kind = :kind and " + owner + " = :owner")
                        .bind("business_id", tenant.businessId())
                        .bind("kind", kind)
                        .bind("owner", ownerId)
                        .mapTo(Long.class)
                        .one());
    }
}

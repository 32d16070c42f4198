package dev.settle.cli;

import dev.settle.business.ApiKeys;
import dev.settle.business.Businesses;
import dev.settle.clients.ClientHistory;
import dev.settle.clients.Clients;
import dev.settle.db.Database;
import dev.settle.ledger.AccountKind;
import dev.settle.ledger.EntryRequest;
import dev.settle.ledger.Ledger;
import dev.settle.ledger.PostingRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How long one page of a client's balance history takes when the client has a long history:
 * the newest page, a page from the middle, and a page filtered to a rare kind.
 */
@Command(name = "history", description = "Client history page latency for a client with a long history.")
public final class HistoryBench implements Callable<Integer> {
    private static final int ENTRIES_PER_TRANSACTION = 1_000;
    private static final int RARE_EVERY = 10_000;

    @Mixin
    BenchServer bench;

    @Option(names = "--movements", defaultValue = "100000", description = "Movements in the client's history.")
    int movements;

    @Option(names = "--runs", defaultValue = "50", description = "Page reads per measurement.")
    int runs;

    private final ClientHistory history = new ClientHistory();

    @Override
    public Integer call() throws Exception {
        try (Database db = bench.open(2)) {
            final Clients.Client client = clientWithHistory(db, movements);
            final long middle = db.jdbi()
                    .withHandle(handle -> handle.createQuery("""
                            select entry_id from postings
                            where business_id = :business_id and account_id = :account_id
                            order by account_version desc offset :half limit 1
                            """)
                            .bind("business_id", client.businessId())
                            .bind("account_id", client.openPayments().id())
                            .bind("half", movements / 3)
                            .mapTo(Long.class)
                            .one());
            System.out.printf(
                    "bench history: a client with %d movements, %d reads each, 50 rows a page%n", movements, runs);
            measure(db, "newest page", () -> page(db, client, ClientHistory.Filter.none(), Optional.empty()));
            measure(db, "middle page", () -> page(db, client, ClientHistory.Filter.none(), Optional.of(middle)));
            measure(
                    db,
                    "rare kind, newest",
                    () -> page(
                            db,
                            client,
                            new ClientHistory.Filter(Optional.of("credit_expired"), Optional.empty(), Optional.empty()),
                            Optional.empty()));
            return 0;
        }
    }

    private int page(Database db, Clients.Client client, ClientHistory.Filter filter, Optional<Long> olderThan) {
        return db.jdbi()
                .withHandle(handle -> history.page(handle, client, filter, olderThan, 50))
                .rows()
                .size();
    }

    private void measure(Database db, String name, Supplier<Integer> read) {
        read.get(); // warm
        final long[] micros = new long[runs];
        int rows = 0;
        for (int run = 0; run < runs; run++) {
            final long started = System.nanoTime();
            rows = read.get();
            micros[run] = (System.nanoTime() - started) / 1_000;
        }
        Arrays.sort(micros);
        System.out.printf(
                "  %-18s %3d rows  p50 %6.2f ms  p95 %6.2f ms%n",
                name,
                rows,
                BenchCommand.LedgerBench.percentile(micros, 50) / 1000.0,
                BenchCommand.LedgerBench.percentile(micros, 95) / 1000.0);
    }

    /** The bench client, made once with its history (slow) and reused after. */
    static Clients.Client clientWithHistory(Database db, int movements) {
        final Ledger ledger = new Ledger();
        final Clients clients = new Clients(ledger);
        final String name = "bench history " + movements;
        final Optional<Clients.Client> existing = db.jdbi()
                .withHandle(handle -> handle.createQuery("""
                        select c.business_id, c.id from clients c join businesses b on b.id = c.business_id
                        where b.name = :name order by c.id limit 1
                        """)
                        .bind("name", name)
                        .map((rs, ctx) -> clients.find(handle, rs.getLong(1), rs.getLong(2))
                                .orElseThrow())
                        .findOne());
        if (existing.isPresent()) {
            return existing.get();
        }
        final Businesses businesses = new Businesses(ledger, new ApiKeys());
        final Clients.Client client = db.jdbi().inTransaction(handle -> {
            final long businessId = businesses
                    .create(handle, name + " (loading)", "USD", "America/New_York", "owner@bench.example")
                    .business()
                    .id();
            // No notices: written at commit for each entry, they looked up the client's accounts
            // through each transaction's thousand versions of them (9 ms an entry, most of the load).
            handle.createUpdate(
                            "update businesses set notify_receipts = false, notify_new_funds = false where id = :id")
                    .bind("id", businessId)
                    .execute();
            return clients.create(handle, businessId, "Long History", Optional.empty(), Optional.empty());
        });
        final long cash = db.jdbi().withHandle(h -> businesses.accountId(h, client.businessId(), AccountKind.CASH));
        final long sales = db.jdbi().withHandle(h -> businesses.accountId(h, client.businessId(), AccountKind.SALES));
        final long promotions =
                db.jdbi().withHandle(h -> businesses.accountId(h, client.businessId(), AccountKind.PROMOTIONS));
        for (int from = 0; from < movements; from += ENTRIES_PER_TRANSACTION) {
            final List<EntryRequest> batch = new ArrayList<>();
            for (int index = from; index < Math.min(movements, from + ENTRIES_PER_TRANSACTION); index++) {
                batch.add(
                        switch (index % 3) {
                            // paid ahead, then spent, then a credit: all three of the client's accounts move
                            case 0 ->
                                movement(
                                        client,
                                        "open_payment",
                                        cash,
                                        client.openPayments().id(),
                                        5_00);
                            case 1 ->
                                movement(
                                        client,
                                        "checkout",
                                        client.openPayments().id(),
                                        sales,
                                        5_00);
                            // now and then (never before any credit was given) a credit expires: it leaves the client's
                            // credits
                            default ->
                                index % RARE_EVERY == 2 && index > 2
                                        ? movement(
                                                client,
                                                "credit_expired",
                                                client.credits().id(),
                                                promotions,
                                                1_00)
                                        : movement(
                                                client,
                                                "credit_issued",
                                                promotions,
                                                client.credits().id(),
                                                1_00);
                        });
            }
            db.jdbi().useTransaction(handle -> ledger.postAll(handle, batch));
        }
        // The planner's figures still say the new business has no postings: with them, the grant's
        // sum below joined every posting to every entry (it ran for minutes).
        db.jdbi().useHandle(handle -> handle.execute("analyze postings, journal_entries"));
        // Named as loading until here, so a failed load is never taken for a whole one.
        db.jdbi().useTransaction(handle -> {
            grantWhatWasIssued(handle, client);
            handle.createUpdate("update businesses set name = :name where id = :id")
                    .bind("name", name)
                    .bind("id", client.businessId())
                    .execute();
        });
        return db.jdbi()
                .withHandle(handle ->
                        clients.find(handle, client.businessId(), client.id()).orElseThrow());
    }

    /**
     * The credits were posted straight to the ledger, in bulk; one grant covering all that was
     * issued, used by all that expired, keeps {@code verify} (credits = what is left of grants) true.
     */
    private static void grantWhatWasIssued(org.jdbi.v3.core.Handle handle, Clients.Client client) {
        handle.createUpdate("""
                with moved as (
                    select min(e.id) filter (where e.kind = 'credit_issued') as first_issued,
                           max(e.id) filter (where e.kind = 'credit_expired') as last_expired,
                           coalesce(sum(-p.amount_minor) filter (where e.kind = 'credit_issued'), 0) as issued,
                           coalesce(sum(p.amount_minor) filter (where e.kind = 'credit_expired'), 0) as expired
                    from postings p
                    join journal_entries e on e.business_id = p.business_id and e.id = p.entry_id
                    where p.business_id = :business_id and p.account_id = :credits),
                grant_row as (
                    insert into credit_grants (business_id, client_id, entry_id, amount_minor, remaining_minor)
                    select :business_id, :client_id, first_issued, issued, issued - expired from moved
                    returning id)
                insert into credit_grant_uses (business_id, entry_id, grant_id, amount_minor)
                select :business_id, moved.last_expired, grant_row.id, moved.expired
                from moved, grant_row where moved.expired > 0
                """)
                .bind("business_id", client.businessId())
                .bind("client_id", client.id())
                .bind("credits", client.credits().id())
                .execute();
    }

    private static EntryRequest movement(
            Clients.Client client, String kind, long debit, long credit, long amountMinor) {
        return new EntryRequest(
                client.businessId(),
                kind,
                Optional.empty(),
                dev.settle.ledger.Actor.system(),
                Optional.of(client.id()),
                Optional.empty(),
                List.of(PostingRequest.debit(debit, amountMinor), PostingRequest.credit(credit, amountMinor)));
    }
}

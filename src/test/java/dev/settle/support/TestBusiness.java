package dev.settle.support;

import dev.settle.business.ApiKeys;
import dev.settle.business.Businesses;
import dev.settle.business.Role;
import dev.settle.clients.ClientMoney;
import dev.settle.clients.Clients;
import dev.settle.db.Database;
import dev.settle.invoices.Invoices;
import dev.settle.ledger.AccountKind;
import dev.settle.ledger.Actor;
import dev.settle.ledger.EntryRequest;
import dev.settle.ledger.Ledger;
import dev.settle.ledger.PostedEntry;
import dev.settle.ledger.PostingRequest;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** A fresh business for one test: its id, API key and business-wide accounts, plus helpers. */
public record TestBusiness(long id, String name, String apiKey, Map<AccountKind, Long> accounts) {
    private static final AtomicInteger counter = new AtomicInteger();
    private static final Ledger ledger = new Ledger();

    public static TestBusiness create() {
        return create("USD");
    }

    public static TestBusiness create(String currency) {
        final Database db = TestDatabase.get();
        final int number = counter.incrementAndGet();
        return db.jdbi().inTransaction(handle -> {
            final Businesses businesses = new Businesses(ledger, new ApiKeys());
            final Businesses.CreatedBusiness created = businesses.create(
                    handle, "Test Salon " + number, currency, "America/New_York", "owner" + number + "@salon.example");
            // Tests read the emails they expect; notices to clients are on only where a test turns them on.
            handle.execute(
                    "update businesses set notify_receipts = false, notify_new_funds = false,"
                            + " notify_credit_expiring = false, notify_gift_card_delivered = false where id = ?",
                    created.business().id());
            final Map<AccountKind, Long> accounts = new EnumMap<>(AccountKind.class);
            for (AccountKind kind : AccountKind.values()) {
                if (kind.scope == AccountKind.Scope.BUSINESS) {
                    accounts.put(
                            kind,
                            businesses.accountId(handle, created.business().id(), kind));
                }
            }
            return new TestBusiness(created.business().id(), created.business().name(), created.apiKey(), accounts);
        });
    }

    /** A staff member who signs in with {@link TestStaff#PASSWORD}. */
    public TestStaff staff(Role role) {
        return TestStaff.create(id, role);
    }

    public long account(AccountKind kind) {
        return accounts.get(kind);
    }

    public Clients.Client aClient(String name) {
        return aClient(name, Optional.empty(), Optional.empty());
    }

    public Clients.Client aClient(String name, Optional<String> email, Optional<String> phone) {
        return TestDatabase.get()
                .jdbi()
                .inTransaction(handle -> new Clients(ledger).create(handle, id, name, email, phone));
    }

    /** Posts in a transaction of its own; throws the ledger's Problem if refused. */
    public PostedEntry post(String kind, PostingRequest... postings) {
        return TestDatabase.get()
                .jdbi()
                .inTransaction(handle -> ledger.post(handle, EntryRequest.bySystem(id, kind, List.of(postings))));
    }

    /** An issued invoice with nothing charged on it yet: postings to the client's balance due name it. */
    public long invoiceFor(Clients.Client client) {
        return TestDatabase.get()
                .jdbi()
                .inTransaction(handle -> new Invoices()
                        .issue(
                                handle,
                                id,
                                Optional.of(client.id()),
                                List.of(new Invoices.Line(Invoices.LineKind.SERVICE, "Visit", 1, 1)),
                                Actor.system()));
    }

    /** A manual charge onto the client's balance due (a one-line invoice). */
    public ClientMoney.Outcome charge(Clients.Client client, long amountMinor) {
        return money(handle -> money.charge(
                handle, id, client.id(), ClientMoney.Charge.of(amountMinor, "Test charge"), Actor.system()));
    }

    /** A manual charge onto the client's balance due, recorded as having happened at {@code at}. */
    public ClientMoney.Outcome charge(Clients.Client client, long amountMinor, java.time.OffsetDateTime at) {
        return money(handle -> ledger.dated(
                handle,
                at,
                () -> money.charge(
                        handle, id, client.id(), ClientMoney.Charge.of(amountMinor, "Test charge"), Actor.system())));
    }

    /** A cash payment toward the client's balance due (any more is kept as an open payment). */
    public ClientMoney.Outcome payment(Clients.Client client, long amountMinor) {
        return money(handle -> money.receivePayment(
                handle,
                id,
                client.id(),
                ClientMoney.Payment.of(amountMinor, ClientMoney.Tender.CASH, null, null),
                Actor.system()));
    }

    /** A goodwill credit that never expires. */
    public ClientMoney.Outcome credit(Clients.Client client, long amountMinor) {
        return money(handle -> money.issueCredit(
                handle,
                id,
                client.id(),
                new ClientMoney.Credit(
                        amountMinor, ClientMoney.CreditReason.GOODWILL, Optional.empty(), Optional.empty()),
                Actor.system()));
    }

    /** A goodwill credit recorded as given at {@code at}, lasting until {@code expiresOn}. */
    public ClientMoney.Outcome credit(
            Clients.Client client,
            long amountMinor,
            Optional<java.time.LocalDate> expiresOn,
            java.time.OffsetDateTime at) {
        return money(handle -> ledger.dated(
                handle,
                at,
                () -> money.issueCredit(
                        handle,
                        id,
                        client.id(),
                        new ClientMoney.Credit(
                                amountMinor, ClientMoney.CreditReason.GOODWILL, Optional.empty(), expiresOn),
                        Actor.system())));
    }

    /** An open payment received in cash at {@code at}. */
    public ClientMoney.Outcome openPayment(Clients.Client client, long amountMinor, java.time.OffsetDateTime at) {
        return money(handle -> ledger.dated(
                handle,
                at,
                () -> money.receiveOpenPayment(
                        handle,
                        id,
                        client.id(),
                        ClientMoney.Payment.of(amountMinor, ClientMoney.Tender.CASH, null, null),
                        Actor.system())));
    }

    /** Part of the client's open payments paid back in cash. */
    public ClientMoney.Outcome refundOpenPayment(Clients.Client client, long amountMinor) {
        return money(handle -> money.refundOpenPayment(
                handle,
                id,
                client.id(),
                ClientMoney.Payment.of(amountMinor, ClientMoney.Tender.CASH, null, null),
                Actor.system()));
    }

    /** An open payment received in cash. */
    public ClientMoney.Outcome openPayment(Clients.Client client, long amountMinor) {
        return money(handle -> money.receiveOpenPayment(
                handle,
                id,
                client.id(),
                ClientMoney.Payment.of(amountMinor, ClientMoney.Tender.CASH, null, null),
                Actor.system()));
    }

    private static final ClientMoney money =
            new ClientMoney(ledger, new Clients(ledger), new Businesses(ledger, new ApiKeys()), new Invoices());

    private static ClientMoney.Outcome money(
            org.jdbi.v3.core.HandleCallback<ClientMoney.Outcome, RuntimeException> operation) {
        return TestDatabase.get().jdbi().inTransaction(operation);
    }

    /** A draft ticket through the API: for the client (or a walk-in when null), with these JSON lines. */
    public long ticket(Clients.Client client, String linesJson) {
        final TestApp.Reply reply = TestApp.post(
                apiKey,
                "/api/v1/invoices",
                "{\"currency\": \"USD\", " + (client == null ? "" : "\"clientId\": " + client.id() + ", ")
                        + "\"lines\": [" + linesJson + "]}");
        if (reply.status() != 201) {
            throw new AssertionError("ticket not drafted: " + reply.body());
        }
        return reply.json().get("id").asLong();
    }

    /** Checks the ticket out through the API with this JSON body (its currency added). */
    public TestApp.Reply checkout(long invoiceId, String bodyJson) {
        return TestApp.post(
                apiKey,
                "/api/v1/invoices/" + invoiceId + "/checkout",
                bodyJson.replaceFirst("\\{", "{\"currency\": \"USD\", "));
    }

    /** The client's invoices with something unpaid, oldest first. */
    public List<Invoices.Invoice> unpaidInvoices(Clients.Client client) {
        return TestDatabase.get().jdbi().withHandle(handle -> new Invoices().unpaid(handle, id, client.id()));
    }

    /** A promotional gift card holding {@code amountMinor}, with its code. */
    public dev.settle.giftcards.GiftCards.Issued giftCard(long amountMinor) {
        return giftCard(amountMinor, java.time.OffsetDateTime.now());
    }

    /** A promotional gift card given at {@code at}. */
    public dev.settle.giftcards.GiftCards.Issued giftCard(long amountMinor, java.time.OffsetDateTime at) {
        return TestDatabase.get()
                .jdbi()
                .inTransaction(handle -> ledger.dated(
                        handle,
                        at,
                        () -> new dev.settle.giftcards.GiftCards(
                                        ledger, new Businesses(ledger, new ApiKeys()), new Clients(ledger))
                                .promote(handle, id, amountMinor, "Test promotion", Optional.empty(), Actor.system())));
    }

    public long balance(long accountId) {
        return TestDatabase.get()
                .jdbi()
                .withHandle(handle ->
                        ledger.account(handle, id, accountId).orElseThrow().balanceMinor());
    }
}

package dev.settle.clients;

import dev.settle.Problem;
import dev.settle.business.TextInput;
import dev.settle.ledger.Account;
import dev.settle.ledger.AccountKind;
import dev.settle.ledger.Ledger;
import dev.settle.ledger.PostedEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Clients of a business, each with its three accounts: balance due, open payments, credits. */
public final class Clients {
    private final Ledger ledger;

    public Clients(Ledger ledger) {
        this.ledger = ledger;
    }

    public record Client(
            long businessId,
            long id,
            String name,
            Optional<String> email,
            Optional<String> phone,
            Optional<OffsetDateTime> archivedAt,
            Account receivable,
            Account openPayments,
            Account credits) {

        public boolean archived() {
            return archivedAt.isPresent();
        }

        /** The client as {@code entry} left them: each account's balance after its last posting there. */
        public Client after(PostedEntry entry) {
            return new Client(
                    businessId,
                    id,
                    name,
                    email,
                    phone,
                    archivedAt,
                    afterEntry(receivable, entry),
                    afterEntry(openPayments, entry),
                    afterEntry(credits, entry));
        }

        private static Account afterEntry(Account account, PostedEntry entry) {
            return entry.postings().stream()
                    .filter(posting -> posting.accountId() == account.id())
                    .max(java.util.Comparator.comparingLong(PostedEntry.Posting::accountVersion))
                    .map(last -> new Account(
                            account.businessId(),
                            account.id(),
                            account.kind(),
                            account.clientId(),
                            account.giftCardId(),
                            last.balanceAfterMinor(),
                            last.accountVersion()))
                    .orElse(account);
        }
    }

    /** Who a client is and how to reach them, checked as people type it. */
    public record Contact(String name, Optional<String> email, Optional<String> phone) {
        public static Contact of(String name, Optional<String> email, Optional<String> phone) {
            final String checkedName = TextInput.required(name, "name", "Name", 200);
            final Optional<String> checkedEmail =
                    email.flatMap(text -> TextInput.optional(text, "email", "Email", 254));
            if (checkedEmail.isPresent() && !checkedEmail.get().matches(TextInput.EMAIL)) {
                throw Problem.validation("email", "Email must be an address such as client@example.com");
            }
            final Optional<String> checkedPhone = phone.flatMap(text -> TextInput.optional(text, "phone", "Phone", 40));
            if (checkedPhone.isPresent() && !checkedPhone.get().matches("[0-9+()\\-. ]{3,40}")) {
                throw Problem.validation("phone", "Phone may hold digits, spaces and + ( ) - . only");
            }
            return new Contact(checkedName, checkedEmail, checkedPhone);
        }
    }

    /** The three balances of a client at one instant. */
    public record Balances(long balanceDueMinor, long openPaymentsMinor, long creditsMinor) {}

    public Client create(Handle handle, long businessId, String name, Optional<String> email, Optional<String> phone) {
        final Contact contact = Contact.of(name, email, phone);
        final long id = handle.createQuery("""
                insert into clients (business_id, name, email, phone)
                values (:business_id, :name, :email, :phone)
                returning id
                """)
                .bind("business_id", businessId)
                .bind("name", contact.name())
                .bind("email", contact.email().orElse(null))
                .bind("phone", contact.phone().orElse(null))
                .mapTo(Long.class)
                .one();
        for (AccountKind kind : List.of(AccountKind.RECEIVABLE, AccountKind.OPEN_PAYMENTS, AccountKind.CREDITS)) {
            ledger.openAccount(handle, businessId, kind, Optional.of(id));
        }
        return find(handle, businessId, id).orElseThrow();
    }

    /** Replaces a client's name, email and phone. */
    public Client edit(Handle handle, long businessId, long clientId, Contact contact) {
        final int found = handle.createUpdate("""
                update clients set name = :name, email = :email, phone = :phone, updated_at = now()
                where business_id = :business_id and id = :id
                """)
                .bind("name", contact.name())
                .bind("email", contact.email().orElse(null))
                .bind("phone", contact.phone().orElse(null))
                .bind("business_id", businessId)
                .bind("id", clientId)
                .execute();
        return found(handle, businessId, clientId, found);
    }

    /** Archives (or brings back) a client: left out of searches, history kept. Idempotent. */
    public Client archive(Handle handle, long businessId, long clientId, boolean archived) {
        final int found = handle.createUpdate("""
                update clients
                set archived_at = case when :archived then coalesce(archived_at, now()) end, updated_at = now()
                where business_id = :business_id and id = :id
                """)
                .bind("archived", archived)
                .bind("business_id", businessId)
                .bind("id", clientId)
                .execute();
        return found(handle, businessId, clientId, found);
    }

    /** The three balances as they stood at {@code at}. */
    public Balances balancesAt(Handle handle, Client client, Instant at) {
        final List<Long> balances = ledger.balancesAt(
                handle,
                client.businessId(),
                List.of(
                        client.receivable().id(),
                        client.openPayments().id(),
                        client.credits().id()),
                at);
        return new Balances(balances.get(0), balances.get(1), balances.get(2));
    }

    public Optional<Client> find(Handle handle, long businessId, long clientId) {
        // One round trip for the client and its accounts: most requests read a client several times.
        return withAccounts(handle, businessId, clientId, "select :id as id").stream()
                .findFirst();
    }

    /**
     * The client, then the others in their household by id (the order their funds are drawn on),
     * each with its accounts, in one round trip. Empty when there is no such client.
     */
    public List<Client> withHousehold(Handle handle, long businessId, long clientId) {
        return withAccounts(handle, businessId, clientId, """
                select :id as id
                union
                select m.id from clients h
                cross join lateral (select m.id from clients m
                                    where m.business_id = :business_id and m.household_id = h.household_id
                                    offset 0) m
                where h.business_id = :business_id and h.id = :id""");
    }

    /**
     * The clients whose ids {@code members} selects, each with its accounts. Each client and its
     * accounts are read by key: a join or an "or" read every client or account of the business
     * where PostgreSQL guessed businesses small (decision 0024).
     */
    private static List<Client> withAccounts(Handle handle, long businessId, long clientId, String members) {
        final List<ClientAccountRow> rows = handle.createQuery("""
                        with members as (%s)
                        select c.id as client_id, c.name, c.email, c.phone, c.archived_at,
                               a.business_id, a.id, a.kind, a.gift_card_id, a.balance_minor, a.version
                        from members
                        cross join lateral (select c.id, c.name, c.email, c.phone, c.archived_at from clients c
                                            where c.business_id = :business_id and c.id = members.id
                                            offset 0) c
                        cross join lateral (select a.business_id, a.id, a.kind, a.gift_card_id, a.balance_minor,
                                                   a.version
                                            from accounts a
                                            where a.business_id = :business_id and a.client_id = c.id
                                            offset 0) a
                        order by c.id <> :id, c.id, a.id
                        """.formatted(members))
                .bind("business_id", businessId)
                .bind("id", clientId)
                .map((rs, ctx) -> new ClientAccountRow(
                        rs.getLong("client_id"),
                        rs.getString("name"),
                        Optional.ofNullable(rs.getString("email")),
                        Optional.ofNullable(rs.getString("phone")),
                        Optional.ofNullable(rs.getObject("archived_at", OffsetDateTime.class)),
                        Ledger.account(rs, ctx)))
                .list();
        final java.util.Map<Long, List<ClientAccountRow>> byClient = new java.util.LinkedHashMap<>();
        rows.forEach(row -> byClient.computeIfAbsent(row.id(), id -> new java.util.ArrayList<>())
                .add(row));
        return byClient.values().stream()
                .map(clientRows -> {
                    final ClientAccountRow first = clientRows.getFirst();
                    final List<Account> accounts =
                            clientRows.stream().map(ClientAccountRow::account).toList();
                    return new Client(
                            businessId,
                            first.id(),
                            first.name(),
                            first.email(),
                            first.phone(),
                            first.archivedAt(),
                            pick(accounts, AccountKind.RECEIVABLE),
                            pick(accounts, AccountKind.OPEN_PAYMENTS),
                            pick(accounts, AccountKind.CREDITS));
                })
                .toList();
    }

    private record ClientAccountRow(
            long id,
            String name,
            Optional<String> email,
            Optional<String> phone,
            Optional<OffsetDateTime> archivedAt,
            Account account) {}

    /** The client, or a not-found problem: another business's client is answered the same way. */
    public Client require(Handle handle, long businessId, long clientId) {
        return find(handle, businessId, clientId).orElseThrow(() -> notFound(clientId));
    }

    private Client found(Handle handle, long businessId, long clientId, int updated) {
        if (updated == 0) {
            throw notFound(clientId);
        }
        return find(handle, businessId, clientId).orElseThrow();
    }

    private static Problem notFound(long clientId) {
        return Problem.notFound("clientId", "No client has id " + clientId);
    }

    /** One row of a client list: who, and where their money stands. */
    public record Summary(
            long id,
            String name,
            Optional<String> email,
            Optional<String> phone,
            boolean archived,
            long balanceDueMinor,
            long openPaymentsMinor,
            long creditsMinor,
            Cursor cursor) {}

    /** Where a list left off: the last row's place in name order. Opaque to callers. */
    public record Cursor(String sortName, long id) {
        public String encode() {
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString((id + ":" + sortName).getBytes(StandardCharsets.UTF_8));
        }

        /** The cursor {@code text} names, or a validation problem for the field {@code cursor}. */
        public static Cursor decode(String text) {
            try {
                final String decoded = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
                final int colon = decoded.indexOf(':');
                final String sortName = decoded.substring(colon + 1);
                if (sortName.chars().anyMatch(Character::isISOControl)) {
                    throw new IllegalArgumentException("no name holds control characters");
                }
                return new Cursor(sortName, Long.parseLong(decoded.substring(0, colon)));
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                throw Problem.validation("cursor", "cursor must be a nextCursor this API returned");
            }
        }
    }

    /** What to list: a query (blank for all), archived clients or not, from where, how many. */
    public record Search(String query, boolean includeArchived, Optional<Cursor> after, int limit) {}

    /**
     * Clients whose name or email contains the query, or whose phone contains its digits, by name.
     * Archived clients only when asked for.
     */
    public List<Summary> search(Handle handle, long businessId, Search search) {
        final String text = search.query() == null ? "" : search.query().strip();
        // Phone numbers are matched on digits only when the query is mostly digits: "anna1990@..."
        // is an email, not part of a phone number.
        final String digits = text.replaceAll("\\D", "");
        final String phoneDigits = digits.length() >= 3
                        && digits.length() * 2 >= text.replaceAll("\\s", "").length()
                ? digits
                : "";
        return handle.createQuery("""
                select c.id, c.name, c.email, c.phone, c.archived_at is not null as archived,
                       lower(c.name) as sort_name, due.balance_minor as due, paid.balance_minor as paid,
                       given.balance_minor as given
                from clients c
                join accounts due on due.business_id = c.business_id and due.client_id = c.id
                     and due.kind = 'receivable'
                join accounts paid on paid.business_id = c.business_id and paid.client_id = c.id
                     and paid.kind = 'open_payments'
                join accounts given on given.business_id = c.business_id and given.client_id = c.id
                     and given.kind = 'credits'
                where c.business_id = :business_id
                  and (:include_archived or c.archived_at is null)
                  and (:after_id = 0 or (lower(c.name), c.id) > (:after_name, :after_id))
                  and (:text = ''
                       or lower(c.name) like lower(:pattern) escape '!'
                       or lower(c.email) like lower(:pattern) escape '!'
                       or (:digits <> '' and regexp_replace(c.phone, '\\D', '', 'g') like '%' || :digits || '%'))
                order by lower(c.name), c.id
                limit :limit
                """)
                .bind("business_id", businessId)
                .bind("include_archived", search.includeArchived())
                .bind("after_name", search.after().map(Cursor::sortName).orElse(""))
                .bind("after_id", search.after().map(Cursor::id).orElse(0L))
                .bind("text", text)
                .bind("pattern", "%" + text.replaceAll("([!%_])", "!$1") + "%")
                .bind("digits", phoneDigits)
                .bind("limit", search.limit())
                .map((rs, ctx) -> new Summary(
                        rs.getLong("id"),
                        rs.getString("name"),
                        Optional.ofNullable(rs.getString("email")),
                        Optional.ofNullable(rs.getString("phone")),
                        rs.getBoolean("archived"),
                        rs.getLong("due"),
                        rs.getLong("paid"),
                        rs.getLong("given"),
                        new Cursor(rs.getString("sort_name"), rs.getLong("id"))))
                .list();
    }

    private static Account pick(List<Account> accounts, AccountKind kind) {
        return accounts.stream()
                .filter(account -> account.kind() == kind)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("client without a " + kind.dbName + " account"));
    }
}

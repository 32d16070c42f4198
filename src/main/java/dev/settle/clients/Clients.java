package dev.settle.clients;

import dev.settle.Problem;
import dev.settle.business.TextInput;
import dev.settle.ledger.Account;
import dev.settle.ledger.AccountKind;
import dev.settle.ledger.Ledger;
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
            Account receivable,
            Account openPayments,
            Account credits) {}

    public Client create(Handle handle, long businessId, String name, Optional<String> email, Optional<String> phone) {
        final String checkedName = TextInput.required(name, "name", "Name", 200);
        final Optional<String> checkedEmail = email.flatMap(text -> TextInput.optional(text, "email", "Email", 254));
        if (checkedEmail.isPresent() && !checkedEmail.get().matches(TextInput.EMAIL)) {
            throw Problem.validation("email", "Email must be an address such as client@example.com");
        }
        final Optional<String> checkedPhone = phone.flatMap(text -> TextInput.optional(text, "phone", "Phone", 40));
        if (checkedPhone.isPresent() && !checkedPhone.get().matches("[0-9+()\\-. ]{3,40}")) {
            throw Problem.validation("phone", "Phone may hold digits, spaces and + ( ) - . only");
        }
        final long id = handle.createQuery("""
                insert into clients (business_id, name, email, phone)
                values (:business_id, :name, :email, :phone)
                returning id
                """)
                .bind("business_id", businessId)
                .bind("name", checkedName)
                .bind("email", checkedEmail.orElse(null))
                .bind("phone", checkedPhone.orElse(null))
                .mapTo(Long.class)
                .one();
        for (AccountKind kind : List.of(AccountKind.RECEIVABLE, AccountKind.OPEN_PAYMENTS, AccountKind.CREDITS)) {
            ledger.openAccount(handle, businessId, kind, Optional.of(id));
        }
        return find(handle, businessId, id).orElseThrow();
    }

    public Optional<Client> find(Handle handle, long businessId, long clientId) {
        final List<Account> accounts = ledger.accounts(handle, businessId, Optional.of(clientId));
        return handle.createQuery(
                        "select id, name, email, phone from clients where business_id = :business_id and id = :id")
                .bind("business_id", businessId)
                .bind("id", clientId)
                .map((rs, ctx) -> new Client(
                        businessId,
                        rs.getLong("id"),
                        rs.getString("name"),
                        Optional.ofNullable(rs.getString("email")),
                        Optional.ofNullable(rs.getString("phone")),
                        pick(accounts, AccountKind.RECEIVABLE),
                        pick(accounts, AccountKind.OPEN_PAYMENTS),
                        pick(accounts, AccountKind.CREDITS)))
                .findOne();
    }

    /** One row of a client list: who, and where their money stands. */
    public record Summary(
            long id,
            String name,
            Optional<String> email,
            Optional<String> phone,
            long balanceDueMinor,
            long openPaymentsMinor,
            long creditsMinor) {}

    /**
     * Clients whose name or email contains {@code query}, or whose phone contains its digits; all
     * clients when it is blank. By name, {@code limit} from {@code offset}.
     */
    public List<Summary> search(Handle handle, long businessId, String query, int limit, int offset) {
        final String text = query == null ? "" : query.strip();
        // Phone numbers are matched on digits only when the query is mostly digits: "anna1990@..."
        // is an email, not part of a phone number.
        final String digits = text.replaceAll("\\D", "");
        final String phoneDigits = digits.length() >= 3
                        && digits.length() * 2 >= text.replaceAll("\\s", "").length()
                ? digits
                : "";
        return handle.createQuery("""
                select c.id, c.name, c.email, c.phone, due.balance_minor as due, paid.balance_minor as paid,
                       given.balance_minor as given
                from clients c
                join accounts due on due.business_id = c.business_id and due.client_id = c.id
                     and due.kind = 'receivable'
                join accounts paid on paid.business_id = c.business_id and paid.client_id = c.id
                     and paid.kind = 'open_payments'
                join accounts given on given.business_id = c.business_id and given.client_id = c.id
                     and given.kind = 'credits'
                where c.business_id = :business_id
                  and (:text = ''
                       or lower(c.name) like lower(:pattern) escape '!'
                       or lower(c.email) like lower(:pattern) escape '!'
                       or (:digits <> '' and regexp_replace(c.phone, '\\D', '', 'g') like '%' || :digits || '%'))
                order by lower(c.name), c.id
                limit :limit offset :offset
                """)
                .bind("business_id", businessId)
                .bind("text", text)
                .bind("pattern", "%" + text.replaceAll("([!%_])", "!$1") + "%")
                .bind("digits", phoneDigits)
                .bind("limit", limit)
                .bind("offset", offset)
                .map((rs, ctx) -> new Summary(
                        rs.getLong("id"),
                        rs.getString("name"),
                        Optional.ofNullable(rs.getString("email")),
                        Optional.ofNullable(rs.getString("phone")),
                        rs.getLong("due"),
                        rs.getLong("paid"),
                        rs.getLong("given")))
                .list();
    }

    private static Account pick(List<Account> accounts, AccountKind kind) {
        return accounts.stream()
                .filter(account -> account.kind() == kind)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("client without a " + kind.dbName + " account"));
    }
}

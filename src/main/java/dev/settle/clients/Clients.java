package dev.settle.clients;

import dev.settle.Problem;
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
        if (name == null || name.isBlank() || name.length() > 200) {
            throw Problem.validation("name", "name must be 1 to 200 characters");
        }
        if (email.isPresent() && !email.get().matches("[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]{1,63}")) {
            throw Problem.validation("email", "email must be an address such as client@example.com");
        }
        if (phone.isPresent() && !phone.get().matches("[0-9+()\\-. ]{3,40}")) {
            throw Problem.validation("phone", "phone may hold digits, spaces and + ( ) - . only");
        }
        final long id = handle.createQuery("""
                insert into clients (business_id, name, email, phone)
                values (:business_id, :name, :email, :phone)
                returning id
                """)
                .bind("business_id", businessId)
                .bind("name", name.strip())
                .bind("email", email.orElse(null))
                .bind("phone", phone.orElse(null))
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

    private static Account pick(List<Account> accounts, AccountKind kind) {
        return accounts.stream()
                .filter(account -> account.kind() == kind)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("client without a " + kind.dbName + " account"));
    }
}

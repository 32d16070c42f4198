package dev.settle.business;

import dev.settle.Problem;
import dev.settle.ledger.AccountKind;
import dev.settle.ledger.Ledger;
import dev.settle.money.CurrencyCode;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Tenants: a business, its owner, its first API key and its business-wide ledger accounts. */
public final class Businesses {
    private final Ledger ledger;
    private final ApiKeys apiKeys;
    private final java.util.Map<BusinessAccount, Long> businessAccounts =
            new java.util.concurrent.ConcurrentHashMap<>();

    public Businesses(Ledger ledger, ApiKeys apiKeys) {
        this.ledger = ledger;
        this.apiKeys = apiKeys;
    }

    public record Business(long id, String name, String currency, String timeZone) {}

    /** What {@code business create} hands back: the only time the password and key are shown. */
    public record CreatedBusiness(
            Business business, long ownerId, String ownerEmail, String ownerPassword, String apiKey) {}

    /** Creates a business whose owner is called "Owner" until they are given a name. */
    public CreatedBusiness create(Handle handle, String name, String currencyCode, String timeZone, String ownerEmail) {
        return create(handle, name, currencyCode, timeZone, ownerEmail, "Owner");
    }

    /** Creates a business, in one transaction of the caller's. */
    public CreatedBusiness create(
            Handle handle, String name, String currencyCode, String timeZone, String ownerEmail, String ownerName) {
        final String checkedOwnerName = TextInput.required(ownerName, "ownerName", "Owner name", 200);
        if (name == null || name.isBlank() || name.length() > 200) {
            throw Problem.validation("name", "name must be 1 to 200 characters");
        }
        CurrencyCode.parse(currencyCode, "currency");
        try {
            ZoneId.of(timeZone);
        } catch (DateTimeException | NullPointerException e) {
            throw Problem.validation("timeZone", "time zone must be an IANA name such as America/New_York");
        }
        if (ownerEmail == null || !ownerEmail.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+") || ownerEmail.length() > 254) {
            throw Problem.validation("ownerEmail", "owner email must be an address such as owner@example.com");
        }
        final Business business = handle.createQuery("""
                insert into businesses (name, currency, time_zone)
                values (:name, :currency, :time_zone)
                returning id, name, currency, time_zone
                """)
                .bind("name", name.strip())
                .bind("currency", currencyCode)
                .bind("time_zone", timeZone)
                .map((rs, ctx) -> new Business(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                .one();
        Arrays.stream(AccountKind.values())
                .filter(kind -> kind.scope == AccountKind.Scope.BUSINESS)
                .forEach(kind -> ledger.openAccount(handle, business.id(), kind, Optional.empty()));
        final String password = Passwords.generate();
        final long ownerId = handle.createQuery("""
                insert into staff_users (business_id, email, display_name, role, password_hash, must_change_password)
                values (:business_id, :email, :display_name, 'owner', :password_hash, true)
                returning id
                """)
                .bind("business_id", business.id())
                .bind("email", ownerEmail.toLowerCase(Locale.ROOT))
                .bind("display_name", checkedOwnerName)
                .bind("password_hash", Passwords.hash(password))
                .mapTo(Long.class)
                .one();
        final ApiKeys.CreatedKey key = apiKeys.create(handle, business.id(), "created with the business");
        return new CreatedBusiness(business, ownerId, ownerEmail, password, key.key());
    }

    public Optional<Business> find(Handle handle, long businessId) {
        return handle.createQuery("select id, name, currency, time_zone from businesses where id = :id")
                .bind("id", businessId)
                .map((rs, ctx) -> new Business(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                .findOne();
    }

    /**
     * The id of the business's own account of {@code kind} (cash, sales, ...). Such an account is
     * never removed nor renumbered once made, so each is asked of the database once: a checkout
     * needs several, and the round trips showed in the benchmark. An id seen in a transaction that
     * then rolled back is never handed out again, so a stale one is never used.
     */
    public long accountId(Handle handle, long businessId, AccountKind kind) {
        if (kind.scope != AccountKind.Scope.BUSINESS) {
            throw new IllegalArgumentException(kind + " is not a business-wide account");
        }
        final BusinessAccount key = new BusinessAccount(businessId, kind);
        final Long known = businessAccounts.get(key);
        if (known != null) {
            return known;
        }
        final long id = handle.createQuery("""
            select id from accounts
            where business_id = :business_id and kind = :kind and client_id is null and gift_card_id is null
            """)
                .bind("business_id", businessId)
                .bind("kind", kind.dbName)
                .mapTo(Long.class)
                .one();
        businessAccounts.put(key, id);
        return id;
    }

    private record BusinessAccount(long businessId, AccountKind kind) {}
}

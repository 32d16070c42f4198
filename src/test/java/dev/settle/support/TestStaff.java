package dev.settle.support;

import dev.settle.business.Passwords;
import dev.settle.business.Role;
import java.util.concurrent.atomic.AtomicInteger;

/** A staff member of a test business, with a known password. */
public record TestStaff(long businessId, long id, String name, String email, Role role) {
    public static final String PASSWORD = "correct horse battery";
    // Hashed once: argon2id is slow on purpose, and every test staff member shares the password.
    private static final String PASSWORD_HASH = Passwords.hash(PASSWORD);
    private static final AtomicInteger counter = new AtomicInteger();

    static TestStaff create(long businessId, Role role) {
        final int number = counter.incrementAndGet();
        final String name = role.label + " " + number;
        final String email = role.dbName.replace('_', '-') + number + "@staff.example";
        final long id = TestDatabase.get()
                .jdbi()
                .withHandle(handle -> handle.createQuery("""
                        insert into staff_users (business_id, email, display_name, role, password_hash)
                        values (:business_id, :email, :name, :role, :hash)
                        returning id
                        """)
                        .bind("business_id", businessId)
                        .bind("email", email)
                        .bind("name", name)
                        .bind("role", role.dbName)
                        .bind("hash", PASSWORD_HASH)
                        .mapTo(Long.class)
                        .one());
        return new TestStaff(businessId, id, name, email, role);
    }
}

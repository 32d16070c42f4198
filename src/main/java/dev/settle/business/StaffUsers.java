package dev.settle.business;

import dev.settle.Problem;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The people who work for a business. Never deleted: entries name who moved money, so a person who
 * leaves is deactivated and keeps their name in history. A business always keeps an active owner.
 */
public final class StaffUsers {
    /** At most this many accounts share one email (one person working for several businesses). */
    static final int SAME_EMAIL_MAX = 20;

    public record StaffUser(
            long businessId,
            long id,
            String email,
            String displayName,
            Role role,
            boolean active,
            OffsetDateTime createdAt,
            Optional<OffsetDateTime> deactivatedAt) {}

    /** A staff user added with a password someone else chose; it is shown once. */
    public record Added(StaffUser user, String temporaryPassword) {}

    /** An active account a sign-in could mean, with what checking the password needs. */
    public record SignInCandidate(long businessId, String businessName, long staffId, String passwordHash) {}

    private static final String COLUMNS =
            "business_id, id, email, display_name, role, active, created_at, deactivated_at";

    public List<StaffUser> list(Handle handle, long businessId) {
        return handle.createQuery("select " + COLUMNS + """
                 from staff_users where business_id = :business_id
                order by active desc, lower(display_name), id
                """)
                .bind("business_id", businessId)
                .map((rs, ctx) -> new StaffUser(
                        rs.getLong("business_id"),
                        rs.getLong("id"),
                        rs.getString("email"),
                        rs.getString("display_name"),
                        Role.fromDb(rs.getString("role")).orElseThrow(),
                        rs.getBoolean("active"),
                        rs.getObject("created_at", OffsetDateTime.class),
                        Optional.ofNullable(rs.getObject("deactivated_at", OffsetDateTime.class))))
                .list();
    }

    public Optional<StaffUser> find(Handle handle, long businessId, long staffId) {
        return list(handle, businessId).stream()
                .filter(user -> user.id() == staffId)
                .findFirst();
    }

    public Added add(Handle handle, long businessId, String displayName, String email, Role role) {
        final String name = TextInput.required(displayName, "displayName", "Name", 200);
        final String address = TextInput.email(email, "email");
        final String password = Passwords.generate();
        // "on conflict" rather than a check first: two clicks on Add at once must not become a 500.
        final long id = handle.createQuery("""
                insert into staff_users (business_id, email, display_name, role, password_hash, must_change_password)
                values (:business_id, :email, :display_name, :role, :password_hash, true)
                on conflict (business_id, email) do nothing
                returning id
                """)
                .bind("business_id", businessId)
                .bind("email", address)
                .bind("display_name", name)
                .bind("role", role.dbName)
                .bind("password_hash", Passwords.hash(password))
                .mapTo(Long.class)
                .findOne()
                .orElseThrow(
                        () -> Problem.validation("email", "Someone on your staff already signs in with " + address));
        return new Added(find(handle, businessId, id).orElseThrow(), password);
    }

    /** Changes someone else's role; the business must keep an active owner. */
    public void changeRole(Handle handle, long businessId, long changedBy, long staffId, Role role) {
        final StaffUser user = other(handle, businessId, changedBy, staffId, "change your own role");
        if (user.role() == Role.OWNER && role != Role.OWNER) {
            requireAnotherActiveOwner(handle, businessId, staffId);
        }
        handle.createUpdate("update staff_users set role = :role where business_id = :business_id and id = :id")
                .bind("role", role.dbName)
                .bind("business_id", businessId)
                .bind("id", staffId)
                .execute();
    }

    /** Stops someone signing in, and ends their sessions now. */
    public void deactivate(Handle handle, long businessId, long changedBy, long staffId) {
        final StaffUser user = other(handle, businessId, changedBy, staffId, "deactivate yourself");
        if (user.role() == Role.OWNER) {
            requireAnotherActiveOwner(handle, businessId, staffId);
        }
        handle.createUpdate("""
                update staff_users set active = false, deactivated_at = now()
                where business_id = :business_id and id = :id and active
                """)
                .bind("business_id", businessId)
                .bind("id", staffId)
                .execute();
        endSessions(handle, businessId, staffId);
    }

    public void reactivate(Handle handle, long businessId, long changedBy, long staffId) {
        other(handle, businessId, changedBy, staffId, "reactivate yourself");
        handle.createUpdate("""
                update staff_users set active = true, deactivated_at = null
                where business_id = :business_id and id = :id
                """)
                .bind("business_id", businessId)
                .bind("id", staffId)
                .execute();
    }

    /** Gives someone a new temporary password (they choose their own at next sign-in). */
    public String resetPassword(Handle handle, long businessId, long changedBy, long staffId) {
        other(handle, businessId, changedBy, staffId, "reset your own password here; use Your password");
        final String password = Passwords.generate();
        setPassword(handle, businessId, staffId, password, true);
        endSessions(handle, businessId, staffId);
        return password;
    }

    /** A person's own new password, checked against the current one. */
    public void changeOwnPassword(
            Handle handle, long businessId, long staffId, String currentPassword, String newPassword) {
        final String hash = handle.createQuery(
                        "select password_hash from staff_users where business_id = :business_id and id = :id")
                .bind("business_id", businessId)
                .bind("id", staffId)
                .mapTo(String.class)
                .one();
        if (currentPassword == null || !Passwords.matches(currentPassword, hash)) {
            throw Problem.validation("currentPassword", "That is not your current password");
        }
        Passwords.checkStrength(newPassword, "newPassword");
        if (newPassword.equals(currentPassword)) {
            throw Problem.validation("newPassword", "Choose a password different from the current one");
        }
        setPassword(handle, businessId, staffId, newPassword, false);
    }

    /** Active accounts signing in with {@code email}, in every business. */
    public List<SignInCandidate> signInCandidates(Handle handle, String email) {
        return handle.createQuery("""
                select u.business_id, b.name, u.id, u.password_hash
                from staff_users u join businesses b on b.id = u.business_id
                where u.email = :email and u.active
                order by b.name, u.business_id
                limit :limit
                """)
                .bind("email", email)
                .bind("limit", SAME_EMAIL_MAX)
                .map((rs, ctx) -> new SignInCandidate(
                        rs.getLong("business_id"),
                        rs.getString("name"),
                        rs.getLong("id"),
                        rs.getString("password_hash")))
                .list();
    }

    private StaffUser other(Handle handle, long businessId, long changedBy, long staffId, String refusedAction) {
        if (changedBy == staffId) {
            throw Problem.validation("staffId", "You can't " + refusedAction);
        }
        // One staff change at a time per business, so two owners demoting each other at once
        // cannot leave it with none.
        handle.createQuery("select id from businesses where id = :business_id for update")
                .bind("business_id", businessId)
                .mapTo(Long.class)
                .one();
        // Checked again under the lock: an owner demoted a moment ago must not finish a change.
        final boolean stillOwner = find(handle, businessId, changedBy)
                .filter(user -> user.active() && user.role() == Role.OWNER)
                .isPresent();
        if (!stillOwner) {
            throw Problem.validation("staffId", "Only an active owner can change staff");
        }
        return find(handle, businessId, staffId).orElseThrow(() -> Problem.notFound("staffId", "No such staff member"));
    }

    /**
     * The rule itself, checked where it could break. (Only an active owner changes staff, and never
     * themselves, so today another active owner always exists; this keeps it so for any new caller.)
     */
    private static void requireAnotherActiveOwner(Handle handle, long businessId, long staffId) {
        final List<Long> owners = handle.createQuery("""
                select id from staff_users
                where business_id = :business_id and role = 'owner' and active and id <> :id
                """)
                .bind("business_id", businessId)
                .bind("id", staffId)
                .mapTo(Long.class)
                .list();
        if (owners.isEmpty()) {
            throw Problem.validation("role", "The business needs at least one active owner");
        }
    }

    private static void setPassword(Handle handle, long businessId, long staffId, String password, boolean temporary) {
        handle.createUpdate("""
                update staff_users set password_hash = :hash, must_change_password = :temporary
                where business_id = :business_id and id = :id
                """)
                .bind("hash", Passwords.hash(password))
                .bind("temporary", temporary)
                .bind("business_id", businessId)
                .bind("id", staffId)
                .execute();
    }

    static void endSessions(Handle handle, long businessId, long staffId) {
        handle.createUpdate("delete from staff_sessions where business_id = :business_id and staff_id = :id")
                .bind("business_id", businessId)
                .bind("id", staffId)
                .execute();
    }
}

package dev.settle.business;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a staff user may do. Each role can do everything the one below it can: a front desk takes
 * payments and sells gift cards, a manager also corrects money (adjustments, refunds, voids,
 * credits), an owner also runs the business (settings, staff, API keys).
 */
public enum Role {
    FRONT_DESK("front_desk", "Front desk"),
    MANAGER("manager", "Manager"),
    OWNER("owner", "Owner");

    public final String dbName;
    public final String label;

    Role(String dbName, String label) {
        this.dbName = dbName;
        this.label = label;
    }

    public boolean includes(Role least) {
        return compareTo(least) >= 0;
    }

    public static Optional<Role> fromDb(String dbName) {
        return Arrays.stream(values())
                .filter(role -> role.dbName.equals(dbName))
                .findFirst();
    }
}

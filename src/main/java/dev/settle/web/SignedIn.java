package dev.settle.web;

import dev.settle.business.Role;
import dev.settle.ledger.Actor;

/** The staff member a page request is made by, in the business their session belongs to. */
public record SignedIn(
        long businessId,
        String businessName,
        long staffId,
        String staffName,
        String email,
        Role role,
        boolean mustChangePassword,
        String csrfToken,
        byte[] sessionTokenHash,
        Formats formats) {

    public Actor actor() {
        return Actor.staff(staffId);
    }
}

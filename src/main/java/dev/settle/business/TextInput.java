package dev.settle.business;

import dev.settle.Problem;
import java.util.Locale;
import java.util.Optional;

/** Checks text people type into one-line fields, before it reaches the database. */
public final class TextInput {
    public static final String EMAIL = "[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]{1,63}";

    private TextInput() {}

    /** {@code text} stripped, 1 to {@code lengthMax} characters with no control characters. */
    public static String required(String text, String field, String label, int lengthMax) {
        return optional(text, field, label, lengthMax)
                .orElseThrow(() -> Problem.validation(field, label + " is required"));
    }

    /** Like {@link #required}, but blank means absent. */
    public static Optional<String> optional(String text, String field, String label, int lengthMax) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        final String stripped = text.strip();
        if (stripped.length() > lengthMax) {
            throw Problem.validation(field, label + " must be at most " + lengthMax + " characters");
        }
        // NUL cannot be stored in PostgreSQL text, and no other control character belongs in a name.
        if (stripped.chars().anyMatch(Character::isISOControl)) {
            throw Problem.validation(field, label + " must not contain control characters");
        }
        return Optional.of(stripped);
    }

    /** An email address, lower-cased: sign-in and lookups compare addresses case-blind. */
    public static String email(String text, String field) {
        final String email = required(text, field, "Email", 254);
        if (!email.matches(EMAIL)) {
            throw Problem.validation(field, "Email must be an address such as name@example.com");
        }
        return email.toLowerCase(Locale.ROOT);
    }
}

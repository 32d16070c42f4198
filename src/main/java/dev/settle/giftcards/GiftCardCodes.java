package dev.settle.giftcards;

import dev.settle.business.Secrets;
import java.util.Locale;
import java.util.Optional;

/**
 * Gift card codes: 16 characters of Crockford's base 32 (80 random bits), shown in groups of four.
 * The alphabet has no I, L, O or U, and a typed O reads as 0 and I or L as 1, so a code read aloud
 * or off a smudged card still works. Only a hash of the code (with the business id) is stored.
 */
public final class GiftCardCodes {
    static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    static final int LENGTH = 16;

    /** The first characters a balance check is throttled by, across all who try them. */
    static final int PREFIX_LENGTH = 4;

    private GiftCardCodes() {}

    public static String random() {
        return Secrets.randomFrom(ALPHABET, LENGTH);
    }

    /** "7KQ2-M9XD-4HPR-T0WE": how a code is printed and shown. */
    public static String grouped(String code) {
        return String.join("-", code.substring(0, 4), code.substring(4, 8), code.substring(8, 12), code.substring(12));
    }

    /** A code as typed (any case, spaces or dashes, O for 0), or empty if it cannot be one. */
    public static Optional<String> normalize(String typed) {
        if (typed == null) {
            return Optional.empty();
        }
        final String code = typed.toUpperCase(Locale.ROOT)
                .replaceAll("[\\s-]", "")
                .replace('O', '0')
                .replace('I', '1')
                .replace('L', '1');
        if (code.length() != LENGTH || !code.chars().allMatch(c -> ALPHABET.indexOf(c) >= 0)) {
            return Optional.empty();
        }
        return Optional.of(code);
    }

    static byte[] hash(long businessId, String code) {
        return Secrets.sha256("gift-card:" + businessId + ":" + code);
    }

    static String last4(String code) {
        return code.substring(LENGTH - 4);
    }

    static String prefix(String code) {
        return code.substring(0, PREFIX_LENGTH);
    }
}

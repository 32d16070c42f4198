package dev.settle.web;

import java.text.MessageFormat;
import java.util.Locale;
import java.util.ResourceBundle;

/**
 * The words Settle writes to a business's clients (notices, receipts), in the business's language
 * (resources {@code notices/notices*.properties}); English where Settle has none.
 */
public final class ClientWords {
    private ClientWords() {}

    public static ResourceBundle of(Locale locale) {
        return ResourceBundle.getBundle(
                "notices.notices",
                locale,
                ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES));
    }

    /** The phrase {@code key} with its {0}, {1}… filled in; pass numbers already formatted. */
    public static String format(ResourceBundle words, String key, Object... arguments) {
        return MessageFormat.format(words.getString(key), arguments);
    }
}

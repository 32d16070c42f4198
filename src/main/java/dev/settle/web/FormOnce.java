package dev.settle.web;

import dev.settle.business.Secrets;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;

/**
 * A money form sent twice (a double click, a reload after a slow answer) records once. Each form
 * carries a random token; the first submission claims it in {@code idempotency_keys}, in the same
 * transaction as its effect, and keeps the message it showed; a second gets that message back and
 * changes nothing. A submission that failed rolled back its claim, so the form can be sent again.
 */
public final class FormOnce {
    public static final String FIELD = "formToken";
    private static final String PREFIX = "form:";

    private FormOnce() {}

    /** The token for a form about to be shown: a form shown again after an error keeps its own. */
    public static String tokenFor(Form form) {
        final String sent = form.value(FIELD);
        return sent.isBlank() ? Secrets.random256() : sent;
    }

    /**
     * Runs {@code effect} (which returns the message to show) unless this token already ran, in
     * which case the earlier message comes back. Call inside the effect's transaction.
     */
    public static String run(Handle handle, long businessId, String token, Supplier<String> effect) {
        if (token == null || token.isBlank() || token.length() > 200) {
            return effect.get();
        }
        final String key = PREFIX + token;
        final boolean claimed = handle.createUpdate("""
                        insert into idempotency_keys (business_id, key, request_fingerprint)
                        values (:business_id, :key, :fingerprint)
                        on conflict (business_id, key) do nothing
                        """)
                        .bind("business_id", businessId)
                        .bind("key", key)
                        .bind("fingerprint", Secrets.sha256(key))
                        .execute()
                == 1;
        if (!claimed) {
            return "Already recorded; the form was sent twice. "
                    + handle.createQuery(
                                    "select response_body from idempotency_keys where business_id = :business_id and key = :key")
                            .bind("business_id", businessId)
                            .bind("key", key)
                            .mapTo(String.class)
                            .one();
        }
        final String message = effect.get();
        handle.createUpdate("""
                update idempotency_keys set response_status = 303, response_body = :message
                where business_id = :business_id and key = :key
                """)
                .bind("message", message)
                .bind("business_id", businessId)
                .bind("key", key)
                .execute();
        return message;
    }
}

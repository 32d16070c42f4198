package dev.settle;

import java.util.Optional;

/**
 * An expected failure a caller can act on: bad input, something missing, not enough funds. The one
 * root for every such outcome; the web layer turns it into one {@code application/problem+json}
 * shape. Programmer errors are not Problems: they fail fast and show as a 500.
 */
public final class Problem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The stable kinds. A kind's slug is part of the API: never rename one. */
    public enum Kind {
        VALIDATION("validation", "The request is not valid", 400),
        MALFORMED_JSON("malformed-json", "The request body is not valid JSON", 400),
        UNAUTHENTICATED("unauthenticated", "A valid API key is required", 401),
        NOT_FOUND("not-found", "Not found", 404),
        METHOD_NOT_ALLOWED("method-not-allowed", "Method not allowed", 405),
        CLIENT_ARCHIVED("client-archived", "The client is archived", 409),
        CONFLICT("conflict", "The request conflicts with what has happened since", 409),
        ALREADY_REVERSED("already-reversed", "The entry has already been reversed", 409),
        REVERSAL_REFUSED("reversal-refused", "The entry cannot be reversed", 409),
        PAYLOAD_TOO_LARGE("payload-too-large", "The request body is too large", 413),
        UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", "The request body must be JSON", 415),
        INSUFFICIENT_FUNDS("insufficient-funds", "Insufficient funds", 422),
        CARD_DECLINED("card-declined", "The card was declined; nothing was charged", 402),
        OVERPAID("invoice-overpaid", "The payment is more than the invoice owes", 422),
        TOO_MANY_REQUESTS("too-many-requests", "Too many attempts; wait before trying again", 429),
        IDEMPOTENCY_MISMATCH("idempotency-key-reused", "The Idempotency-Key was used for a different request", 422),
        UNAVAILABLE("unavailable", "The service is temporarily unavailable; retry", 503);

        public final String slug;
        public final String title;
        public final int status;

        Kind(String slug, String title, int status) {
            this.slug = slug;
            this.title = title;
            this.status = status;
        }
    }

    private final Kind kind;
    private final String field;

    public Problem(Kind kind, String field, String detail) {
        super(detail);
        this.kind = kind;
        this.field = field;
    }

    public static Problem validation(String field, String detail) {
        return new Problem(Kind.VALIDATION, field, detail);
    }

    public static Problem notFound(String field, String detail) {
        return new Problem(Kind.NOT_FOUND, field, detail);
    }

    public Kind kind() {
        return kind;
    }

    /** The request field at fault, as a path ({@code postings[1].amountMinor}), if one is. */
    public Optional<String> field() {
        return Optional.ofNullable(field);
    }

    public String detail() {
        return getMessage();
    }
}

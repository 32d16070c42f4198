package dev.settle.web;

import dev.settle.Problem;
import dev.settle.business.ApiKeys;
import io.javalin.http.Context;
import org.jdbi.v3.core.Jdbi;

/** Resolves {@code Authorization: Bearer <api key>} to the one business the key belongs to. */
public final class ApiAuth {
    private static final String CALLER = "settle.caller";

    private final Jdbi jdbi;
    private final ApiKeys apiKeys;
    private final LiveApiKeys liveKeys;

    public ApiAuth(Jdbi jdbi, ApiKeys apiKeys, LiveApiKeys liveKeys) {
        this.jdbi = jdbi;
        this.apiKeys = apiKeys;
        this.liveKeys = liveKeys;
    }

    /** A before-handler for every {@code /api} route. */
    public void authenticate(Context ctx) {
        final String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new Problem(Problem.Kind.UNAUTHENTICATED, "Authorization", "send Authorization: Bearer <api key>");
        }
        final String key = header.substring(7).strip();
        final ApiKeys.Caller caller = liveKeys.caller(
                        key, () -> jdbi.withHandle(handle -> apiKeys.authenticate(handle, key)))
                .orElseThrow(() -> new Problem(
                        Problem.Kind.UNAUTHENTICATED, "Authorization", "the API key is unknown or revoked"));
        ctx.attribute(CALLER, caller);
    }

    /** The caller {@link #authenticate} resolved for this request. */
    public static ApiKeys.Caller caller(Context ctx) {
        final ApiKeys.Caller caller = ctx.attribute(CALLER);
        if (caller == null) {
            throw new IllegalStateException("route " + ctx.path() + " is not behind ApiAuth");
        }
        return caller;
    }
}

package dev.settle.business;

import dev.settle.web.ApiAuth;
import io.javalin.http.Context;
import org.jdbi.v3.core.Jdbi;

/** {@code /api/v1/business}: the business the API key belongs to. */
public final class BusinessApi {
    private final Jdbi jdbi;
    private final Businesses businesses;

    public BusinessApi(Jdbi jdbi, Businesses businesses) {
        this.jdbi = jdbi;
        this.businesses = businesses;
    }

    public void get(Context ctx) {
        final ApiKeys.Caller caller = ApiAuth.caller(ctx);
        ctx.json(jdbi.withHandle(handle -> businesses.find(handle, caller.businessId()))
                .orElseThrow());
    }
}

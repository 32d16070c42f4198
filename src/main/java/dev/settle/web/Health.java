package dev.settle.web;

import dev.settle.db.Database;
import io.javalin.http.Context;
import java.util.Map;

/** {@code GET /health}: 200 when the database answers, 503 when it does not. */
public final class Health {
    private final Database database;

    public Health(Database database) {
        this.database = database;
    }

    public void get(Context ctx) {
        final boolean up = database.isReachable();
        ctx.status(up ? 200 : 503)
                .json(Map.of(
                        "status",
                        up ? "ok" : "unavailable",
                        "database",
                        Map.of("status", up ? "up" : "down", "embedded", database.isEmbedded())));
    }
}

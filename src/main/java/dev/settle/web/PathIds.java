package dev.settle.web;

import dev.settle.Problem;
import io.javalin.http.Context;

/** Ids in paths. A malformed id names nothing, so it is answered like a missing one: 404. */
public final class PathIds {
    private PathIds() {}

    public static long of(Context ctx, String name) {
        final String text = ctx.pathParam(name);
        try {
            final long id = Long.parseLong(text);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // fall through to the 404 below
        }
        throw Problem.notFound(name, "no " + name.replace("Id", "") + " has id " + text);
    }
}

package dev.settle.web;

import dev.settle.Problem;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes a {@link Problem} as RFC 9457 {@code application/problem+json}. */
public final class Problems {
    public static final String CONTENT_TYPE = "application/problem+json";
    private static final String TYPE_BASE = "https://settle.dev/problems/";

    private Problems() {}

    public static String toJson(Problem problem) {
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPE_BASE + problem.kind().slug);
        body.put("title", problem.kind().title);
        body.put("status", problem.kind().status);
        body.put("detail", problem.detail());
        problem.field().ifPresent(field -> body.put("field", field));
        return Json.write(body);
    }

    public static void respond(Context ctx, Problem problem) {
        ctx.status(problem.kind().status).contentType(CONTENT_TYPE).result(toJson(problem));
    }
}

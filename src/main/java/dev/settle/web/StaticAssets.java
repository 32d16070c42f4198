package dev.settle.web;

import dev.settle.business.Secrets;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The pages' few static files (the stylesheet, the script, htmx), read once from the jar and kept
 * in memory. Javalin's classpath static files mount the whole jar (33,000 entries) as a file
 * system first: 0.9 s of every start, a third of it (issue 10, P6).
 */
public final class StaticAssets {
    /** A file as served: its bytes, type and version tag. */
    private record Asset(byte[] bytes, String contentType, String etag) {}

    /** URL path to where the file is on the classpath. */
    private static final Map<String, String> FILES = Map.of(
            "/assets/settle.css", "assets/settle.css",
            "/assets/settle.js", "assets/settle.js",
            "/webjars/htmx.org/2.0.4/dist/htmx.min.js", "META-INF/resources/webjars/htmx.org/2.0.4/dist/htmx.min.js");

    private StaticAssets() {}

    /**
     * A handler for each file, by URL path. The browser revalidates with the file's tag and gets
     * 304 while it is unchanged.
     */
    public static Map<String, Handler> handlers() {
        return FILES.entrySet().stream().collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, file -> {
            final Asset asset = read(file.getValue());
            return ctx -> serve(ctx, asset);
        }));
    }

    private static void serve(Context ctx, Asset asset) {
        ctx.header("ETag", asset.etag());
        ctx.header("Cache-Control", "no-cache");
        if (asset.etag().equals(ctx.header("If-None-Match"))) {
            ctx.status(HttpStatus.NOT_MODIFIED);
        } else {
            ctx.contentType(asset.contentType()).result(asset.bytes());
        }
    }

    private static Asset read(String resource) {
        try (InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing from the jar: " + resource);
            }
            final byte[] bytes = in.readAllBytes();
            final String contentType =
                    resource.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
            final String etag = "\"" + HexFormat.of().formatHex(Secrets.sha256(bytes), 0, 8) + "\"";
            return new Asset(bytes, contentType, etag);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

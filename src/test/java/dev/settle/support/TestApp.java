package dev.settle.support;

import com.fasterxml.jackson.databind.JsonNode;
import dev.settle.App;
import dev.settle.web.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** One Settle serving HTTP on a free port over the test database, and a small client for it. */
public final class TestApp {
    private static App app;
    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The key the test app seals processor keys with (a fixed one: tests read them back). */
    public static final dev.settle.business.SecretBox SECRETS = new dev.settle.business.SecretBox(new byte[32]);

    private TestApp() {}

    public static synchronized int port() {
        if (app == null) {
            app = App.start(
                    TestDatabase.get(),
                    0,
                    new App.Options(
                            java.util.Optional.of(TestMail.server()),
                            SECRETS,
                            TestStripe.apiBase(),
                            new App.WebhookPolicy(true, false)));
            final App started = app;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close));
        }
        return app.port();
    }

    /** A response as a test looks at it. */
    public record Reply(int status, String contentType, Map<String, java.util.List<String>> headers, String body) {
        public JsonNode json() {
            try {
                return Json.mapper().readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        public String header(String name) {
            return headers.entrySet().stream()
                    .filter(entry -> entry.getKey().equalsIgnoreCase(name))
                    .map(entry -> entry.getValue().getFirst())
                    .findFirst()
                    .orElse(null);
        }
    }

    public static Reply get(String apiKey, String path) {
        return send(request(apiKey, path).GET().build());
    }

    public static Reply post(String apiKey, String path, String json) {
        return post(apiKey, path, json, null);
    }

    public static Reply post(String apiKey, String path, String json, String idempotencyKey) {
        final HttpRequest.Builder builder = request(apiKey, path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (idempotencyKey != null) {
            builder.header("Idempotency-Key", idempotencyKey);
        }
        return send(builder.build());
    }

    public static Reply send(HttpRequest request) {
        return send(http, request);
    }

    /** Sends with {@code client} (one that keeps cookies, say) and reads the reply as text. */
    public static Reply send(HttpClient client, HttpRequest request) {
        try {
            final HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(
                    response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""),
                    response.headers().map(),
                    response.body());
        } catch (IOException e) {
            throw new AssertionError("request failed: " + request, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public static HttpRequest.Builder request(String apiKey, String path) {
        final HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://localhost:" + port() + path))
                .timeout(Duration.ofSeconds(30));
        if (apiKey != null) {
            builder.header("Authorization", "Bearer " + apiKey);
        }
        return builder;
    }
}

package dev.settle.support;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A staff member's browser at the HTTP level: cookies kept, forms posted as a browser would. For
 * what a real browser cannot send (over-long fields past maxlength, NUL characters, missing tokens).
 */
public final class StaffSession {
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

    private final HttpClient http = HttpClient.newBuilder()
            .cookieHandler(new CookieManager())
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private String csrf = "";

    /** Signs in through the sign-in form; fails the test if that does not work. */
    public static StaffSession signIn(TestStaff staff) {
        final StaffSession session = new StaffSession();
        session.get("/signin");
        final TestApp.Reply reply =
                session.post("/signin", Map.of("email", staff.email(), "password", TestStaff.PASSWORD));
        if (reply.status() != 303) {
            throw new AssertionError("sign-in failed: " + reply.status() + " " + reply.body());
        }
        session.get("/clients");
        return session;
    }

    /** GETs a page and remembers its form token. */
    public TestApp.Reply get(String path) {
        final TestApp.Reply reply = send(request(path).GET().build());
        final Matcher matcher = CSRF.matcher(reply.body());
        if (matcher.find()) {
            csrf = matcher.group(1);
        }
        return reply;
    }

    /** Posts a form with the token of the last page fetched, as the page's own form would. */
    public TestApp.Reply post(String path, Map<String, String> fields) {
        final Map<String, String> withToken = new LinkedHashMap<>(fields);
        withToken.put("_csrf", csrf);
        return postWithoutToken(path, withToken);
    }

    public TestApp.Reply postWithoutToken(String path, Map<String, String> fields) {
        final String body = fields.entrySet().stream()
                .map(field -> encode(field.getKey()) + "=" + encode(field.getValue()))
                .collect(Collectors.joining("&"));
        return send(request(path)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    /** A file the page offers for download, as bytes. */
    public java.net.http.HttpResponse<byte[]> download(String path) {
        try {
            return http.send(request(path).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.io.IOException e) {
            throw new AssertionError("request failed: " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public TestApp.Reply send(HttpRequest request) {
        return TestApp.send(http, request);
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + TestApp.port() + path))
                .timeout(Duration.ofSeconds(30));
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}

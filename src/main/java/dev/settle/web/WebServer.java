package dev.settle.web;

import dev.settle.Problem;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP: the whole route table in one place, and the one mapping from failures to problem+json.
 * {@code openapi.yaml} describes the same table; a test holds the two equal.
 */
public final class WebServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebServer.class);
    private static final long REQUEST_BYTES_MAX = 64 * 1024;

    /** One row of the route table: which handler of {@link Handlers} serves a method and path. */
    public record Route(HandlerType method, String path, Function<Handlers, Handler> handler) {}

    private final Javalin javalin;

    private WebServer(Javalin javalin) {
        this.javalin = javalin;
    }

    /** Every route Settle serves; {@code /api/*} routes are behind {@link ApiAuth}. */
    public static List<Route> routes() {
        return List.of(
                new Route(HandlerType.GET, "/health", h -> h.health()::get),
                new Route(HandlerType.GET, "/api/v1/business", h -> h.business()::get),
                new Route(HandlerType.POST, "/api/v1/clients", h -> h.clients()::create),
                new Route(HandlerType.GET, "/api/v1/clients/{clientId}", h -> h.clients()::get),
                new Route(HandlerType.GET, "/api/v1/accounts", h -> h.ledger()::listAccounts),
                new Route(HandlerType.GET, "/api/v1/accounts/{accountId}", h -> h.ledger()::getAccount),
                new Route(HandlerType.GET, "/api/v1/accounts/{accountId}/postings", h -> h.ledger()::accountHistory),
                new Route(HandlerType.POST, "/api/v1/entries", h -> h.ledger()::postEntry),
                new Route(HandlerType.GET, "/api/v1/entries/{entryId}", h -> h.ledger()::getEntry),
                new Route(HandlerType.POST, "/api/v1/entries/{entryId}/reversal", h -> h.ledger()::reverseEntry));
    }

    /** The feature handlers the route table points at. */
    public record Handlers(
            Health health,
            ApiAuth apiAuth,
            dev.settle.business.BusinessApi business,
            dev.settle.clients.ClientsApi clients,
            dev.settle.ledger.LedgerApi ledger) {}

    public static WebServer start(Handlers handlers, int port) {
        final Javalin javalin = Javalin.create(config -> {
            config.jsonMapper(new JavalinJackson(Json.mapper(), false));
            config.http.prefer405over404 = true;
            config.http.maxRequestSize = REQUEST_BYTES_MAX;
            config.startup.showJavalinBanner = false;
            // Requests Jetty refuses before Javalin sees them (a NUL in the path, say) still get
            // problem+json, not Jetty's HTML page.
            config.jetty.modifyServer(server -> server.setErrorHandler(WebServer::respondToJetty));
            config.routes.before("/api/*", handlers.apiAuth()::authenticate);
            for (Route route : routes()) {
                config.routes.addHttpHandler(
                        route.method(), route.path(), route.handler().apply(handlers));
            }
            config.routes.exception(Problem.class, (problem, ctx) -> Problems.respond(ctx, problem));
            config.routes.exception(HttpResponseException.class, WebServer::respondToJavalin);
            config.routes.exception(Exception.class, WebServer::respondToBug);
            config.routes.error(404, WebServer::notFoundUnlessAnswered);
        });
        javalin.start(port);
        return new WebServer(javalin);
    }

    public int port() {
        return javalin.port();
    }

    @Override
    public void close() {
        javalin.stop();
    }

    private static void respondToJavalin(HttpResponseException e, Context ctx) {
        final Problem.Kind kind = switch (e.getStatus()) {
            case 404 -> Problem.Kind.NOT_FOUND;
            case 405 -> Problem.Kind.METHOD_NOT_ALLOWED;
            case 413 -> Problem.Kind.PAYLOAD_TOO_LARGE;
            case 415 -> Problem.Kind.UNSUPPORTED_MEDIA_TYPE;
            case 503 -> Problem.Kind.UNAVAILABLE;
            default -> Problem.Kind.VALIDATION;
        };
        if (kind == Problem.Kind.METHOD_NOT_ALLOWED) {
            ctx.header("Allow", String.join(", ", methodsAllowed(ctx.path())));
        }
        Problems.respond(ctx, new Problem(kind, null, detailFor(kind, ctx)));
    }

    /** The methods the route table serves on {@code path}, for a 405's {@code Allow} header. */
    static List<String> methodsAllowed(String path) {
        return routes().stream()
                .filter(route -> path.matches(route.path().replaceAll("\\{[^/]+}", "[^/]+")))
                .map(route -> route.method().name())
                .distinct()
                .sorted()
                .toList();
    }

    private static boolean respondToJetty(
            org.eclipse.jetty.server.Request request,
            org.eclipse.jetty.server.Response response,
            org.eclipse.jetty.util.Callback callback) {
        final int status = request.getAttribute(ErrorHandler.ERROR_STATUS) instanceof Integer code ? code : 400;
        final Problem.Kind kind = switch (status) {
            case 404 -> Problem.Kind.NOT_FOUND;
            case 413, 431 -> Problem.Kind.PAYLOAD_TOO_LARGE;
            case 503 -> Problem.Kind.UNAVAILABLE;
            default -> Problem.Kind.VALIDATION;
        };
        final String body =
                Problems.toJson(new Problem(kind, null, "the HTTP request itself is malformed (" + status + ")"));
        response.setStatus(kind.status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problems.CONTENT_TYPE);
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }

    private static void notFoundUnlessAnswered(Context ctx) {
        if (!Problems.CONTENT_TYPE.equals(ctx.res().getContentType())) {
            Problems.respond(ctx, new Problem(Problem.Kind.NOT_FOUND, null, detailFor(Problem.Kind.NOT_FOUND, ctx)));
        }
    }

    private static String detailFor(Problem.Kind kind, Context ctx) {
        return switch (kind) {
            case NOT_FOUND -> "no route " + ctx.method() + " " + ctx.path();
            case METHOD_NOT_ALLOWED -> ctx.method() + " is not allowed on " + ctx.path();
            case PAYLOAD_TOO_LARGE -> "request bodies are limited to " + REQUEST_BYTES_MAX + " bytes";
            default -> kind.title;
        };
    }

    private static void respondToBug(Exception e, Context ctx) {
        if (e instanceof Problem problem) {
            Problems.respond(ctx, problem);
            return;
        }
        log.error("unexpected failure on {} {}", ctx.method(), ctx.path(), e);
        ctx.status(500)
                .contentType(Problems.CONTENT_TYPE)
                .result("{\"type\":\"https://settle.dev/problems/internal\",\"title\":\"Internal error\","
                        + "\"status\":500,\"detail\":\"Settle failed unexpectedly; nothing was changed\"}");
    }
}

package sizedrop;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The HTTP contract of sample_apps/README.md. Deciding the answer ({@link #answer}) is a
 * pure function of method, path and query, so the tests can check it without a socket;
 * {@link #handle} only moves bytes.
 */
final class Service implements HttpHandler {

    /** Status, body and whether an {@code Allow: GET} header goes with it. */
    record Answer(int status, String body, boolean allowGet) {
        static Answer of(int status, String body) {
            return new Answer(status, body, false);
        }
    }

    static final String ROOT_BODY = "{\"service\":\"size-drop\",\"language\":\"java\"}\n";
    static final String HEALTH_BODY = "{\"status\":\"ok\"}\n";
    static final String NOT_FOUND_BODY = "{\"error\":\"not found\"}\n";
    static final String METHOD_NOT_ALLOWED_BODY = "{\"error\":\"method not allowed\"}\n";

    static Answer answer(String method, String rawPath, String rawQuery) {
        // The path is compared exactly as it arrived (still percent-encoded), so only the
        // three literal paths exist: "/healthz/", "/primes/" and "//" are all 404.
        boolean known = "/".equals(rawPath) || "/healthz".equals(rawPath) || "/primes".equals(rawPath);
        if (!known) {
            return Answer.of(404, NOT_FOUND_BODY);
        }
        // Methods are case-sensitive in HTTP: "get" and "HEAD" are both "not GET".
        if (!"GET".equals(method)) {
            return new Answer(405, METHOD_NOT_ALLOWED_BODY, true);
        }
        return switch (rawPath) {
            case "/" -> Answer.of(200, ROOT_BODY);
            case "/healthz" -> Answer.of(200, HEALTH_BODY);
            default -> primes(rawQuery);
        };
    }

    private static Answer primes(String rawQuery) {
        PrimesQuery.Result parsed = PrimesQuery.parse(Query.first(rawQuery, "n"));
        if (parsed instanceof PrimesQuery.Invalid invalid) {
            return Answer.of(400, "{\"error\":\"" + invalid.message() + "\"}\n");
        }
        int n = ((PrimesQuery.Valid) parsed).n();
        Primes.Summary summary = Primes.upTo(n);
        String largest = summary.count() == 0 ? "null" : Integer.toString(summary.largest());
        return Answer.of(200, "{\"n\":" + n + ",\"count\":" + summary.count() + ",\"largest\":" + largest + "}\n");
    }

    @Override
    public void handle(HttpExchange exchange) {
        // Whatever happens, the exchange is closed: that frees the connection and, for a
        // request with a body we never read, discards what is left of it.
        try (exchange) {
            Answer answer = answer(exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery());
            send(exchange, answer);
        } catch (IOException e) {
            // The client went away mid-response; there is nobody left to answer.
        } catch (RuntimeException | Error e) {
            // A bug, not a client error. Log it and drop the connection; the server
            // (and the process) keeps running, and nobody receives a 5xx.
            System.err.println("size-drop: unexpected failure: " + e);
        }
    }

    private static void send(HttpExchange exchange, Answer answer) throws IOException {
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (answer.allowGet()) {
            exchange.getResponseHeaders().set("Allow", "GET");
        }
        if ("HEAD".equals(exchange.getRequestMethod())) {
            // A response to HEAD never carries a body on the wire. We still announce the
            // length the body would have, and pass -1 ("no body") so the server does not
            // expect us to write one.
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            exchange.sendResponseHeaders(answer.status(), -1);
            return;
        }
        // A fixed length (rather than 0, which means chunked) sends a Content-Length header.
        exchange.sendResponseHeaders(answer.status(), body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}

package labels;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * labels: a small HTTP service for a shipping desk. Endpoints (all GET, JSON answers), on
 * $PORT (default 8080):
 *
 * <pre>
 *   /healthz                                   {"status":"ok"}
 *   /printer?text=HELLO                        the bytes an EBCDIC (IBM037) label printer gets
 *   /price?amount=1234.5&amp;currency=CHF&amp;locale=de-CH
 *                                              the amount written the way that locale writes it
 * </pre>
 *
 * SIGTERM stops the server and the process exits 0.
 */
public final class App {
    private App() {}

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", App::handle);
        // The JVM's own exit status after SIGTERM is 143; once the server has stopped, end
        // with 0, which is what `docker stop` users expect from a clean stop.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            System.out.println("labels: stopped");
            Runtime.getRuntime().halt(0);
        }));
        server.start();
        System.out.println("labels listening on port " + port);
    }

    static void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                send(exchange, 405, Json.object("error", "method not allowed"));
                return;
            }
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            String path = exchange.getRequestURI().getPath();
            try {
                switch (path) {
                    case "/healthz" -> send(exchange, 200, Json.object("status", "ok"));
                    case "/printer" -> {
                        String text = required(query, "text");
                        send(exchange, 200, Json.object("text", text,
                                "charset", Labels.PRINTER_CHARSET,
                                "hex", Labels.printerBytes(text)));
                    }
                    case "/price" -> send(exchange, 200, Json.object(
                            "locale", required(query, "locale"),
                            "text", Labels.price(required(query, "amount"),
                                    required(query, "currency"), query.get("locale"))));
                    default -> send(exchange, 404, Json.object("error", "not found"));
                }
            } catch (IllegalArgumentException e) {
                send(exchange, 400, Json.object("error", e.getMessage()));
            } catch (RuntimeException e) {
                send(exchange, 500, Json.object("error", e.toString()));
            }
        }
    }

    static String required(Map<String, String> query, String name) {
        String value = query.get(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("missing query parameter " + name);
        }
        return value;
    }

    static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.putIfAbsent(key, value);
        }
        return out;
    }

    static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = (json + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}

package sizedrop;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;

/**
 * The image's HEALTHCHECK: {@code java -cp app.jar sizedrop.HealthCheck}. Distroless
 * images have no curl or wget, so the app checks itself. Only java.base is used
 * (HttpURLConnection, not java.net.http), so it also runs in the two-module jlink runtime.
 * Exits 0 when GET /healthz answers 200, 1 otherwise.
 */
public final class HealthCheck {

    static final int CONNECT_TIMEOUT_MS = 2_000;
    static final int READ_TIMEOUT_MS = 2_000;

    private HealthCheck() {
    }

    public static void main(String[] args) {
        String problem;
        try {
            problem = problem(App.portFrom(System.getenv("PORT")));
        } catch (IllegalArgumentException e) {
            problem = e.getMessage();
        }
        if (problem != null) {
            // Docker keeps the output of the last checks: `docker inspect` shows why one failed.
            System.err.println("healthcheck: " + problem);
        }
        System.exit(problem == null ? 0 : 1);
    }

    /** Null when GET /healthz on the given port answers 200, otherwise what went wrong. */
    static String problem(int port) {
        HttpURLConnection connection = null;
        try {
            URI uri = URI.create("http://127.0.0.1:" + port + "/healthz");
            // NO_PROXY: an http_proxy setting must never route a loopback check elsewhere.
            connection = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
            connection.setConnectTimeout(CONNECT_TIMEOUT_MS);
            connection.setReadTimeout(READ_TIMEOUT_MS);
            connection.setRequestMethod("GET");
            int status = connection.getResponseCode();
            // Read the body to the end, so the exchange completes cleanly on both sides.
            try (InputStream body = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
                if (body != null) {
                    body.readAllBytes();
                }
            }
            return status == 200 ? null : "/healthz answered " + status;
        } catch (IOException e) {
            return e.toString();
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }
}

package labels;

import java.net.HttpURLConnection;
import java.net.URI;

/** {@code java -cp app.jar labels.HealthCheck}: exit 0 when /healthz answers 200. */
public final class HealthCheck {
    private HealthCheck() {}

    public static void main(String[] args) {
        String port = System.getenv().getOrDefault("PORT", "8080");
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(
                    "http://127.0.0.1:" + port + "/healthz").toURL().openConnection();
            c.setConnectTimeout(2000);
            c.setReadTimeout(2000);
            System.exit(c.getResponseCode() == 200 ? 0 : 1);
        } catch (Exception e) {
            System.err.println("healthcheck: " + e);
            System.exit(1);
        }
    }
}

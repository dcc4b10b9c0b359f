package sizedrop;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.ServerSocket;

public class AppTest {

    public void testPortDefaultsTo8080() {
        Check.equal(8080, App.portFrom(null));
        Check.equal(8080, App.portFrom(""));
    }

    public void testPortFromEnvironment() {
        Check.equal(9000, App.portFrom("9000"));
        Check.equal(1, App.portFrom("1"));
        Check.equal(65535, App.portFrom("65535"));
    }

    public void testBadPortIsRejected() {
        for (String bad : new String[] {"0", "65536", "-1", "http", "80 "}) {
            try {
                App.portFrom(bad);
                throw new AssertionError("PORT=\"" + bad + "\" was accepted");
            } catch (IllegalArgumentException expected) {
                // fine
            }
        }
    }

    public void testHealthCheckPassesAgainstARunningServer() throws IOException {
        HttpServer server = App.start(0);
        try {
            Check.equal(null, HealthCheck.problem(server.getAddress().getPort()), "health check against a live server");
        } finally {
            server.stop(0);
        }
    }

    public void testHealthCheckFailsWhenNothingListens() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        // The port was free a moment ago and nothing listens on it now.
        String problem = HealthCheck.problem(port);
        Check.isTrue(problem != null && problem.contains("ConnectException"), "health check with no server: " + problem);
    }

    public void testStopIsQuick() throws IOException {
        HttpServer server = App.start(0);
        long started = System.nanoTime();
        server.stop(0);
        long millis = (System.nanoTime() - started) / 1_000_000;
        Check.isTrue(millis < 1_000, "server.stop(0) took " + millis + " ms");
    }
}

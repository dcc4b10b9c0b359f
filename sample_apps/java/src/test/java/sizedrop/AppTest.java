package sizedrop;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

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
        try (Server server = Server.start(0)) {
            Check.equal(null, HealthCheck.problem(server.port()), "health check against a live server");
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
        Server server = Server.start(0);
        long started = System.nanoTime();
        server.stop(Duration.ofSeconds(1));
        long millis = (System.nanoTime() - started) / 1_000_000;
        Check.isTrue(millis < 500, "stop took " + millis + " ms");
    }

    /** All addresses: [::] (dual-stack) when IPv6 works, else 0.0.0.0; 127.0.0.1 reaches it either way. */
    public void testListensOnAllAddresses() throws IOException {
        try (Server server = Server.start(0)) {
            InetSocketAddress address = server.address();
            Check.isTrue(address.getAddress().isAnyLocalAddress(), "listening on " + address);
            Check.equal(Server.ipv6Usable(), address.getAddress() instanceof Inet6Address, "IPv6 socket for " + address);
            try (Socket ipv4 = new Socket(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), server.port())) {
                Check.isTrue(ipv4.isConnected(), "IPv4 client connected");
            }
        }
    }

    /**
     * As PID 1 in a container the JVM gets SIGTERM from `docker stop`. Process.destroy() sends
     * SIGTERM on Linux: the service must stop within 2 s and exit 0, not the JVM's usual 143.
     */
    public void testSigtermStopsTheServiceWithExitStatusZero() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "sizedrop.App")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("PORT", Integer.toString(port));
        Process process = builder.start();
        try {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (HealthCheck.problem(port) != null) {
                Check.isTrue(System.nanoTime() < deadline && process.isAlive(), "the service did not come up");
                Thread.sleep(50);
            }
            long started = System.nanoTime();
            process.destroy(); // SIGTERM
            Check.isTrue(process.waitFor(2, TimeUnit.SECONDS), "still running 2 s after SIGTERM");
            long millis = (System.nanoTime() - started) / 1_000_000;
            Check.equal(0, process.exitValue(), "exit status after SIGTERM (" + millis + " ms)");
        } finally {
            process.destroyForcibly();
        }
    }
}

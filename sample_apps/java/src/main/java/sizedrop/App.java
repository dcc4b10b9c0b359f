package sizedrop;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Entry point of the Size Drop service: starts the JDK's built-in HTTP server
 * (module jdk.httpserver), so the app needs no library beyond the JDK itself.
 * That keeps the jlink runtime down to two modules: java.base and jdk.httpserver.
 */
public final class App {

    /** Port used when $PORT is not set. */
    static final int DEFAULT_PORT = 8080;

    /**
     * How many not-yet-accepted connections the kernel may queue for us.
     * The JDK default (50) is small enough that a burst of 200 clients could be refused.
     */
    static final int BACKLOG = 1024;

    private App() {
    }

    public static void main(String[] args) {
        int port;
        try {
            port = portFrom(System.getenv("PORT"));
        } catch (IllegalArgumentException e) {
            System.err.println("size-drop: " + e.getMessage());
            System.exit(2);
            return;
        }

        HttpServer server;
        try {
            server = start(port);
        } catch (IOException e) {
            System.err.println("size-drop: cannot listen on port " + port + ": " + e);
            System.exit(1);
            return;
        }

        // `docker stop` sends SIGTERM to PID 1. The JVM turns SIGTERM into an orderly exit
        // that runs shutdown hooks, so stopping the server here is all the signal handling
        // we need. stop(0) closes the listener and open exchanges at once instead of waiting
        // for idle keep-alive connections, so the process is gone well within the 2 s budget.
        // The exit status is then 143 (128 + SIGTERM), the JVM's normal answer to SIGTERM.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("size-drop: SIGTERM received, stopping");
            server.stop(0);
        }, "shutdown"));

        System.out.println("size-drop: java service listening on port " + server.getAddress().getPort());
        // main() returns here; the server's dispatcher thread keeps the JVM alive.
    }

    /**
     * Binds all interfaces on the given port (0 picks a free one, which the tests use)
     * and starts serving. Each request runs on its own virtual thread: they are cheap
     * enough that 200 slow requests at once need no pool sizing at all.
     */
    static HttpServer start(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(port), BACKLOG);
        // One context for "/" receives every path; Service matches the exact path itself,
        // because a context "/healthz" would also match "/healthz/" and "/healthzzz".
        server.createContext("/", new Service());
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.start();
        return server;
    }

    /**
     * Reads the port from the value of $PORT: unset or empty means 8080, otherwise it
     * must be a whole number from 1 to 65535.
     */
    static int portFrom(String value) {
        if (value == null || value.isEmpty()) {
            return DEFAULT_PORT;
        }
        int port;
        try {
            port = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("PORT must be a number, got \"" + value + "\"");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("PORT must be between 1 and 65535, got " + port);
        }
        return port;
    }
}

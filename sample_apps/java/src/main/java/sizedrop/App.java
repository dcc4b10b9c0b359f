package sizedrop;

import java.io.IOException;
import java.time.Duration;

/**
 * Entry point of the Size Drop service. The HTTP server is the app's own ({@link Server}, on
 * plain JDK sockets), so the app needs no library and no module beyond java.base.
 */
public final class App {

    /** Port used when $PORT is not set. */
    static final int DEFAULT_PORT = 8080;

    /** How long a stopping server waits for requests in progress (docker stop -t 2 in the checks). */
    static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(1);

    /** The exit status the shutdown hook ends the process with. */
    private static volatile int exitStatus = 0;

    private App() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port;
        try {
            port = portFrom(System.getenv("PORT"));
        } catch (IllegalArgumentException e) {
            System.err.println("size-drop: " + e.getMessage());
            System.exit(2);
            return;
        }

        Server server;
        try {
            server = Server.start(port);
            System.out.println("size-drop: java service listening on " + server.address());
        } catch (IOException e) {
            System.err.println("size-drop: cannot listen on port " + port + ": " + e);
            System.exit(1);
            return;
        }

        // `docker stop` sends SIGTERM to PID 1. The JVM turns SIGTERM (and SIGINT) into an orderly
        // exit that runs shutdown hooks; this one stops the server. Left alone, the JVM would then
        // exit with status 143 (128 + SIGTERM). A stop that was asked for is not a failure, and
        // the Go and Python apps exit 0, so the hook ends the process itself with halt(0) once
        // the server has stopped. (No jdk.unsupported signal API needed: java.base only.)
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("size-drop: stopping");
            server.stop(SHUTDOWN_GRACE);
            System.out.flush();
            Runtime.getRuntime().halt(exitStatus);
        }, "shutdown"));

        // The accept loop runs until stop(); if it ever ends on its own, the service is broken.
        server.awaitStop();
        if (!server.stopping()) {
            System.err.println("size-drop: the server stopped accepting connections");
            exitStatus = 1;
            System.exit(1);
        }
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

package sizedrop;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A small HTTP/1.1 server on plain JDK sockets, one virtual thread per connection.
 *
 * <p>Why not the JDK's com.sun.net.httpserver: it parses the request line before any handler or
 * filter runs, and answers some requests itself with an HTML 400 ("//", "//healthz", a broken
 * escape such as "%zz"). The contract wants the same JSON from the three apps for every
 * request, so this class reads the request head itself ({@link RequestReader}) and answers every
 * refused request in JSON too. It speaks HTTP/1.0 and 1.1 with keep-alive; a request that
 * carries a body gets its answer, and then the connection is closed (the body is never read).
 */
final class Server implements AutoCloseable {

    /** Connections the kernel may queue before we accept them (the JDK's default is 50). */
    static final int BACKLOG = 1024;
    /** A request head must arrive within this time; also how long an idle connection stays. */
    static final Duration HEAD_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Closing while the client still sends (a 20 KB request line refused after 8 KB, say) makes
     * the kernel reset the connection, which can destroy our answer before the client reads it.
     * So the sending side is shut first and the rest of the input read and dropped, for a
     * bounded time and amount ("lingering close").
     */
    static final Duration LINGER = Duration.ofSeconds(2);
    static final long LINGER_BYTES = 1 << 20;

    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    private static final Map<Integer, String> REASONS = Map.of(
            200, "OK", 400, "Bad Request", 404, "Not Found", 405, "Method Not Allowed",
            414, "URI Too Long", 431, "Request Header Fields Too Large", 500, "Internal Server Error");

    private final ServerSocketChannel listener;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closing;

    private Server(ServerSocketChannel listener) {
        this.listener = listener;
        // A platform thread, not a daemon: it keeps the JVM running after main() returns.
        this.acceptor = Thread.ofPlatform().name("accept").unstarted(this::acceptLoop);
    }

    /** Listens on all addresses (see {@link #listen}) of the port, 0 for any free one, and serves. */
    static Server start(int port) throws IOException {
        Server server = new Server(listen(port));
        server.acceptor.start();
        return server;
    }

    /**
     * All addresses: the dual-stack [::] (IPv6, and IPv4 through mapped addresses) when the
     * container has IPv6, otherwise 0.0.0.0 on an IPv4 socket. Docker disables IPv6 inside
     * containers unless the network enables it; the Go and Python apps make the same choice, so
     * the three show the same listening sockets in /proc/net/tcp and /proc/net/tcp6.
     */
    static ServerSocketChannel listen(int port) throws IOException {
        boolean v6 = ipv6Usable();
        ServerSocketChannel channel = ServerSocketChannel.open(v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            // On Linux the JDK opens IPv6 sockets with IPV6_V6ONLY off: [::] takes IPv4 too.
            InetAddress any = InetAddress.getByAddress(new byte[v6 ? 16 : 4]);
            channel.bind(new InetSocketAddress(any, port), BACKLOG);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Whether an IPv6 socket can bind ::1, the test every app of the project uses. */
    static boolean ipv6Usable() {
        try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
            byte[] loopback = new byte[16];
            loopback[15] = 1; // ::1, built from bytes: no name lookup
            probe.bind(new InetSocketAddress(InetAddress.getByAddress(loopback), 0));
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) listener.getLocalAddress();
    }

    int port() throws IOException {
        return address().getPort();
    }

    /** Blocks until the server has stopped accepting connections. */
    void awaitStop() throws InterruptedException {
        acceptor.join();
    }

    boolean stopping() {
        return closing;
    }

    private void acceptLoop() {
        while (true) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                if (closing || !listener.isOpen()) {
                    return;
                }
                // Out of file descriptors, say: wait a little instead of spinning.
                System.err.println("size-drop: accept failed: " + e);
                sleep(100);
                continue;
            }
            open.add(channel);
            if (closing) { // stop() may have run between accept() and add()
                open.remove(channel);
                closeQuietly(channel);
                continue;
            }
            Thread.ofVirtual().name("connection").start(() -> serve(channel));
        }
    }

    private void serve(SocketChannel channel) {
        try {
            Socket socket = channel.socket();
            DeadlineInput input = new DeadlineInput(socket);
            RequestReader reader = new RequestReader(new BufferedInputStream(input, RequestReader.MAX_REQUEST_LINE + 2));
            OutputStream out = socket.getOutputStream();
            while (true) {
                input.deadline(HEAD_TIMEOUT);
                if (closing) {
                    return;
                }
                RequestReader.Request request;
                try {
                    request = reader.read();
                } catch (RequestReader.BadRequest bad) {
                    out.write(response(Service.Answer.error(bad.status, bad.getMessage()), false, true));
                    linger(channel, input);
                    return;
                } catch (IOException e) {
                    return; // gone, silent or too slow: nobody to answer
                }
                if (request.expectContinue()) {
                    out.write(CONTINUE);
                }
                boolean keepAlive = request.keepAlive() && !request.hasBody() && !closing;
                Service.Answer answer = guarded(request);
                out.write(response(answer, request.method().equals("HEAD"), !keepAlive));
                if (!keepAlive) {
                    linger(channel, input);
                    return;
                }
            }
        } catch (IOException e) {
            // The client went away while we wrote; there is nobody left to answer.
        } finally {
            open.remove(channel);
            closeQuietly(channel);
        }
    }

    /**
     * The service's answer, with a safety net: no input is supposed to make it throw, but if a bug
     * ever does, the client gets a JSON 500 and the server keeps serving.
     */
    private static Service.Answer guarded(RequestReader.Request request) {
        try {
            return Service.answer(request.method(), request.target());
        } catch (RuntimeException | Error e) {
            System.err.println("size-drop: failure serving " + request.method() + " " + request.target() + ": " + e);
            return Service.Answer.error(500, "internal error");
        }
    }

    /** The bytes of a response. A HEAD gets the same status and headers but no body. */
    static byte[] response(Service.Answer answer, boolean head, boolean close) {
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        StringBuilder text = new StringBuilder(160)
                .append("HTTP/1.1 ").append(answer.status()).append(' ').append(REASONS.get(answer.status())).append("\r\n")
                .append("Content-Type: application/json\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n");
        if (answer.allowGet()) {
            text.append("Allow: GET\r\n");
        }
        if (close) {
            text.append("Connection: close\r\n");
        }
        text.append("\r\n");
        if (!head) {
            text.append(answer.body());
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void linger(SocketChannel channel, DeadlineInput input) {
        if (closing) {
            return;
        }
        try {
            channel.shutdownOutput();
            input.deadline(LINGER);
            byte[] sink = new byte[8192];
            long total = 0;
            int n;
            while (total < LINGER_BYTES && (n = input.read(sink, 0, sink.length)) >= 0) {
                total += n;
            }
        } catch (IOException e) {
            // timed out or reset: close anyway
        }
    }

    /**
     * Stops accepting, lets requests in progress finish for up to grace, then closes what is left.
     * Idle keep-alive connections are closed at once.
     */
    void stop(Duration grace) {
        closing = true;
        closeQuietly(listener);
        for (SocketChannel channel : open) {
            try {
                // Wakes a connection waiting for a request (its read sees the end of input); one
                // busy with a request still writes its answer.
                channel.shutdownInput();
            } catch (IOException e) {
                closeQuietly(channel);
            }
        }
        long end = System.nanoTime() + grace.toNanos();
        while (!open.isEmpty() && System.nanoTime() < end) {
            sleep(10);
        }
        open.forEach(Server::closeQuietly);
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(1));
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // nothing more to do
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The socket's input, where every read ends by one deadline. SO_TIMEOUT alone bounds each
     * read, so a client sending one byte every few seconds could hold a connection forever.
     */
    private static final class DeadlineInput extends InputStream {
        private final Socket socket;
        private final InputStream in;
        private long deadline;

        DeadlineInput(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
        }

        void deadline(Duration fromNow) {
            deadline = System.nanoTime() + fromNow.toNanos();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new SocketTimeoutException("deadline passed");
            }
            socket.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
            return in.read(buffer, offset, length);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }
    }
}

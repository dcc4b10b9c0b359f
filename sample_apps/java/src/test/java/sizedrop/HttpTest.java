package sizedrop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The contract over a real socket: the server runs on a free port and each request is
 * written by hand, byte for byte, so the test controls exactly what the server sees
 * (an HTTP client library would re-encode "%zz" or refuse it).
 */
public class HttpTest implements AutoCloseable {

    private static final String ROOT = "{\"service\":\"size-drop\",\"language\":\"java\"}\n";
    private static final String OK = "{\"status\":\"ok\"}\n";
    private static final String MISSING = "{\"error\":\"missing query parameter n\"}\n";
    private static final String NEGATIVE = "{\"error\":\"n must not be negative\"}\n";
    private static final String NOT_INTEGER = "{\"error\":\"n must be an integer\"}\n";
    private static final String TOO_LARGE = "{\"error\":\"n must be at most 1000000\"}\n";
    private static final String NOT_FOUND = "{\"error\":\"not found\"}\n";
    private static final String NOT_ALLOWED = "{\"error\":\"method not allowed\"}\n";

    private static final String BAD_REQUEST = "{\"error\":\"bad request\"}\n";
    private static final String LINE_TOO_LONG = "{\"error\":\"request line too long\"}\n";
    private static final String HEADERS_TOO_LARGE = "{\"error\":\"request headers too large\"}\n";

    private final Server server;
    private final int port;

    public HttpTest() throws IOException {
        server = Server.start(0);
        port = server.port();
    }

    @Override
    public void close() {
        server.close();
    }

    /** A parsed response. Header names are lower-cased; each maps to its values in order. */
    record Response(int status, Map<String, List<String>> headers, String body) {
        String header(String name) {
            List<String> values = headers.getOrDefault(name, List.of());
            Check.equal(1, values.size(), "number of " + name + " headers");
            return values.get(0);
        }
    }

    private Response request(String method, String target) throws IOException {
        return raw(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    }

    private Response raw(String requestText) throws IOException {
        return parse(exchange(requestText));
    }

    /** Sends the bytes as they are, ends the sending side, returns all the server sent back. */
    private byte[] exchange(String requestText) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(requestText.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                socket.shutdownOutput();
            } catch (IOException e) {
                // The server may answer and stop reading before a huge request is all sent.
            }
            return readAll(socket.getInputStream());
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        in.transferTo(buffer);
        return buffer.toByteArray();
    }

    private static Response parse(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        if (text.startsWith("HTTP/1.1 100 ")) { // the interim answer to "Expect: 100-continue"
            int skip = text.indexOf("\r\n\r\n") + 4;
            return parse(java.util.Arrays.copyOfRange(bytes, skip, bytes.length));
        }
        int end = text.indexOf("\r\n\r\n");
        Check.isTrue(end > 0, "response has a header block: " + text);
        String[] lines = text.substring(0, end).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            headers.computeIfAbsent(name, k -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
        }
        byte[] body = java.util.Arrays.copyOfRange(bytes, end + 4, bytes.length);
        return new Response(Integer.parseInt(statusLine[1]), headers, new String(body, StandardCharsets.UTF_8));
    }

    /** Checks status and exact body, plus the headers every response must carry. */
    private void expect(String method, String target, int status, String body) throws IOException {
        expect(request(method, target), method + " " + target, status, body);
    }

    private static void expect(Response response, String what, int status, String body) {
        Check.equal(status, response.status(), what + " status");
        Check.equal(body, response.body(), what + " body");
        Check.equal("application/json", response.header("content-type"), what + " Content-Type");
        Check.equal(Integer.toString(body.getBytes(StandardCharsets.UTF_8).length),
                response.header("content-length"), what + " Content-Length");
        if (status == 405) {
            Check.equal("GET", response.header("allow"), what + " Allow");
        } else {
            Check.isTrue(!response.headers().containsKey("allow"), what + " has no Allow header");
        }
    }

    public void testContractTable() throws IOException {
        expect("GET", "/", 200, ROOT);
        expect("GET", "/healthz", 200, OK);
        expect("GET", "/primes?n=30", 200, "{\"n\":30,\"count\":10,\"largest\":29}\n");
        expect("GET", "/primes?n=1", 200, "{\"n\":1,\"count\":0,\"largest\":null}\n");
        expect("GET", "/primes", 400, MISSING);
        expect("GET", "/primes?n=", 400, MISSING);
        expect("GET", "/primes?n=-5", 400, NEGATIVE);
        expect("GET", "/primes?n=abc", 400, NOT_INTEGER);
        expect("GET", "/primes?n=1000001", 400, TOO_LARGE);
        expect("GET", "/nope", 404, NOT_FOUND);
        expect("GET", "/healthz/", 404, NOT_FOUND);
        expect("GET", "/primes/", 404, NOT_FOUND);
        expect("POST", "/", 405, NOT_ALLOWED);
        expect("PUT", "/healthz", 405, NOT_ALLOWED);
        expect("DELETE", "/primes?n=30", 405, NOT_ALLOWED);
    }

    public void testBoundaries() throws IOException {
        expect("GET", "/primes?n=0", 200, "{\"n\":0,\"count\":0,\"largest\":null}\n");
        expect("GET", "/primes?n=2", 200, "{\"n\":2,\"count\":1,\"largest\":2}\n");
        expect("GET", "/primes?n=1000000", 200, "{\"n\":1000000,\"count\":78498,\"largest\":999983}\n");
    }

    public void testParsingDetails() throws IOException {
        expect("GET", "/primes?n=007", 200, "{\"n\":7,\"count\":4,\"largest\":7}\n");
        expect("GET", "/primes?n=0001000000", 200, "{\"n\":1000000,\"count\":78498,\"largest\":999983}\n");
        expect("GET", "/primes?n=+5", 400, NOT_INTEGER);
        expect("GET", "/primes?n=%2B5", 400, NOT_INTEGER);
        expect("GET", "/primes?n=-0", 400, NEGATIVE);
        expect("GET", "/primes?n=-abc", 400, NOT_INTEGER);
        expect("GET", "/primes?n=-", 400, NOT_INTEGER);
        expect("GET", "/primes?n=12345678901234567890", 400, TOO_LARGE);
        expect("GET", "/primes?n=-12345678901234567890", 400, NEGATIVE);
        expect("GET", "/primes?n=00000000000000000030", 200, "{\"n\":30,\"count\":10,\"largest\":29}\n");
        expect("GET", "/primes?n=1.5", 400, NOT_INTEGER);
        expect("GET", "/primes?n=%D9%A3", 400, NOT_INTEGER); // a non-ASCII digit
    }

    public void testRepeatedAndOtherParameters() throws IOException {
        expect("GET", "/primes?n=30&n=abc", 200, "{\"n\":30,\"count\":10,\"largest\":29}\n");
        expect("GET", "/primes?n=abc&n=30", 400, NOT_INTEGER);
        expect("GET", "/primes?n=&n=30", 400, MISSING);
        expect("GET", "/primes?n", 400, MISSING);
        expect("GET", "/primes?m=30", 400, MISSING);
        expect("GET", "/primes?x=1&n=30&y=2", 200, "{\"n\":30,\"count\":10,\"largest\":29}\n");
        expect("GET", "/?n=abc", 200, ROOT);
        expect("GET", "/healthz?verbose=1", 200, OK);
    }

    public void testPercentEncoding() throws IOException {
        expect("GET", "/primes?n=%33%30", 200, "{\"n\":30,\"count\":10,\"largest\":29}\n");
        expect("GET", "/primes?%6E=30", 200, "{\"n\":30,\"count\":10,\"largest\":29}\n");
        expect("GET", "/primes?n=%2D5", 400, NEGATIVE);
        expect("GET", "/primes?n=%20", 400, NOT_INTEGER);
    }

    /**
     * What the JDK's own server refused with an HTML 400 before any handler ran: now each gets the
     * contract's JSON answer, and the server keeps serving.
     */
    public void testWhatTheJdkServerRefusedGetsJson() throws IOException {
        expect("GET", "//", 404, NOT_FOUND);
        expect("GET", "//healthz", 404, NOT_FOUND);
        expect("GET", "/%68ealthz", 200, OK);
        expect("GET", "/nope%zz", 404, NOT_FOUND);
        expect("GET", "/primes?n=%zz", 400, NOT_INTEGER);
        expect("GET", "/primes?n=%", 400, NOT_INTEGER);
        expect("GET", "/primes?n=5%2", 400, NOT_INTEGER);
        expect("GET", "/primes?n=a|b", 400, NOT_INTEGER);
        expect("GET", "/primes?n=1%00", 400, NOT_INTEGER);
        expect("GET", "/healthz", 200, OK);
    }

    /** One raw request and the answer it must get (status and exact body). */
    private void expectRaw(String what, String requestText, int status, String body) throws IOException {
        Response response = raw(requestText);
        if (requestText.startsWith("HEAD ")) {
            Check.equal(status, response.status(), what + " status");
            Check.equal("", response.body(), what + " sends no body");
            Check.equal(Integer.toString(body.length()), response.header("content-length"), what + " Content-Length");
            return;
        }
        expect(response, what, status, body);
    }

    /** A request with "Host: x", the given header lines and "Connection: close". */
    private static String request(String method, String target, String fields) {
        return method + " " + target + " HTTP/1.1\r\nHost: x\r\n" + fields + "Connection: close\r\n\r\n";
    }

    private static String withFields(String fields) {
        return request("GET", "/healthz", fields);
    }

    private static String manyFields(int count, String extra) {
        StringBuilder fields = new StringBuilder();
        for (int i = 0; i < count; i++) {
            fields.append("X-F").append(i).append(": 1\r\n");
        }
        return withFields(fields + extra);
    }

    /** A request line of exactly n bytes, asking for /primes?n=7 with leading zeros. */
    private static String requestLineOf(int n) {
        int fixed = "GET /primes?n=".length() + "7".length() + " HTTP/1.1".length();
        return "GET /primes?n=" + "0".repeat(n - fixed) + "7 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    }

    public void testLimits() throws IOException {
        String primes7 = "{\"n\":7,\"count\":4,\"largest\":7}\n";
        expectRaw("request line 8190", requestLineOf(8190), 200, primes7);
        expectRaw("request line 8191", requestLineOf(8191), 414, LINE_TOO_LONG);
        expectRaw("request line 20000", request("GET", "/" + "a".repeat(20_000), ""), 414, LINE_TOO_LONG);
        expectRaw("header line 8188", withFields("X-Fill: " + "a".repeat(8180) + "\r\n"), 200, OK);
        expectRaw("header line 8189", withFields("X-Fill: " + "a".repeat(8181) + "\r\n"), 431, HEADERS_TOO_LARGE);
        expectRaw("header 100000", withFields("X-Big: " + "b".repeat(100_000) + "\r\n"), 431, HEADERS_TOO_LARGE);
        expectRaw("100 fields", manyFields(98, ""), 200, OK); // + Host + Connection
        expectRaw("101 fields", manyFields(99, ""), 431, HEADERS_TOO_LARGE);
        expectRaw("underscores not counted", manyFields(98, "X_A: 1\r\nX_B: 1\r\n"), 200, OK);
        expect("GET", "/healthz", 200, OK);
    }

    public void testAcceptedRequestForms() throws IOException {
        expectRaw("HEAD", request("HEAD", "/healthz", ""), 405, NOT_ALLOWED);
        expectRaw("HEAD unknown", request("HEAD", "/nope", ""), 404, NOT_FOUND);
        expectRaw("OPTIONS *", request("OPTIONS", "*", ""), 404, NOT_FOUND);
        expectRaw("absolute form", request("GET", "http://x/healthz", ""), 404, NOT_FOUND);
        expectRaw("HTTP/1.0", "GET /healthz HTTP/1.0\r\n\r\n", 200, OK);
        expectRaw("HTTP/1.2", "GET /healthz HTTP/1.2\r\nHost: x\r\nConnection: close\r\n\r\n", 200, OK);
        expectRaw("empty line first", "\r\n" + request("GET", "/healthz", ""), 200, OK);
        expectRaw("chunked POST", "POST /primes HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nn=30\r\n0\r\n\r\n",
                405, NOT_ALLOWED);
        expectRaw("100-continue", "POST /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi",
                404, NOT_FOUND);
        expectRaw("underscore field", withFields("X_Under: 1\r\n"), 200, OK);
    }

    public void testBrokenRequestsAreBadRequests() throws IOException {
        String[][] cases = {
            {"garbage", "GARBAGE\r\n\r\n"},
            {"HTTP/1.1 without Host", "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n"},
            {"HTTP/1.2 without Host", "GET /healthz HTTP/1.2\r\n\r\n"},
            {"lower-case method", request("get", "/healthz", "")},
            {"method too long", request("A".repeat(21), "/healthz", "")},
            {"method too short", request("GE", "/healthz", "")},
            {"HTTP/2.0", "GET / HTTP/2.0\r\n\r\n"},
            {"HTTP/1", "GET / HTTP/1\r\n\r\n"},
            {"two spaces", "GET  / HTTP/1.1\r\n\r\n"},
            {"space in target", "GET /a b HTTP/1.1\r\n\r\n"},
            {"no slash", request("GET", "healthz", "")},
            {"star with GET", request("GET", "*", "")},
            {"NUL in target", request("GET", "/\0", "")},
            {"non-ASCII target", request("GET", "/\u00c3\u00a9", "")},
            {"bare LF", "GET /healthz HTTP/1.1\nHost: x\n\n"},
            {"bare LF in fields", "GET /healthz HTTP/1.1\r\nHost: x\nA: b\r\n\r\n"},
            {"no colon", withFields("Host x\r\n")},
            {"empty name", withFields(": x\r\n")},
            {"space before colon", withFields("Host : x\r\n")},
            {"folded line", withFields("X-A: 1\r\n  2\r\n")},
            {"control in value", withFields("X-A: a\u0001b\r\n")},
            {"two Hosts", withFields("Host: b\r\n")},
            {"two Content-Types", withFields("Content-Type: a\r\ncontent-type: a\r\n")},
            {"Expect other", withFields("Expect: something\r\n")},
            {"Content-Length word", withFields("Content-Length: five\r\n")},
            {"Content-Length signed", withFields("Content-Length: +5\r\n")},
            {"two Content-Lengths", withFields("Content-Length: 0\r\nContent-Length: 0\r\n")},
            {"gzip alone", withFields("Transfer-Encoding: gzip\r\n")},
            {"unknown coding", withFields("Transfer-Encoding: magic\r\n")},
            {"chunked twice", withFields("Transfer-Encoding: chunked, chunked\r\n")},
            {"chunked then gzip", withFields("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n")},
            {"chunked and length", withFields("Transfer-Encoding: chunked\r\nContent-Length: 3\r\n")},
            {"chunked in 1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
        };
        for (String[] c : cases) {
            expectRaw(c[0], c[1], 400, BAD_REQUEST);
        }
        expect("GET", "/healthz", 200, OK);
    }

    public void testHeadIsNotGet() throws IOException {
        Response response = request("HEAD", "/healthz");
        Check.equal(405, response.status(), "HEAD status");
        Check.equal("", response.body(), "HEAD sends no body");
        Check.equal("GET", response.header("allow"), "HEAD Allow");
        Check.equal(Integer.toString(NOT_ALLOWED.length()), response.header("content-length"), "HEAD Content-Length");
        Check.equal(404, request("HEAD", "/nope").status(), "HEAD on an unknown path");
    }

    public void testPostWithABody() throws IOException {
        String body = "n=30";
        Response response = raw("POST /primes HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body);
        expect(response, "POST /primes with a body", 405, NOT_ALLOWED);
    }

    public void testKeepAliveConnectionServesSeveralRequests() throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    + "GET /primes?n=30 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String all = new String(readAll(socket.getInputStream()), StandardCharsets.ISO_8859_1);
            Check.isTrue(all.startsWith("HTTP/1.1 200"), "first response: " + all);
            Check.isTrue(all.contains(OK), "first body present");
            Check.isTrue(all.endsWith("{\"n\":30,\"count\":10,\"largest\":29}\n"), "second body last: " + all);
        }
    }

    public void testGarbageDoesNotHurtTheServer() throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("NOT-HTTP\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(readAll(socket.getInputStream()), StandardCharsets.ISO_8859_1);
            Check.isTrue(answer.startsWith("HTTP/1.1 400 ") && answer.endsWith(BAD_REQUEST), "garbage: " + answer);
        }
        // A client that connects and leaves without a word.
        new Socket(InetAddress.getLoopbackAddress(), port).close();
        expect("GET", "/healthz", 200, OK);
    }

    public void testTwoHundredConcurrentRequests() throws Exception {
        List<Future<Response>> futures = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 200; i++) {
                String target = i % 20 == 0 ? "/primes?n=1000000" : "/primes?n=" + (i * 1000);
                futures.add(clients.submit(() -> request("GET", target)));
            }
        }
        for (int i = 0; i < futures.size(); i++) {
            Response response = futures.get(i).get();
            Check.equal(200, response.status(), "concurrent request " + i);
        }
        Check.equal("{\"n\":1000000,\"count\":78498,\"largest\":999983}\n", futures.get(0).get().body());
    }
}

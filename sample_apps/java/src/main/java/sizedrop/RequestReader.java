package sizedrop;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads and checks one request head (request line and header fields) with the rules and limits
 * of sample_apps/README.md, which are gunicorn's: the Python app runs behind gunicorn, and the
 * three apps must answer every request alike. The body, if any, is never read.
 */
final class RequestReader {

    /** Bytes of the request line before its CRLF: 8 KiB with it. */
    static final int MAX_REQUEST_LINE = 8190;
    /** Bytes of one header line before its CRLF: 8190 with it. */
    static final int MAX_FIELD_LINE = 8188;
    /** Header fields in one request. */
    static final int MAX_FIELDS = 100;
    /** The longest line read into memory, CRLF included; anything longer is too long. */
    private static final int LINE_BUFFER = MAX_REQUEST_LINE + 2;

    /** What the service needs to know about a parsed request. */
    record Request(String method, String target, boolean keepAlive, boolean hasBody, boolean expectContinue) {
    }

    /** A request that is not acceptable HTTP/1.x; each kind has one status and JSON message. */
    static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;

        static final BadRequest MALFORMED = new BadRequest(400, "bad request");
        static final BadRequest LINE_TOO_LONG = new BadRequest(414, "request line too long");
        static final BadRequest HEADERS_TOO_LARGE = new BadRequest(431, "request headers too large");

        final int status;

        private BadRequest(int status, String message) {
            super(message, null, false, false); // shared instances: no stack trace to fill
            this.status = status;
        }
    }

    private final InputStream in;
    private final byte[] line = new byte[LINE_BUFFER];

    /** @param in a buffered stream (it is read byte by byte) that supports mark and reset */
    RequestReader(InputStream in) {
        this.in = in;
    }

    /**
     * Reads the next request head. Throws {@link BadRequest} for a request to refuse, and
     * {@link EOFException} (or another IOException) when the client closed the connection or
     * was too slow: then there is nobody to answer.
     */
    Request read() throws IOException, BadRequest {
        // One empty line before the request line is tolerated (RFC 9112, 2.2).
        in.mark(2);
        int first = in.read();
        if (first < 0) {
            throw new EOFException();
        }
        if (first != '\r' || in.read() != '\n') {
            in.reset();
        }
        String requestLine = readLine(MAX_REQUEST_LINE, BadRequest.LINE_TOO_LONG);

        // "METHOD SP TARGET SP HTTP/1.x"; a third space leaves "x HTTP/1.1" as the version.
        int sp1 = requestLine.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : requestLine.indexOf(' ', sp1 + 1);
        if (sp2 < 0) {
            throw BadRequest.MALFORMED;
        }
        String method = requestLine.substring(0, sp1);
        String target = requestLine.substring(sp1 + 1, sp2);
        String version = requestLine.substring(sp2 + 1);
        if (!isMethod(method) || target.isEmpty() || !isVisibleAscii(target)) {
            throw BadRequest.MALFORMED;
        }
        if (target.equals("*") && !method.equals("OPTIONS")) {
            throw BadRequest.MALFORMED;
        }
        // Origin form ("/path"), absolute form ("http://host/path"), "*" for OPTIONS and anything
        // for CONNECT; routing reads the path of all of them the same way.
        if (!method.equals("CONNECT") && !target.equals("*") && !target.startsWith("/") && !target.contains("://")) {
            throw BadRequest.MALFORMED;
        }
        if (version.length() != 8 || !version.startsWith("HTTP/1.") || !isDigit(version.charAt(7))) {
            throw BadRequest.MALFORMED; // HTTP/1.0 to HTTP/1.9 only
        }
        int minor = version.charAt(7) - '0';

        int fields = 0;
        boolean seenHost = false;
        boolean seenType = false;
        boolean expectContinue = false;
        String connection = null;
        List<String[]> framing = new ArrayList<>(); // Content-Length and Transfer-Encoding, in order
        while (true) {
            String field = readLine(MAX_FIELD_LINE, BadRequest.HEADERS_TOO_LARGE);
            if (field.isEmpty()) {
                break; // the empty line that ends the head
            }
            if (fields >= MAX_FIELDS) {
                throw BadRequest.HEADERS_TOO_LARGE;
            }
            if (field.charAt(0) == ' ' || field.charAt(0) == '\t') {
                throw BadRequest.MALFORMED; // obsolete line folding
            }
            int colon = field.indexOf(':');
            if (colon <= 0 || !isToken(field.substring(0, colon))) {
                throw BadRequest.MALFORMED; // no "name:", a space before the colon included
            }
            String name = field.substring(0, colon).toUpperCase(Locale.ROOT);
            String value = trim(field.substring(colon + 1));
            if (hasControl(value)) {
                throw BadRequest.MALFORMED;
            }
            switch (name) {
                case "HOST" -> {
                    if (seenHost) {
                        throw BadRequest.MALFORMED; // a field that may appear only once
                    }
                    seenHost = true;
                }
                case "CONTENT-TYPE" -> {
                    if (seenType) {
                        throw BadRequest.MALFORMED;
                    }
                    seenType = true;
                }
                case "EXPECT" -> {
                    if (!asciiLower(value).equals("100-continue")) {
                        throw BadRequest.MALFORMED;
                    }
                    expectContinue = minor >= 1; // HTTP/1.0 clients cannot expect it
                }
                default -> {
                }
            }
            if (name.indexOf('_') >= 0) {
                // As gunicorn does (header_map "drop"): a name with '_' could pose as one with '-'
                // once mapped to a WSGI variable. Ignored, and not counted against MAX_FIELDS.
                continue;
            }
            fields++;
            if (name.equals("CONTENT-LENGTH") || name.equals("TRANSFER-ENCODING")) {
                framing.add(new String[] {name, value});
            } else if (name.equals("CONNECTION") && connection == null) {
                connection = asciiLower(value);
            }
        }

        boolean hasBody = hasBody(framing, minor);
        if (minor >= 1 && !seenHost) {
            throw BadRequest.MALFORMED; // an HTTP/1.1 request must name its Host (RFC 9112, 3.2)
        }
        boolean keepAlive;
        if (method.equals("CONNECT") || "close".equals(connection)) {
            keepAlive = false;
        } else if ("keep-alive".equals(connection)) {
            keepAlive = true;
        } else {
            keepAlive = minor >= 1;
        }
        return new Request(method, target, keepAlive, hasBody, expectContinue);
    }

    /**
     * The body rules: one Content-Length of ASCII digits, or a Transfer-Encoding list ending in
     * "chunked" (HTTP/1.1 only, never with a Content-Length). True when a body follows.
     */
    private static boolean hasBody(List<String[]> framing, int minor) throws BadRequest {
        String contentLength = null;
        boolean encoded = false;
        boolean chunked = false;
        for (String[] field : framing) {
            if (field[0].equals("CONTENT-LENGTH")) {
                if (contentLength != null) {
                    throw BadRequest.MALFORMED;
                }
                contentLength = field[1];
                continue;
            }
            encoded = true;
            for (String coding : field[1].split(",", -1)) {
                switch (asciiLower(trim(coding))) {
                    case "chunked" -> {
                        if (chunked) {
                            throw BadRequest.MALFORMED;
                        }
                        chunked = true;
                    }
                    case "identity", "compress", "deflate", "gzip" -> {
                        if (chunked) {
                            throw BadRequest.MALFORMED; // chunked must come last
                        }
                    }
                    default -> throw BadRequest.MALFORMED;
                }
            }
        }
        if (encoded && !chunked) {
            throw BadRequest.MALFORMED;
        }
        if (chunked) {
            if (minor < 1 || contentLength != null) {
                throw BadRequest.MALFORMED;
            }
            return true;
        }
        if (contentLength == null) {
            return false;
        }
        if (!PrimesQuery.allDigits(contentLength)) {
            throw BadRequest.MALFORMED;
        }
        return !contentLength.chars().allMatch(c -> c == '0');
    }

    /**
     * The next line without its CRLF, one char per byte. A line that does not fit the buffer, or
     * whose text is longer than limit, is tooLong; one ending in a bare LF is malformed.
     */
    private String readLine(int limit, BadRequest tooLong) throws IOException, BadRequest {
        int length = 0;
        while (true) {
            if (length == line.length) {
                throw tooLong; // a full buffer and still no LF
            }
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            if (b == '\n') {
                if (length == 0 || line[length - 1] != '\r') {
                    throw BadRequest.MALFORMED;
                }
                if (length - 1 > limit) {
                    throw tooLong;
                }
                return new String(line, 0, length - 1, StandardCharsets.ISO_8859_1);
            }
            line[length++] = (byte) b;
        }
    }

    /** 3 to 20 characters of a token, no lower-case letters and no '#'. */
    static boolean isMethod(String s) {
        if (s.length() < 3 || s.length() > 20 || !isToken(s)) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '#' || (c >= 'a' && c <= 'z')) {
                return false;
            }
        }
        return true;
    }

    /** A non-empty RFC 9110 token. */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean alnum = isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (!alnum && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Every char is 0x21-0x7E: no space, control or non-ASCII byte. */
    static boolean isVisibleAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** A control character other than HTAB: 0x00-0x08, 0x0A-0x1F or 0x7F. */
    static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Strips spaces and tabs at both ends (String.strip would also take other characters). */
    private static String trim(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
            end--;
        }
        return s.substring(start, end);
    }

    /** Lower-cases A-Z only. */
    private static String asciiLower(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        return out.toString();
    }
}

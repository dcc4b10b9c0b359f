package sizedrop;

/**
 * Lenient percent-decoding, the same in the three apps: "%XX" becomes the byte XX, a '%' not
 * followed by two hex digits stays a literal '%', and (in a query only) '+' becomes a space.
 * The result holds one char per byte (ISO-8859-1), so nothing is lost or replaced: "%FF" is
 * the char U+00FF, never a digit, and comparisons with ASCII text such as "/healthz" or "n"
 * are byte comparisons. (URLDecoder would throw on "%zz" and read the bytes as UTF-8.)
 */
final class Percent {

    private Percent() {
    }

    /** Decodes the path of a request-target: '+' stays '+'. */
    static String decodePath(String raw) {
        return decode(raw, false);
    }

    /** Decodes a query name or value: '+' is a space. */
    static String decodeQuery(String raw) {
        return decode(raw, true);
    }

    private static String decode(String raw, boolean plusIsSpace) {
        if (raw.indexOf('%') < 0 && (!plusIsSpace || raw.indexOf('+') < 0)) {
            return raw;
        }
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '+' && plusIsSpace) {
                out.append(' ');
            } else if (c == '%' && i + 2 < raw.length() && hex(raw.charAt(i + 1)) >= 0 && hex(raw.charAt(i + 2)) >= 0) {
                out.append((char) (hex(raw.charAt(i + 1)) << 4 | hex(raw.charAt(i + 2))));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}

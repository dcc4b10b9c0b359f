package sizedrop;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Reading one parameter out of a raw (still percent-encoded) query string. */
final class Query {

    private Query() {
    }

    /**
     * The decoded value of the first {@code name=value} pair whose decoded name is
     * {@code name}, or null when there is none. A pair without '=' counts as an empty value,
     * so "n" and "n=" both mean "n is empty". Pairs are separated by '&' only.
     */
    static String first(String rawQuery, String name) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        for (String pair : rawQuery.split("&", -1)) {
            int eq = pair.indexOf('=');
            String rawName = eq < 0 ? pair : pair.substring(0, eq);
            String rawValue = eq < 0 ? "" : pair.substring(eq + 1);
            if (name.equals(decode(rawName))) {
                return decode(rawValue);
            }
        }
        return null;
    }

    /**
     * Form decoding: "%xx" becomes that byte, '+' becomes a space, bytes are read as UTF-8.
     * URLDecoder rejects a broken escape such as "%zz" or a trailing "%"; we then keep the
     * text as it came. It still contains '%', so it can never pass for a number.
     */
    static String decode(String raw) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw;
        }
    }
}

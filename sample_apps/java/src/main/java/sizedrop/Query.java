package sizedrop;

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

    /** Form decoding, leniently: see {@link Percent}. */
    static String decode(String raw) {
        return Percent.decodeQuery(raw);
    }
}

package sizedrop;

/**
 * The HTTP contract of sample_apps/README.md for well-formed requests. Deciding the answer is a
 * pure function of method and request-target, so the tests can check it without a socket;
 * {@link Server} only moves bytes.
 */
final class Service {

    /** Status, body and whether an {@code Allow: GET} header goes with it. */
    record Answer(int status, String body, boolean allowGet) {
        static Answer of(int status, String body) {
            return new Answer(status, body, false);
        }

        static Answer error(int status, String message) {
            // The messages are fixed ASCII text without quotes or backslashes: no escaping needed.
            return of(status, "{\"error\":\"" + message + "\"}\n");
        }
    }

    static final String ROOT_BODY = "{\"service\":\"size-drop\",\"language\":\"java\"}\n";
    static final String HEALTH_BODY = "{\"status\":\"ok\"}\n";
    static final String NOT_FOUND_BODY = "{\"error\":\"not found\"}\n";
    static final String METHOD_NOT_ALLOWED_BODY = "{\"error\":\"method not allowed\"}\n";

    private Service() {
    }

    /**
     * The answer to a well-formed request. The path is the part of the target before the first
     * '?', percent-decoded once; it must then be "/", "/healthz" or "/primes" exactly. No cleaning,
     * no redirects: "//", "/healthz/", "*" and "http://host/healthz" are all 404.
     */
    static Answer answer(String method, String target) {
        int question = target.indexOf('?');
        String path = Percent.decodePath(question < 0 ? target : target.substring(0, question));
        String rawQuery = question < 0 ? null : target.substring(question + 1);
        boolean known = "/".equals(path) || "/healthz".equals(path) || "/primes".equals(path);
        if (!known) {
            return Answer.of(404, NOT_FOUND_BODY);
        }
        // Methods are case-sensitive in HTTP; HEAD, like POST, is "a method other than GET".
        if (!"GET".equals(method)) {
            return new Answer(405, METHOD_NOT_ALLOWED_BODY, true);
        }
        return switch (path) {
            case "/" -> Answer.of(200, ROOT_BODY);
            case "/healthz" -> Answer.of(200, HEALTH_BODY);
            default -> primes(rawQuery);
        };
    }

    private static Answer primes(String rawQuery) {
        PrimesQuery.Result parsed = PrimesQuery.parse(Query.first(rawQuery, "n"));
        if (parsed instanceof PrimesQuery.Invalid invalid) {
            return Answer.error(400, invalid.message());
        }
        int n = ((PrimesQuery.Valid) parsed).n();
        Primes.Summary summary = Primes.upTo(n);
        String largest = summary.count() == 0 ? "null" : Integer.toString(summary.largest());
        return Answer.of(200, "{\"n\":" + n + ",\"count\":" + summary.count() + ",\"largest\":" + largest + "}\n");
    }
}

package sizedrop;

/** The contract table, checked on the pure decision function (no sockets). */
public class ServiceTest {

    private static void expect(String method, String path, String query, int status, String body) {
        expect(method, path + (query == null ? "" : "?" + query), status, body);
    }

    private static void expect(String method, String target, int status, String body) {
        Service.Answer answer = Service.answer(method, target);
        String what = method + " " + target;
        Check.equal(status, answer.status(), what + " status");
        Check.equal(body, answer.body(), what + " body");
        Check.equal(status == 405, answer.allowGet(), what + " Allow header");
    }

    public void testRootAndHealth() {
        expect("GET", "/", null, 200, "{\"service\":\"size-drop\",\"language\":\"java\"}\n");
        expect("GET", "/healthz", null, 200, "{\"status\":\"ok\"}\n");
        expect("GET", "/", "x=1", 200, "{\"service\":\"size-drop\",\"language\":\"java\"}\n");
        expect("GET", "/healthz", "n=abc", 200, "{\"status\":\"ok\"}\n");
    }

    public void testPrimes() {
        expect("GET", "/primes", "n=30", 200, "{\"n\":30,\"count\":10,\"largest\":29}\n");
        expect("GET", "/primes", "n=1", 200, "{\"n\":1,\"count\":0,\"largest\":null}\n");
        expect("GET", "/primes", "n=007", 200, "{\"n\":7,\"count\":4,\"largest\":7}\n");
        expect("GET", "/primes", "n=1000000", 200, "{\"n\":1000000,\"count\":78498,\"largest\":999983}\n");
    }

    public void testPrimesErrors() {
        expect("GET", "/primes", null, 400, "{\"error\":\"missing query parameter n\"}\n");
        expect("GET", "/primes", "n=-5", 400, "{\"error\":\"n must not be negative\"}\n");
        expect("GET", "/primes", "n=abc", 400, "{\"error\":\"n must be an integer\"}\n");
        expect("GET", "/primes", "n=1000001", 400, "{\"error\":\"n must be at most 1000000\"}\n");
    }

    public void testUnknownPaths() {
        for (String path : new String[] {"/nope", "/healthz/", "/primes/", "//", "//healthz", "/Healthz", "/./healthz",
                "/%2568ealthz", "/healthz%2F", "/healthz+", "/nope%zz", "/healthz%", "/healthz%7", "/%", "*",
                "http://localhost/healthz", "localhost:443", "/healthz#top", ""}) {
            expect("GET", path, null, 404, "{\"error\":\"not found\"}\n");
            expect("POST", path, null, 404, "{\"error\":\"not found\"}\n");
        }
    }

    /** The path is percent-decoded once, then compared; a broken escape stays a literal '%'. */
    public void testPercentEncodedPaths() {
        expect("GET", "/%68ealthz", 200, "{\"status\":\"ok\"}\n");
        expect("GET", "/%68%65%61%6C%74%68%7a", 200, "{\"status\":\"ok\"}\n");
        expect("GET", "/%70rimes?n=10", 200, "{\"n\":10,\"count\":4,\"largest\":7}\n");
        expect("POST", "/%68ealthz", 405, "{\"error\":\"method not allowed\"}\n");
        expect("HEAD", "//healthz", 404, "{\"error\":\"not found\"}\n");
        expect("CONNECT", "/healthz", 405, "{\"error\":\"method not allowed\"}\n");
        expect("GET", "/primes?n=%zz", 400, "{\"error\":\"n must be an integer\"}\n");
        expect("GET", "/primes?n=5#top", 400, "{\"error\":\"n must be an integer\"}\n");
    }

    public void testOtherMethods() {
        for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "get"}) {
            for (String path : new String[] {"/", "/healthz", "/primes"}) {
                expect(method, path, "n=abc", 405, "{\"error\":\"method not allowed\"}\n");
            }
        }
    }
}

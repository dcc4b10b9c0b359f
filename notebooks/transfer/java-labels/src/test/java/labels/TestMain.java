package labels;

/** The unit tests, without a test framework: any failure exits non-zero and fails the build. */
public final class TestMain {
    private static int failures;

    private TestMain() {}

    static void expect(String what, Object got, Object want) {
        if (!want.equals(got)) {
            failures++;
            System.out.println("FAIL " + what + ": got " + got + ", want " + want);
        } else {
            System.out.println("ok   " + what);
        }
    }

    static void refused(String what, Runnable call) {
        try {
            call.run();
            failures++;
            System.out.println("FAIL " + what + ": accepted");
        } catch (IllegalArgumentException e) {
            System.out.println("ok   " + what);
        }
    }

    public static void main(String[] args) {
        expect("EBCDIC bytes", Labels.printerBytes("HELLO 42"), "c8c5d3d3d640f4f2");
        expect("Swiss German price", Labels.price("1234.5", "CHF", "de-CH"), "CHF\u00a01\u2019234.50");
        expect("Japanese yen", Labels.price("1234", "JPY", "ja-JP"), "\uffe51,234");
        expect("US dollars", Labels.price("1234.5", "USD", "en-US"), "$1,234.50");
        refused("amount that is not a number", () -> Labels.price("lots", "CHF", "de-CH"));
        refused("unknown currency", () -> Labels.price("1", "XYZW", "de-CH"));
        expect("JSON escaping", Json.object("a", "q\"\\\n"), "{\"a\":\"q\\\"\\\\\\u000a\"}");
        expect("query decoding", App.query("text=a%20b&text=c&x").get("text"), "a b");
        if (failures > 0) {
            System.out.println(failures + " test(s) failed");
            System.exit(1);
        }
    }
}

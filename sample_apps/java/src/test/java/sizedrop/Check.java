package sizedrop;

import java.util.Objects;

/** The few assertions the tests need. A failed check throws AssertionError. */
final class Check {

    private Check() {
    }

    static void equal(Object expected, Object actual) {
        equal(expected, actual, "");
    }

    static void equal(Object expected, Object actual, String what) {
        if (!Objects.equals(expected, actual)) {
            String prefix = what.isEmpty() ? "" : what + ": ";
            throw new AssertionError(prefix + "expected <" + show(expected) + "> but was <" + show(actual) + ">");
        }
    }

    static void isTrue(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    /** Makes the trailing newline of a body visible in failure messages. */
    private static String show(Object value) {
        return value instanceof String s ? s.replace("\n", "\\n") : String.valueOf(value);
    }
}

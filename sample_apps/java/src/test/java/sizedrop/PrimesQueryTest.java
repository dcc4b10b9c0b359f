package sizedrop;

public class PrimesQueryTest {

    private static void valid(String value, int n) {
        Check.equal(new PrimesQuery.Valid(n), PrimesQuery.parse(value), "n=\"" + value + "\"");
    }

    private static void invalid(String value, String message) {
        Check.equal(new PrimesQuery.Invalid(message), PrimesQuery.parse(value), "n=\"" + value + "\"");
    }

    public void testPlainNumbers() {
        valid("0", 0);
        valid("1", 1);
        valid("2", 2);
        valid("30", 30);
        valid("1000000", 1_000_000);
    }

    public void testLeadingZeros() {
        valid("007", 7);
        valid("000", 0);
        valid("00000000000000000001000000", 1_000_000);
        invalid("00000000000000000001000001", PrimesQuery.TOO_LARGE);
    }

    public void testMissingOrEmpty() {
        invalid(null, PrimesQuery.MISSING);
        invalid("", PrimesQuery.MISSING);
    }

    public void testNegative() {
        invalid("-5", PrimesQuery.NEGATIVE);
        invalid("-0", PrimesQuery.NEGATIVE);
        invalid("-00", PrimesQuery.NEGATIVE);
        invalid("-99999999999999999999", PrimesQuery.NEGATIVE);
    }

    public void testNotAnInteger() {
        invalid("abc", PrimesQuery.NOT_INTEGER);
        invalid("-abc", PrimesQuery.NOT_INTEGER);
        invalid("-", PrimesQuery.NOT_INTEGER);
        invalid("--5", PrimesQuery.NOT_INTEGER);
        invalid("-5x", PrimesQuery.NOT_INTEGER);
        invalid(" 5", PrimesQuery.NOT_INTEGER); // what "+5" decodes to
        invalid("5 ", PrimesQuery.NOT_INTEGER);
        invalid("+5", PrimesQuery.NOT_INTEGER); // a literal plus (sent as %2B)
        invalid("1.5", PrimesQuery.NOT_INTEGER);
        invalid("1e3", PrimesQuery.NOT_INTEGER);
        invalid("0x10", PrimesQuery.NOT_INTEGER);
        invalid("\u0663", PrimesQuery.NOT_INTEGER); // ARABIC-INDIC DIGIT THREE is not ASCII
        invalid("%zz", PrimesQuery.NOT_INTEGER);
    }

    public void testTooLarge() {
        invalid("1000001", PrimesQuery.TOO_LARGE);
        invalid("9999999", PrimesQuery.TOO_LARGE);
        invalid("10000000", PrimesQuery.TOO_LARGE);
        invalid("2147483648", PrimesQuery.TOO_LARGE);
        invalid("99999999999999999999", PrimesQuery.TOO_LARGE); // 20 digits
    }
}

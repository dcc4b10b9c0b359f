package sizedrop;

/** Turns the decoded value of {@code n} into a number, or into the contract's 400 message. */
final class PrimesQuery {

    static final int MAX_N = 1_000_000;

    static final String MISSING = "missing query parameter n";
    static final String NEGATIVE = "n must not be negative";
    static final String NOT_INTEGER = "n must be an integer";
    static final String TOO_LARGE = "n must be at most 1000000";

    sealed interface Result permits Valid, Invalid {
    }

    record Valid(int n) implements Result {
    }

    record Invalid(String message) implements Result {
    }

    private PrimesQuery() {
    }

    /** @param value the decoded value of n, or null when the query has no n at all */
    static Result parse(String value) {
        if (value == null || value.isEmpty()) {
            return new Invalid(MISSING);
        }
        if (value.charAt(0) == '-') {
            // "-5" and "-0" are negative numbers; "-", "-abc" and "--5" are not numbers.
            return allDigits(value.substring(1)) ? new Invalid(NEGATIVE) : new Invalid(NOT_INTEGER);
        }
        if (!allDigits(value)) {
            // Covers "+5" too: its '+' arrived as a space.
            return new Invalid(NOT_INTEGER);
        }
        // Drop leading zeros ourselves and judge the length first, so a 20-digit value is
        // "too large" instead of overflowing an int (or a long).
        int start = 0;
        while (start < value.length() - 1 && value.charAt(start) == '0') {
            start++;
        }
        String digits = value.substring(start);
        if (digits.length() > 7) {
            return new Invalid(TOO_LARGE);
        }
        int n = Integer.parseInt(digits);
        return n > MAX_N ? new Invalid(TOO_LARGE) : new Valid(n);
    }

    /** True for a non-empty string of ASCII digits 0-9 (Character.isDigit would also take '٣'). */
    static boolean allDigits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}

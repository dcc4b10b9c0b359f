package sizedrop;

public class PrimesTest {

    private static void expect(int n, int count, int largest) {
        Primes.Summary summary = Primes.upTo(n);
        Check.equal(count, summary.count(), "count of primes <= " + n);
        if (count > 0) {
            Check.equal(largest, summary.largest(), "largest prime <= " + n);
        }
    }

    public void testNoPrimesBelowTwo() {
        expect(0, 0, 0);
        expect(1, 0, 0);
    }

    public void testSmallValues() {
        expect(2, 1, 2);
        expect(3, 2, 3);
        expect(4, 2, 3);
        expect(10, 4, 7);
        expect(29, 10, 29);
        expect(30, 10, 29);
        expect(100, 25, 97);
    }

    public void testSquaresOfPrimesAreNotCounted() {
        expect(49, 15, 47);
        expect(121, 30, 113);
    }

    public void testUpperBound() {
        expect(1_000_000, 78_498, 999_983);
        expect(999_983, 78_498, 999_983);
        expect(999_982, 78_497, 999_979);
    }

    public void testAgreesWithTrialDivision() {
        int count = 0;
        int largest = 0;
        for (int n = 0; n <= 2_000; n++) {
            if (isPrimeSlowly(n)) {
                count++;
                largest = n;
            }
            expect(n, count, largest);
        }
    }

    private static boolean isPrimeSlowly(int n) {
        if (n < 2) {
            return false;
        }
        for (int d = 2; d * d <= n; d++) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }
}

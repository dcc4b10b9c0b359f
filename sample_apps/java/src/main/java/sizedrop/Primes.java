package sizedrop;

import java.util.BitSet;

/** Sieve of Eratosthenes, run fresh for each request. */
final class Primes {

    /** How many primes are at most n, and the largest of them (meaningless when count is 0). */
    record Summary(int count, int largest) {
    }

    private Primes() {
    }

    static Summary upTo(int n) {
        if (n < 2) {
            return new Summary(0, 0);
        }
        // One bit per number: 125 KB for n = 1,000,000, so even 200 requests at the top of
        // the range at once stay far below the default heap of a small container.
        BitSet composite = new BitSet(n + 1);
        for (int p = 2; (long) p * p <= n; p = composite.nextClearBit(p + 1)) {
            for (int multiple = p * p; multiple <= n; multiple += p) {
                composite.set(multiple);
            }
        }
        int count = 0;
        int largest = 0;
        for (int i = 2; i <= n; i = composite.nextClearBit(i + 1)) {
            count++;
            largest = i;
        }
        return new Summary(count, largest);
    }
}

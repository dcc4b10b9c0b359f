package main

import "testing"

func TestCountPrimesKnownValues(t *testing.T) {
	cases := []struct {
		n, count, largest int
		ok                bool
	}{
		{0, 0, 0, false},
		{1, 0, 0, false},
		{2, 1, 2, true},
		{3, 2, 3, true},
		{4, 2, 3, true},
		{10, 4, 7, true},
		{30, 10, 29, true},
		{100, 25, 97, true},
		{1000, 168, 997, true},
		{999983, 78498, 999983, true}, // n is itself the largest prime below a million
		{1000000, 78498, 999983, true},
	}
	for _, c := range cases {
		count, largest, ok := countPrimes(c.n)
		if count != c.count || largest != c.largest || ok != c.ok {
			t.Errorf("countPrimes(%d) = (%d, %d, %v), want (%d, %d, %v)",
				c.n, count, largest, ok, c.count, c.largest, c.ok)
		}
	}
}

// The sieve must agree with the slowest method that is obviously right.
func TestCountPrimesMatchesTrialDivision(t *testing.T) {
	isPrime := func(k int) bool {
		if k < 2 {
			return false
		}
		for d := 2; d*d <= k; d++ {
			if k%d == 0 {
				return false
			}
		}
		return true
	}
	count, largest := 0, 0
	for n := 0; n <= 3000; n++ {
		if isPrime(n) {
			count++
			largest = n
		}
		gotCount, gotLargest, ok := countPrimes(n)
		if gotCount != count || (ok && gotLargest != largest) || ok != (count > 0) {
			t.Fatalf("countPrimes(%d) = (%d, %d, %v), trial division says (%d, %d)",
				n, gotCount, gotLargest, ok, count, largest)
		}
	}
}

package main

// countPrimes returns how many primes are <= n and the greatest of them.
// ok is false when there is no prime <= n (n < 2), so the caller can emit null.
//
// It is a plain sieve of Eratosthenes: one bool per number up to n, so the
// largest request the service accepts (n = 1,000,000) costs about 1 MB of
// memory and a few milliseconds of CPU. The cap on n lives in the HTTP layer.
func countPrimes(n int) (count, largest int, ok bool) {
	if n < 2 {
		return 0, 0, false
	}
	// composite[i] is true once i is known to have a divisor other than 1 and i.
	composite := make([]bool, n+1)
	for i := 2; i*i <= n; i++ {
		if composite[i] {
			continue
		}
		// Smaller multiples of i were already struck out by smaller primes,
		// so crossing out can start at i*i.
		for j := i * i; j <= n; j += i {
			composite[j] = true
		}
	}
	for i := 2; i <= n; i++ {
		if !composite[i] {
			count++
			largest = i
		}
	}
	return count, largest, true
}

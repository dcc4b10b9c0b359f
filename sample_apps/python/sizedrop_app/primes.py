"""The work behind GET /primes: parse n strictly, then count primes with a sieve."""

from math import isqrt

# The largest n the service accepts, and how many digits it has: a digit string longer than
# this (once leading zeros are gone) is too big without ever being turned into a number.
MAX_N = 1_000_000
_MAX_DIGITS = len(str(MAX_N))
_ASCII_DIGITS = frozenset("0123456789")


class BadN(ValueError):
    """n was missing or not acceptable; str(error) is the message the client gets."""


def parse_n(raw):
    """Turn the already percent-decoded value of n (None when absent) into an int.

    Python's int() is deliberately not applied to the raw text: it accepts " 5", "+5", "5_0"
    and non-ASCII digits such as "\u0665", all of which the contract rejects. So the text is
    checked character by character first, and int() only ever sees at most seven ASCII digits.
    """
    if raw is None or raw == "":
        raise BadN("missing query parameter n")
    negative = raw.startswith("-")
    digits = raw[1:] if negative else raw
    if not digits or not _ASCII_DIGITS.issuperset(digits):
        raise BadN("n must be an integer")
    if negative:
        # "-0" lands here too: a leading minus is refused whatever digits follow it.
        raise BadN("n must not be negative")
    significant = digits.lstrip("0")
    if len(significant) > _MAX_DIGITS or int(significant or "0") > MAX_N:
        raise BadN(f"n must be at most {MAX_N}")
    return int(significant or "0")


def count_primes(n):
    """Return (count, largest) for the primes p <= n; largest is None when there are none.

    Sieve of Eratosthenes on a bytearray: one byte per number, 1 while it may still be prime.
    Crossing out multiples is a single slice assignment per prime, which runs in C.
    """
    if n < 2:
        return 0, None
    sieve = bytearray(b"\x01") * (n + 1)
    sieve[0] = sieve[1] = 0
    for p in range(2, isqrt(n) + 1):
        if sieve[p]:
            first = p * p
            sieve[first::p] = bytes((n - first) // p + 1)
    return sieve.count(1), sieve.rfind(1)

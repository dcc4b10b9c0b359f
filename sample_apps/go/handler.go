package main

import (
	"strconv"
	"strings"
)

// maxN is the largest n /primes accepts. It keeps the sieve's memory bounded.
const maxN = 1_000_000

// The error messages, exactly as the contract in sample_apps/README.md spells them.
const (
	errMissingN      = "missing query parameter n"
	errNegativeN     = "n must not be negative"
	errNotInteger    = "n must be an integer"
	errTooLarge      = "n must be at most 1000000"
	errNotFound      = "not found"
	errNotAllowed    = "method not allowed"
	errBadRequest    = "bad request"
	errLineTooLong   = "request line too long"
	errHeadersTooBig = "request headers too large"
	errInternalError = "internal error"
)

// reply is everything the service decides about an answer: the status, the
// JSON body (compact, one trailing newline) and whether "Allow: GET" goes with
// it. The server in server.go only moves these bytes.
type reply struct {
	status   int
	body     string
	allowGet bool
}

func jsonError(status int, message string) reply {
	// The messages are fixed ASCII strings without quotes or backslashes, so
	// they need no escaping.
	return reply{status: status, body: `{"error":"` + message + `"}` + "\n"}
}

// route answers one well-formed request. target is the request-target exactly
// as it arrived on the request line.
//
// The path is the part of the target before the first "?", percent-decoded
// once (see decodePath); it must then equal "/", "/healthz" or "/primes" byte
// for byte. There is no cleaning, no redirect, no special case: "//",
// "/healthz/", "/./healthz", "*" and "http://host/healthz" are all 404.
func route(method, target string) reply {
	rawPath, rawQuery, _ := strings.Cut(target, "?")
	path := decodePath(rawPath)
	if path != "/" && path != "/healthz" && path != "/primes" {
		// Unknown paths are 404 whatever the method.
		return jsonError(404, errNotFound)
	}
	if method != "GET" {
		// HEAD is not special: like POST or PUT, it is "a method other than GET".
		r := jsonError(405, errNotAllowed)
		r.allowGet = true
		return r
	}
	switch path {
	case "/":
		return reply{status: 200, body: `{"service":"size-drop","language":"go"}` + "\n"}
	case "/healthz":
		return reply{status: 200, body: `{"status":"ok"}` + "\n"}
	default:
		return primes(rawQuery)
	}
}

func primes(rawQuery string) reply {
	raw, found := firstQueryValue(rawQuery, "n")
	if !found || raw == "" {
		return jsonError(400, errMissingN)
	}
	n, problem := parseN(raw)
	if problem != "" {
		return jsonError(400, problem)
	}
	largest := "null"
	count, top, ok := countPrimes(n)
	if ok {
		largest = strconv.Itoa(top)
	}
	return reply{status: 200, body: `{"n":` + strconv.Itoa(n) + `,"count":` + strconv.Itoa(count) +
		`,"largest":` + largest + "}\n"}
}

// parseN turns the decoded value of n into a number, or returns the contract's
// error message for it. The checks run in the contract's order: a leading "-"
// with only digits after it is "negative" (even "-0"); any other non-digit is
// "not an integer"; a digit string above maxN is "too large", however long.
func parseN(s string) (n int, problem string) {
	if rest, negative := strings.CutPrefix(s, "-"); negative {
		if allDigits(rest) {
			return 0, errNegativeN
		}
		return 0, errNotInteger
	}
	if !allDigits(s) {
		// Covers "+5" (which arrives here as " 5"), "1e3", "0x10", " 7", "٣"...
		return 0, errNotInteger
	}
	// Leading zeros carry no value, so drop them before judging the length.
	// Anything still longer than 7 digits is above 1,000,000, and refusing it
	// before calling Atoi means a 20- or 200-digit string can never overflow.
	digits := strings.TrimLeft(s, "0")
	if digits == "" {
		return 0, ""
	}
	if len(digits) > len(strconv.Itoa(maxN)) {
		return 0, errTooLarge
	}
	n, err := strconv.Atoi(digits)
	if err != nil {
		// Unreachable: at most 7 ASCII digits always parse. Kept so that a
		// future edit cannot silently turn a parse error into n = 0.
		return 0, errNotInteger
	}
	if n > maxN {
		return 0, errTooLarge
	}
	return n, ""
}

// allDigits reports whether s is non-empty and made only of ASCII 0-9.
// (unicode.IsDigit would also accept other scripts' digits, which we refuse.)
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// firstQueryValue finds the first key=value pair in a raw query string whose
// decoded key is key, and returns its decoded value. found is false when no
// pair has that key; a pair without "=" counts as an empty value.
//
// It is written out instead of using url.ParseQuery so the rules are the same
// in every language of the project and visible here:
//   - pairs are separated by "&" only (";" is an ordinary character);
//   - "+" decodes to a space and "%XX" to the byte XX;
//   - a "%" not followed by two hex digits is kept as a literal "%"
//     (url.ParseQuery would drop the whole pair instead);
//   - the first pair with the key wins, even if its value is empty.
func firstQueryValue(rawQuery, key string) (value string, found bool) {
	for _, pair := range strings.Split(rawQuery, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		if percentDecode(k, true) == key {
			return percentDecode(v, true), true
		}
	}
	return "", false
}

// decodePath decodes the path part of a request-target once: "%XX" becomes
// the byte XX, a "%" not followed by two hex digits stays a literal "%", and
// "+" stays "+" (it only means a space in a query). So "/%68ealthz" is
// "/healthz", "/%2568ealthz" is "/%68ealthz" (decoded once, not twice) and
// "/nope%zz" is "/nope%zz".
func decodePath(s string) string {
	return percentDecode(s, false)
}

// percentDecode applies percent-decoding leniently; plusIsSpace selects form
// decoding (queries) over plain percent-decoding (paths).
func percentDecode(s string, plusIsSpace bool) string {
	if !strings.ContainsAny(s, "+%") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+' && plusIsSpace:
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

package main

import (
	"strings"
	"testing"
)

// Bodies copied from the contract table in sample_apps/README.md.
const (
	bodyRoot       = `{"service":"size-drop","language":"go"}` + "\n"
	bodyHealthz    = `{"status":"ok"}` + "\n"
	bodyMissing    = `{"error":"missing query parameter n"}` + "\n"
	bodyNegative   = `{"error":"n must not be negative"}` + "\n"
	bodyNotInteger = `{"error":"n must be an integer"}` + "\n"
	bodyTooLarge   = `{"error":"n must be at most 1000000"}` + "\n"
	bodyNotFound   = `{"error":"not found"}` + "\n"
	bodyNotAllowed = `{"error":"method not allowed"}` + "\n"
)

type exchange struct {
	method, target string
	status         int
	body           string
}

// run asks route for each request and checks status, body (byte for byte)
// and the Allow header, which goes with 405s only.
func run(t *testing.T, cases []exchange) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.method+" "+c.target, func(t *testing.T) {
			r := route(c.method, c.target)
			if r.status != c.status {
				t.Errorf("status = %d, want %d", r.status, c.status)
			}
			if r.body != c.body {
				t.Errorf("body = %q, want %q", r.body, c.body)
			}
			if r.allowGet != (c.status == 405) {
				t.Errorf("allowGet = %v for status %d", r.allowGet, c.status)
			}
		})
	}
}

// One case per row of the contract table, in the table's order.
func TestContractTable(t *testing.T) {
	run(t, []exchange{
		{"GET", "/", 200, bodyRoot},
		{"GET", "/healthz", 200, bodyHealthz},
		{"GET", "/primes?n=30", 200, `{"n":30,"count":10,"largest":29}` + "\n"},
		{"GET", "/primes?n=1", 200, `{"n":1,"count":0,"largest":null}` + "\n"},
		{"GET", "/primes", 400, bodyMissing},
		{"GET", "/primes?n=", 400, bodyMissing},
		{"GET", "/primes?n=-5", 400, bodyNegative},
		{"GET", "/primes?n=abc", 400, bodyNotInteger},
		{"GET", "/primes?n=1000001", 400, bodyTooLarge},
		{"GET", "/nope", 404, bodyNotFound},
		{"GET", "/healthz/", 404, bodyNotFound},
		{"GET", "/primes/", 404, bodyNotFound},
		{"POST", "/", 405, bodyNotAllowed},
		{"POST", "/healthz", 405, bodyNotAllowed},
		{"PUT", "/primes?n=30", 405, bodyNotAllowed},
		{"DELETE", "/primes", 405, bodyNotAllowed},
	})
}

func TestBoundaries(t *testing.T) {
	run(t, []exchange{
		{"GET", "/primes?n=0", 200, `{"n":0,"count":0,"largest":null}` + "\n"},
		{"GET", "/primes?n=1", 200, `{"n":1,"count":0,"largest":null}` + "\n"},
		{"GET", "/primes?n=2", 200, `{"n":2,"count":1,"largest":2}` + "\n"},
		{"GET", "/primes?n=3", 200, `{"n":3,"count":2,"largest":3}` + "\n"},
		{"GET", "/primes?n=1000000", 200, `{"n":1000000,"count":78498,"largest":999983}` + "\n"},
		{"GET", "/primes?n=1000001", 400, bodyTooLarge},
	})
}

func TestParsingDetails(t *testing.T) {
	run(t, []exchange{
		// Leading zeros are fine, and do not count towards the length limit.
		{"GET", "/primes?n=007", 200, `{"n":7,"count":4,"largest":7}` + "\n"},
		{"GET", "/primes?n=000", 200, `{"n":0,"count":0,"largest":null}` + "\n"},
		{"GET", "/primes?n=00000000000000000001000000", 200,
			`{"n":1000000,"count":78498,"largest":999983}` + "\n"},
		{"GET", "/primes?n=00000000000000000001000001", 400, bodyTooLarge},
		// Long digit strings are "too large", never an overflow or an "integer" error.
		{"GET", "/primes?n=10000000", 400, bodyTooLarge},
		{"GET", "/primes?n=99999999999999999999", 400, bodyTooLarge}, // 20 digits > int64
		{"GET", "/primes?n=18446744073709551617", 400, bodyTooLarge}, // > uint64
		{"GET", "/primes?n=" + strings.Repeat("9", 500), 400, bodyTooLarge},
		// A leading "-" then digits is "negative", -0 and long ones included.
		{"GET", "/primes?n=-0", 400, bodyNegative},
		{"GET", "/primes?n=-007", 400, bodyNegative},
		{"GET", "/primes?n=-99999999999999999999", 400, bodyNegative},
		// A "-" followed by anything else is "not an integer".
		{"GET", "/primes?n=-abc", 400, bodyNotInteger},
		{"GET", "/primes?n=-", 400, bodyNotInteger},
		{"GET", "/primes?n=--5", 400, bodyNotInteger},
		{"GET", "/primes?n=-5x", 400, bodyNotInteger},
		// "+" decodes to a space, so "+5" is " 5": not an integer. So is "%2B5" ("+5").
		{"GET", "/primes?n=+5", 400, bodyNotInteger},
		{"GET", "/primes?n=%2B5", 400, bodyNotInteger},
		{"GET", "/primes?n=5+", 400, bodyNotInteger},
		// Other things that are not plain ASCII digits.
		{"GET", "/primes?n=1.5", 400, bodyNotInteger},
		{"GET", "/primes?n=1e3", 400, bodyNotInteger},
		{"GET", "/primes?n=0x10", 400, bodyNotInteger},
		{"GET", "/primes?n=%D9%A3", 400, bodyNotInteger}, // ARABIC-INDIC DIGIT THREE
		{"GET", "/primes?n=%FF", 400, bodyNotInteger},    // not even UTF-8
		{"GET", "/primes?n=%00", 400, bodyNotInteger},
		{"GET", "/primes?n=%20", 400, bodyNotInteger}, // a lone space is a value, not "empty"
		// Percent-encoding is decoded first, in values and in keys.
		{"GET", "/primes?n=%33%30", 200, `{"n":30,"count":10,"largest":29}` + "\n"},
		{"GET", "/primes?%6E=30", 200, `{"n":30,"count":10,"largest":29}` + "\n"},
		{"GET", "/primes?n=%2D5", 400, bodyNegative},
		{"GET", "/primes?n=%2d5", 400, bodyNegative}, // hex digits in either case
		// A "%" not followed by two hex digits stays a literal "%".
		{"GET", "/primes?n=%", 400, bodyNotInteger},
		{"GET", "/primes?n=5%", 400, bodyNotInteger},
		{"GET", "/primes?n=%zz", 400, bodyNotInteger},
		{"GET", "/primes?n=%3", 400, bodyNotInteger},
		// When n repeats, the first one wins, even when it is invalid or empty.
		{"GET", "/primes?n=30&n=abc", 200, `{"n":30,"count":10,"largest":29}` + "\n"},
		{"GET", "/primes?n=abc&n=30", 400, bodyNotInteger},
		{"GET", "/primes?n=&n=30", 400, bodyMissing},
		{"GET", "/primes?n&n=30", 400, bodyMissing}, // "n" without "=" is an empty n
		// Other parameters are ignored; "&" is the only separator.
		{"GET", "/primes?x=1&n=10&y=2", 200, `{"n":10,"count":4,"largest":7}` + "\n"},
		{"GET", "/primes?&&n=10&", 200, `{"n":10,"count":4,"largest":7}` + "\n"},
		{"GET", "/primes?N=10", 400, bodyMissing}, // keys are case-sensitive
		{"GET", "/primes?nn=10", 400, bodyMissing},
		{"GET", "/primes?n=10;x=1", 400, bodyNotInteger}, // ";" is not a separator
		{"GET", "/primes?x=1;n=10", 400, bodyMissing},
		{"GET", "/primes?n=1=0", 400, bodyNotInteger}, // value is "1=0"
		// A query string on / and /healthz is ignored.
		{"GET", "/?n=abc", 200, bodyRoot},
		{"GET", "/healthz?verbose=1", 200, bodyHealthz},
	})
}

func TestRoutingDetails(t *testing.T) {
	run(t, []exchange{
		// HEAD is "a method other than GET" (route returns the body; the
		// server sends none for HEAD).
		{"HEAD", "/", 405, bodyNotAllowed},
		{"HEAD", "/healthz", 405, bodyNotAllowed},
		{"OPTIONS", "/primes", 405, bodyNotAllowed},
		{"PATCH", "/primes?n=5", 405, bodyNotAllowed},
		// Unknown paths are 404 whatever the method.
		{"POST", "/nope", 404, bodyNotFound},
		{"HEAD", "/primes/", 404, bodyNotFound},
		// Paths are compared exactly (after percent-decoding), no cleaning or redirects.
		{"GET", "/Healthz", 404, bodyNotFound},
		{"GET", "//", 404, bodyNotFound},
		{"GET", "//healthz", 404, bodyNotFound},
		{"HEAD", "//healthz", 404, bodyNotFound},
		{"GET", "/./healthz", 404, bodyNotFound},
		{"GET", "/primes/../healthz", 404, bodyNotFound},
		{"GET", "/healthz%2F", 404, bodyNotFound},
		// The path is percent-decoded once, then compared.
		{"GET", "/%68ealthz", 200, bodyHealthz},
		{"GET", "/%68%65%61%6C%74%68%7a", 200, bodyHealthz},
		{"POST", "/%68ealthz", 405, bodyNotAllowed},
		{"GET", "/%70rimes?n=10", 200, `{"n":10,"count":4,"largest":7}` + "\n"},
		{"GET", "/%2568ealthz", 404, bodyNotFound}, // once: this is "/%68ealthz"
		{"GET", "/%2F", 404, bodyNotFound},
		{"GET", "/healthz+", 404, bodyNotFound}, // "+" is not a space in a path
		// A broken escape stays a literal "%", in the path as in the query.
		{"GET", "/nope%zz", 404, bodyNotFound},
		{"GET", "/healthz%", 404, bodyNotFound},
		{"GET", "/healthz%7", 404, bodyNotFound},
		{"GET", "/%", 404, bodyNotFound},
		// Other target forms have no such path either; neither does a "#...".
		{"OPTIONS", "*", 404, bodyNotFound},
		{"GET", "http://localhost/healthz", 404, bodyNotFound},
		{"CONNECT", "localhost:443", 404, bodyNotFound},
		{"CONNECT", "/healthz", 405, bodyNotAllowed},
		{"GET", "/healthz#top", 404, bodyNotFound},
		{"GET", "/primes?n=5#top", 400, bodyNotInteger},
	})
}

// The safety net turns a panic into a JSON 500 instead of a dropped connection.
func TestGuardedTurnsAPanicIntoA500(t *testing.T) {
	boom := func(string, string) reply { panic("boom") }
	r := guarded(boom, "GET", "/")
	if r.status != 500 || r.body != `{"error":"internal error"}`+"\n" {
		t.Errorf("got %d %q", r.status, r.body)
	}
	if r := guarded(route, "GET", "/healthz"); r.status != 200 {
		t.Errorf("guarded(route) = %d, want 200", r.status)
	}
}

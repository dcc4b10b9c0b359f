package main

import (
	"encoding/json"
	"log"
	"net/http"
	"strconv"
	"strings"
)

// maxN is the largest n /primes accepts. It keeps the sieve's memory bounded.
const maxN = 1_000_000

// The JSON bodies. Struct fields are marshalled in declaration order, which is
// how the contract's key order ("n", then "count", then "largest") is kept.
type serviceInfo struct {
	Service  string `json:"service"`
	Language string `json:"language"`
}

type healthStatus struct {
	Status string `json:"status"`
}

type primesResult struct {
	N       int  `json:"n"`
	Count   int  `json:"count"`
	Largest *int `json:"largest"` // nil marshals as null
}

type apiError struct {
	Error string `json:"error"`
}

// The error messages, exactly as the contract spells them.
const (
	errMissingN      = "missing query parameter n"
	errNegativeN     = "n must not be negative"
	errNotInteger    = "n must be an integer"
	errTooLarge      = "n must be at most 1000000"
	errNotFound      = "not found"
	errNotAllowed    = "method not allowed"
	errInternalError = "internal error"
)

// newHandler builds the whole HTTP surface of the service.
//
// It routes by hand instead of using http.ServeMux on purpose: ServeMux answers
// some requests itself (a 301 redirect for "//primes" or "/a/../primes", a
// plain-text 404 or 405), and the contract wants the exact same JSON from every
// language for every path. A switch on the path gives us that control.
func newHandler() http.Handler {
	routes := map[string]http.HandlerFunc{
		"/":        handleRoot,
		"/healthz": handleHealthz,
		"/primes":  handlePrimes,
	}
	mux := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route, known := routes[r.URL.Path]
		switch {
		case !known:
			// Unknown paths are 404 whatever the method: "/healthz/" is not "/healthz".
			writeJSON(w, http.StatusNotFound, apiError{errNotFound})
		case r.Method != http.MethodGet:
			// HEAD is not special-cased: the contract treats it like POST or PUT.
			w.Header().Set("Allow", http.MethodGet)
			writeJSON(w, http.StatusMethodNotAllowed, apiError{errNotAllowed})
		default:
			route(w, r)
		}
	})
	return recoverPanics(mux)
}

func handleRoot(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, serviceInfo{Service: "size-drop", Language: "go"})
}

func handleHealthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, healthStatus{Status: "ok"})
}

func handlePrimes(w http.ResponseWriter, r *http.Request) {
	raw, found := firstQueryValue(r.URL.RawQuery, "n")
	if !found || raw == "" {
		writeJSON(w, http.StatusBadRequest, apiError{errMissingN})
		return
	}
	n, problem := parseN(raw)
	if problem != "" {
		writeJSON(w, http.StatusBadRequest, apiError{problem})
		return
	}
	result := primesResult{N: n}
	if count, largest, ok := countPrimes(n); ok {
		result.Count = count
		result.Largest = &largest
	}
	writeJSON(w, http.StatusOK, result)
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
		if decodeQueryComponent(k) == key {
			return decodeQueryComponent(v), true
		}
	}
	return "", false
}

// decodeQueryComponent applies form decoding ("+" and "%XX") leniently.
func decodeQueryComponent(s string) string {
	if !strings.ContainsAny(s, "+%") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
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

// writeJSON sends body as compact JSON followed by a single newline.
func writeJSON(w http.ResponseWriter, status int, body any) {
	data, err := json.Marshal(body)
	if err != nil {
		// Only our own fixed structs reach here, so this cannot happen;
		// fall back to a hand-written body rather than an empty reply.
		status, data = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	data = append(data, '\n')
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data) // a client that hung up is not our error to report
}

// recoverPanics is a safety net: no input is supposed to panic, but if a bug
// ever does, the client gets a JSON 500 and the process keeps serving instead
// of net/http silently dropping the connection.
func recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v) // net/http's own "abort this response" signal
				}
				log.Printf("panic serving %s %s: %v", r.Method, r.URL.Path, v)
				writeJSON(w, http.StatusInternalServerError, apiError{errInternalError})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

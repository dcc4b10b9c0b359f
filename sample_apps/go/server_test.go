package main

import (
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	bodyBadRequest = `{"error":"bad request"}` + "\n"
	bodyLongLine   = `{"error":"request line too long"}` + "\n"
	bodyBigHeaders = `{"error":"request headers too large"}` + "\n"
)

// startServer runs the real server on a free loopback port until the test ends.
func startServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer()
	done := make(chan error, 1)
	go func() { done <- srv.serve(ln) }()
	t.Cleanup(func() {
		srv.shutdown(time.Second)
		if err := <-done; err != nil {
			t.Errorf("serve returned %v", err)
		}
	})
	return ln.Addr().String()
}

type response struct {
	status int
	header map[string]string // lower-case names
	body   string
}

// send writes raw bytes as they are, closes the sending side and returns every
// byte the server answered until it closed the connection.
func send(t *testing.T, addr, raw string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	// The server may answer and stop reading before a huge request is all
	// sent; a failed write is fine as long as the answer arrives.
	_, _ = io.WriteString(c, raw)
	_ = c.(*net.TCPConn).CloseWrite()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading the answer: %v (got %q)", err, got)
	}
	return string(got)
}

// parseResponses splits a byte stream into responses, using Content-Length.
// head tells which ones answer a HEAD (no body whatever Content-Length says).
func parseResponses(t *testing.T, stream string, head bool) []response {
	t.Helper()
	var out []response
	for stream != "" {
		end := strings.Index(stream, "\r\n\r\n")
		if end < 0 {
			t.Fatalf("incomplete response: %q", stream)
		}
		lines := strings.Split(stream[:end], "\r\n")
		stream = stream[end+4:]
		parts := strings.SplitN(lines[0], " ", 3)
		status, err := strconv.Atoi(parts[1])
		if err != nil {
			t.Fatalf("status line %q", lines[0])
		}
		r := response{status: status, header: map[string]string{}}
		for _, l := range lines[1:] {
			k, v, _ := strings.Cut(l, ":")
			r.header[strings.ToLower(k)] = strings.TrimSpace(v)
		}
		if status != 100 && !head {
			n, _ := strconv.Atoi(r.header["content-length"])
			if n > len(stream) {
				t.Fatalf("body shorter than Content-Length %d: %q", n, stream)
			}
			r.body, stream = stream[:n], stream[n:]
		}
		out = append(out, r)
	}
	return out
}

type rawCase struct {
	name   string
	raw    string
	status int
	body   string
}

func checkRaw(t *testing.T, addr string, c rawCase) {
	t.Helper()
	head := strings.HasPrefix(c.raw, "HEAD ")
	rs := parseResponses(t, send(t, addr, c.raw), head)
	if len(rs) > 0 && rs[0].status == 100 {
		rs = rs[1:] // an interim answer to "Expect: 100-continue"
	}
	if len(rs) != 1 {
		t.Fatalf("%d responses, want 1: %+v", len(rs), rs)
	}
	r := rs[0]
	if r.status != c.status || r.body != c.body {
		t.Errorf("got %d %q, want %d %q", r.status, r.body, c.status, c.body)
	}
	if r.header["content-type"] != "application/json" {
		t.Errorf("Content-Type %q", r.header["content-type"])
	}
	if want := strconv.Itoa(len(c.body)); !head && r.header["content-length"] != want {
		t.Errorf("Content-Length %q, want %s", r.header["content-length"], want)
	}
	if (r.header["allow"] == "GET") != (c.status == 405) {
		t.Errorf("Allow %q with status %d", r.header["allow"], c.status)
	}
}

// get builds a simple request with "Connection: close".
func get(method, target string) string {
	return method + " " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
}

// withHeaders builds a GET /healthz carrying the given header lines after "Host: x".
func withHeaders(lines ...string) string {
	return "GET /healthz HTTP/1.1\r\nHost: x\r\n" + strings.Join(lines, "") + "Connection: close\r\n\r\n"
}

func TestRawRequests(t *testing.T) {
	addr := startServer(t)
	// A request line of exactly n bytes, asking for /primes?n=7 with leading zeros.
	line := func(n int) string {
		const fixed = len("GET /primes?n=") + len("7") + len(" HTTP/1.1")
		return "GET /primes?n=" + strings.Repeat("0", n-fixed) + "7 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	}
	fields := func(n int, extra string) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString("X-F" + strconv.Itoa(i) + ": 1\r\n")
		}
		return withHeaders(b.String(), extra)
	}
	bodyPrimes7 := `{"n":7,"count":4,"largest":7}` + "\n"
	cases := []rawCase{
		{"double slash", get("GET", "//"), 404, bodyNotFound},
		{"double slash healthz", get("GET", "//healthz"), 404, bodyNotFound},
		{"encoded path", get("GET", "/%68ealthz"), 200, bodyHealthz},
		{"broken escape in path", get("GET", "/nope%zz"), 404, bodyNotFound},
		{"broken escape in query", get("GET", "/primes?n=%zz"), 400, bodyNotInteger},
		{"NUL in query", get("GET", "/primes?n=1%00"), 400, bodyNotInteger},
		{"HEAD", get("HEAD", "/healthz"), 405, ""},
		{"HEAD unknown", get("HEAD", "/nope"), 404, ""},
		{"OPTIONS *", get("OPTIONS", "*"), 404, bodyNotFound},
		{"absolute form", get("GET", "http://x/healthz"), 404, bodyNotFound},
		{"HTTP/1.0", "GET /healthz HTTP/1.0\r\n\r\n", 200, bodyHealthz},
		{"HTTP/1.2", "GET /healthz HTTP/1.2\r\nHost: x\r\nConnection: close\r\n\r\n", 200, bodyHealthz},
		{"HTTP/1.0 without Host", "GET /healthz HTTP/1.0\r\n\r\n", 200, bodyHealthz},
		{"empty line first", "\r\n" + get("GET", "/healthz"), 200, bodyHealthz},
		{"POST with a body", "POST /primes HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nn=30", 405, bodyNotAllowed},
		{"chunked POST", "POST /primes HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nn=30\r\n0\r\n\r\n", 405, bodyNotAllowed},
		{"100-continue", "POST /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi", 404, bodyNotFound},
		{"underscore field", withHeaders("X_Under: 1\r\n"), 200, bodyHealthz},
		// Limits: the largest accepted size, then one byte more.
		{"request line 8190", line(8190), 200, bodyPrimes7},
		{"request line 8191", line(8191), 414, bodyLongLine},
		{"request line 20000", get("GET", "/"+strings.Repeat("a", 20000)), 414, bodyLongLine},
		{"header line 8188", withHeaders("X-Fill: " + strings.Repeat("a", 8180) + "\r\n"), 200, bodyHealthz},
		{"header line 8189", withHeaders("X-Fill: " + strings.Repeat("a", 8181) + "\r\n"), 431, bodyBigHeaders},
		{"header 100000", withHeaders("X-Big: " + strings.Repeat("b", 100000) + "\r\n"), 431, bodyBigHeaders},
		{"100 fields", fields(98, ""), 200, bodyHealthz}, // + Host + Connection
		{"101 fields", fields(99, ""), 431, bodyBigHeaders},
		{"underscores not counted", fields(98, "X_A: 1\r\nX_B: 1\r\n"), 200, bodyHealthz},
		// Broken requests: 400 and the same JSON body.
		{"garbage", "GARBAGE\r\n\r\n", 400, bodyBadRequest},
		{"HTTP/1.1 without Host", "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n", 400, bodyBadRequest},
		{"HTTP/1.2 without Host", "GET /healthz HTTP/1.2\r\n\r\n", 400, bodyBadRequest},
		{"lower-case method", get("get", "/healthz"), 400, bodyBadRequest},
		{"method too long", get(strings.Repeat("A", 21), "/healthz"), 400, bodyBadRequest},
		{"method too short", get("GE", "/healthz"), 400, bodyBadRequest},
		{"HTTP/2.0", "GET / HTTP/2.0\r\n\r\n", 400, bodyBadRequest},
		{"HTTP/1", "GET / HTTP/1\r\n\r\n", 400, bodyBadRequest},
		{"two spaces", "GET  / HTTP/1.1\r\n\r\n", 400, bodyBadRequest},
		{"space in target", "GET /a b HTTP/1.1\r\n\r\n", 400, bodyBadRequest},
		{"no slash", get("GET", "healthz"), 400, bodyBadRequest},
		{"star with GET", get("GET", "*"), 400, bodyBadRequest},
		{"NUL in target", get("GET", "/\x00"), 400, bodyBadRequest},
		{"non-ASCII target", get("GET", "/\xc3\xa9"), 400, bodyBadRequest},
		{"bare LF", "GET /healthz HTTP/1.1\nHost: x\n\n", 400, bodyBadRequest},
		{"bare LF in fields", "GET /healthz HTTP/1.1\r\nHost: x\nA: b\r\n\r\n", 400, bodyBadRequest},
		{"no colon", withHeaders("Host x\r\n"), 400, bodyBadRequest},
		{"empty name", withHeaders(": x\r\n"), 400, bodyBadRequest},
		{"space before colon", withHeaders("Host : x\r\n"), 400, bodyBadRequest},
		{"folded line", withHeaders("X-A: 1\r\n  2\r\n"), 400, bodyBadRequest},
		{"control in value", withHeaders("X-A: a\x01b\r\n"), 400, bodyBadRequest},
		{"two Hosts", withHeaders("Host: b\r\n"), 400, bodyBadRequest},
		{"two Content-Types", withHeaders("Content-Type: a\r\ncontent-type: a\r\n"), 400, bodyBadRequest},
		{"Expect other", withHeaders("Expect: something\r\n"), 400, bodyBadRequest},
		{"Content-Length word", withHeaders("Content-Length: five\r\n"), 400, bodyBadRequest},
		{"Content-Length signed", withHeaders("Content-Length: +5\r\n"), 400, bodyBadRequest},
		{"two Content-Lengths", withHeaders("Content-Length: 0\r\nContent-Length: 0\r\n"), 400, bodyBadRequest},
		{"gzip alone", withHeaders("Transfer-Encoding: gzip\r\n"), 400, bodyBadRequest},
		{"unknown coding", withHeaders("Transfer-Encoding: magic\r\n"), 400, bodyBadRequest},
		{"chunked twice", withHeaders("Transfer-Encoding: chunked, chunked\r\n"), 400, bodyBadRequest},
		{"chunked then gzip", withHeaders("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n"), 400, bodyBadRequest},
		{"chunked and length", withHeaders("Transfer-Encoding: chunked\r\nContent-Length: 3\r\n"), 400, bodyBadRequest},
		{"chunked in 1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, bodyBadRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkRaw(t, addr, c) })
	}
}

func TestKeepAliveAndPipelining(t *testing.T) {
	addr := startServer(t)
	stream := send(t, addr, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"+
		"DELETE /primes HTTP/1.1\r\nHost: x\r\n\r\n"+
		"GET /primes?n=30 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"+
		"GET /never-read HTTP/1.1\r\nHost: x\r\n\r\n")
	rs := parseResponses(t, stream, false)
	if len(rs) != 3 || rs[0].body != bodyHealthz || rs[1].body != bodyNotAllowed ||
		rs[2].body != `{"n":30,"count":10,"largest":29}`+"\n" {
		t.Fatalf("got %+v", rs)
	}
	if rs[0].header["connection"] != "" || rs[2].header["connection"] != "close" {
		t.Errorf("Connection headers %q, %q", rs[0].header["connection"], rs[2].header["connection"])
	}
}

// A body is never read: after answering a request that has one, the server closes.
func TestRequestWithABodyClosesTheConnection(t *testing.T) {
	addr := startServer(t)
	stream := send(t, addr, "POST /primes HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nn=30GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	rs := parseResponses(t, stream, false)
	if len(rs) != 1 || rs[0].status != 405 || rs[0].header["connection"] != "close" {
		t.Fatalf("got %+v", rs)
	}
}

// A client that connects and says nothing, or leaves halfway, costs no answer
// and does not disturb the others.
func TestSilentAndVanishingClients(t *testing.T) {
	addr := startServer(t)
	if got := send(t, addr, ""); got != "" {
		t.Errorf("empty request got %q", got)
	}
	if got := send(t, addr, "GET /healthz HTTP/1.1\r\nHost:"); got != "" {
		t.Errorf("half a request got %q", got)
	}
	checkRaw(t, addr, rawCase{"after", get("GET", "/healthz"), 200, bodyHealthz})
}

func TestTwoHundredConcurrentClients(t *testing.T) {
	addr := startServer(t)
	results := make(chan string, 200)
	for i := 0; i < 200; i++ {
		go func(n int) {
			// No t.Fatal off the test goroutine: report through the channel.
			c, err := net.Dial("tcp", addr)
			if err != nil {
				results <- err.Error()
				return
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(20 * time.Second))
			_, _ = io.WriteString(c, get("GET", "/primes?n="+strconv.Itoa(n)))
			got, err := io.ReadAll(c)
			if err != nil || !strings.HasPrefix(string(got), "HTTP/1.1 200 ") {
				results <- "n=" + strconv.Itoa(n) + ": " + string(got) + " " + errString(err)
				return
			}
			results <- ""
		}(i * 5000)
	}
	for i := 0; i < 200; i++ {
		if r := <-results; r != "" {
			t.Error(r)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestShutdownClosesIdleConnections(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer()
	done := make(chan error, 1)
	go func() { done <- srv.serve(ln) }()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") // keep-alive: stays open
	buf := make([]byte, 512)
	if _, err := c.Read(buf); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	srv.shutdown(time.Second)
	if err := <-done; err != nil {
		t.Errorf("serve returned %v", err)
	}
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("shutdown with an idle connection took %v", took)
	}
}

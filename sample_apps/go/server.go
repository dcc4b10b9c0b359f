package main

// A small HTTP/1.1 server on plain TCP connections.
//
// Why not net/http: it answers some requests itself, before any handler runs,
// with plain-text bodies the contract does not allow: an oversized header
// block ("431 Request Header Fields Too Large"), a path with a broken escape
// such as "/nope%zz" ("400 Bad Request"), an HTTP/2.0 request line (a 505).
// The contract wants the same JSON from Go, Java and Python for every request,
// and the Python app sits behind gunicorn, whose parser is strict. So this file
// reads the request head with the same rules and limits as gunicorn (see
// sample_apps/README.md) and answers every broken request in JSON itself.
//
// What it supports: HTTP/1.0 and HTTP/1.1, keep-alive, "Expect: 100-continue".
// Request bodies are never read: a request that has one gets its answer, and
// then the connection is closed.

import (
	"bufio"
	"errors"
	"io"
	"log"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The limits of a request head (gunicorn's defaults; its request-line limit
// cannot go higher).
const (
	maxRequestLine = 8190 // bytes before the CRLF: 8 KiB with it
	maxFieldLine   = 8188 // bytes of one header line before its CRLF: 8190 with it
	maxFields      = 100  // header fields in one request

	// A request head must arrive within this time after the connection opens
	// or the previous answer is sent; it also bounds idle keep-alive
	// connections, so a slow or silent client cannot hold one forever.
	headTimeout  = 10 * time.Second
	writeTimeout = 10 * time.Second

	// Closing a connection while the client is still sending (a 20 KB request
	// line we refused after 8 KB, say) makes the kernel send a reset, which
	// can destroy our answer before the client reads it. So the write side is
	// closed first and the rest of the input read and dropped, for a bounded
	// time and amount ("lingering close").
	lingerTimeout = 2 * time.Second
	lingerBytes   = 1 << 20
)

// protocolError is a request that is not acceptable HTTP/1.x; the contract
// gives each kind one status and one JSON message.
type protocolError struct {
	status  int
	message string
}

func (e *protocolError) Error() string { return e.message }

var (
	errMalformed  = &protocolError{400, errBadRequest}
	errLongLine   = &protocolError{414, errLineTooLong}
	errBigHeaders = &protocolError{431, errHeadersTooBig}
)

// request is what the service needs to know about a parsed request head.
type request struct {
	method, target string
	keepAlive      bool // the client allows another request on this connection
	hasBody        bool // a body follows (Content-Length > 0, or chunked)
	expectContinue bool // HTTP/1.1 with "Expect: 100-continue"
}

// readRequest reads one request head from br and checks it. An error is
// either a *protocolError (answer it, then close) or an I/O error (the client
// went away or was too slow: close without an answer).
func readRequest(br *bufio.Reader) (*request, error) {
	// One empty line before the request line is tolerated (RFC 9112, 2.2).
	if b, err := br.Peek(1); err != nil {
		return nil, err
	} else if b[0] == '\r' {
		if b, err := br.Peek(2); err == nil && b[1] == '\n' {
			_, _ = br.Discard(2)
		}
	}
	line, err := readLine(br, maxRequestLine, errLongLine)
	if err != nil {
		return nil, err
	}
	req, minor, err := parseRequestLine(line)
	if err != nil {
		return nil, err
	}

	var (
		fields             int
		seenHost, seenType bool
		seenConnection     bool
		connection         string
		framing            [][2]string // Content-Length and Transfer-Encoding fields, in order
	)
	for {
		line, err := readLine(br, maxFieldLine, errBigHeaders)
		if err != nil {
			return nil, err
		}
		if line == "" {
			break // the empty line that ends the head
		}
		if fields >= maxFields {
			return nil, errBigHeaders
		}
		if line[0] == ' ' || line[0] == '\t' {
			return nil, errMalformed // obsolete line folding
		}
		colon := strings.IndexByte(line, ':')
		if colon <= 0 || !isToken(line[:colon]) {
			return nil, errMalformed // no "name:" (a space before the colon included)
		}
		name := strings.ToUpper(line[:colon])
		value := strings.Trim(line[colon+1:], " \t")
		if hasControl(value) {
			return nil, errMalformed
		}
		switch name {
		case "HOST", "CONTENT-TYPE": // fields that may appear only once
			seen := &seenHost
			if name == "CONTENT-TYPE" {
				seen = &seenType
			}
			if *seen {
				return nil, errMalformed
			}
			*seen = true
		case "EXPECT":
			if asciiLower(value) != "100-continue" {
				return nil, errMalformed
			}
			req.expectContinue = minor >= 1 // HTTP/1.0 clients cannot expect it
		}
		if strings.Contains(name, "_") {
			// Like gunicorn (header_map "drop"): a name with "_" could pose as
			// one with "-" once mapped to a WSGI variable. It is ignored and
			// does not count towards maxFields.
			continue
		}
		fields++
		switch name {
		case "CONTENT-LENGTH", "TRANSFER-ENCODING":
			framing = append(framing, [2]string{name, value})
		case "CONNECTION":
			if !seenConnection {
				seenConnection, connection = true, asciiLower(value)
			}
		}
	}

	if err := checkFraming(req, framing, minor); err != nil {
		return nil, err
	}
	if minor >= 1 && !seenHost {
		return nil, errMalformed // an HTTP/1.1 request must name its Host (RFC 9112, 3.2)
	}
	switch {
	case req.method == "CONNECT":
		req.keepAlive = false
	case connection == "close":
		req.keepAlive = false
	case connection == "keep-alive":
		req.keepAlive = true
	default:
		req.keepAlive = minor >= 1
	}
	return req, nil
}

// readLine returns the next line without its CRLF. A line longer than limit
// is tooLong; a line ending in a bare LF is malformed. br's buffer (8 KiB)
// holds the longest acceptable line, so ReadSlice filling it up means the
// line is too long.
func readLine(br *bufio.Reader, limit int, tooLong error) (string, error) {
	b, err := br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return "", tooLong
	}
	if err != nil {
		return "", err // EOF in the middle of a head: nothing to answer
	}
	if len(b) < 2 || b[len(b)-2] != '\r' {
		return "", errMalformed
	}
	if len(b)-2 > limit {
		return "", tooLong
	}
	return string(b[:len(b)-2]), nil
}

// parseRequestLine checks "METHOD SP TARGET SP HTTP/1.x" and returns the
// request and x, the minor version.
func parseRequestLine(line string) (*request, int, error) {
	method, rest, ok := strings.Cut(line, " ")
	if !ok {
		return nil, 0, errMalformed
	}
	target, version, ok := strings.Cut(rest, " ")
	if !ok || !isMethod(method) {
		return nil, 0, errMalformed
	}
	if target == "" || !isVisibleASCII(target) {
		return nil, 0, errMalformed
	}
	if target == "*" && method != "OPTIONS" {
		return nil, 0, errMalformed
	}
	// Origin form ("/path?query") and absolute form ("http://host/path") are
	// accepted, "*" for OPTIONS, anything for CONNECT. Routing then reads the
	// path of all of them the same way: only "/", "/healthz", "/primes" exist.
	if method != "CONNECT" && target != "*" && !strings.HasPrefix(target, "/") &&
		!strings.Contains(target, "://") {
		return nil, 0, errMalformed
	}
	if len(version) != len("HTTP/1.1") || !strings.HasPrefix(version, "HTTP/1.") ||
		version[7] < '0' || version[7] > '9' {
		return nil, 0, errMalformed // HTTP/1.0 to HTTP/1.9; HTTP/2.0 is not spoken here
	}
	return &request{method: method, target: target}, int(version[7] - '0'), nil
}

// checkFraming applies the request-body rules: one Content-Length of ASCII
// digits, or a Transfer-Encoding list that ends in "chunked" (HTTP/1.1 only,
// never together with Content-Length).
func checkFraming(req *request, framing [][2]string, minor int) error {
	var contentLength string
	var haveLength, haveEncoding, chunked bool
	for _, f := range framing {
		if f[0] == "CONTENT-LENGTH" {
			if haveLength {
				return errMalformed
			}
			haveLength, contentLength = true, f[1]
			continue
		}
		haveEncoding = true
		for _, coding := range strings.Split(f[1], ",") {
			switch asciiLower(strings.Trim(coding, " \t")) {
			case "chunked":
				if chunked {
					return errMalformed
				}
				chunked = true
			case "identity", "compress", "deflate", "gzip":
				if chunked {
					return errMalformed // chunked must come last
				}
			default:
				return errMalformed
			}
		}
	}
	switch {
	case haveEncoding && !chunked:
		return errMalformed
	case chunked:
		if minor < 1 || haveLength {
			return errMalformed
		}
		req.hasBody = true
	case haveLength:
		if !allDigits(contentLength) {
			return errMalformed
		}
		req.hasBody = strings.Trim(contentLength, "0") != ""
	}
	return nil
}

// isMethod: 3 to 20 characters of a token, no lower-case letters and no "#".
func isMethod(s string) bool {
	if len(s) < 3 || len(s) > 20 || !isToken(s) {
		return false
	}
	return !strings.ContainsAny(s, "#abcdefghijklmnopqrstuvwxyz")
}

// isToken reports whether s is a non-empty RFC 9110 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// isVisibleASCII: every byte is 0x21-0x7E (no space, control or non-ASCII byte).
func isVisibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// hasControl: a control character other than HTAB (0x00-0x08, 0x0A-0x1F, 0x7F).
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return true
		}
	}
	return false
}

// asciiLower lower-cases A-Z only, so no Unicode rule can turn other bytes
// into ASCII letters.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

var reasons = map[int]string{
	200: "OK",
	400: "Bad Request",
	404: "Not Found",
	405: "Method Not Allowed",
	414: "URI Too Long",
	431: "Request Header Fields Too Large",
	500: "Internal Server Error",
}

// writeReply sends r. A HEAD request gets the same status and headers,
// Content-Length included, but no body.
func writeReply(w io.Writer, r reply, head, closing bool) error {
	var b strings.Builder
	b.WriteString("HTTP/1.1 " + strconv.Itoa(r.status) + " " + reasons[r.status] + "\r\n")
	b.WriteString("Content-Type: application/json\r\n")
	b.WriteString("Content-Length: " + strconv.Itoa(len(r.body)) + "\r\n")
	if r.allowGet {
		b.WriteString("Allow: GET\r\n")
	}
	if closing {
		b.WriteString("Connection: close\r\n")
	}
	b.WriteString("\r\n")
	if !head {
		b.WriteString(r.body)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// guarded calls answer (route, outside tests) with a safety net: no input is
// supposed to panic, but if a bug ever does, the client gets a JSON 500 and
// the server keeps serving.
func guarded(answer func(method, target string) reply, method, target string) (r reply) {
	defer func() {
		if v := recover(); v != nil {
			log.Printf("panic serving %s %s: %v", method, target, v)
			r = jsonError(500, errInternalError)
		}
	}()
	return answer(method, target)
}

// server accepts connections and serves each on its own goroutine.
type server struct {
	closing atomic.Bool
	active  sync.WaitGroup
	mu      sync.Mutex
	conns   map[net.Conn]struct{}
	ln      net.Listener
}

func newServer() *server {
	return &server{conns: make(map[net.Conn]struct{})}
}

// serve accepts until shutdown closes ln; it returns nil then.
func (s *server) serve(ln net.Listener) error {
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	for {
		c, err := ln.Accept()
		if err != nil {
			if s.closing.Load() {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		s.mu.Lock()
		if s.closing.Load() {
			s.mu.Unlock()
			c.Close()
			continue
		}
		s.conns[c] = struct{}{}
		s.active.Add(1)
		s.mu.Unlock()
		go s.serveConn(c)
	}
}

func (s *server) serveConn(c net.Conn) {
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		s.active.Done()
	}()
	br := bufio.NewReaderSize(c, maxRequestLine+2)
	for {
		_ = c.SetReadDeadline(time.Now().Add(headTimeout))
		if s.closing.Load() {
			c.Close()
			return
		}
		req, err := readRequest(br)
		_ = c.SetWriteDeadline(time.Now().Add(writeTimeout))
		var pe *protocolError
		if errors.As(err, &pe) {
			_ = writeReply(c, jsonError(pe.status, pe.message), false, true)
			s.finish(c)
			return
		}
		if err != nil {
			c.Close() // gone, silent or too slow: nobody to answer
			return
		}
		if req.expectContinue {
			_, _ = io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\n")
		}
		keepAlive := req.keepAlive && !req.hasBody && !s.closing.Load()
		if writeReply(c, guarded(route, req.method, req.target), req.method == "HEAD", !keepAlive) != nil {
			c.Close()
			return
		}
		if !keepAlive {
			s.finish(c)
			return
		}
	}
}

// finish closes c after its last answer (see lingerTimeout).
func (s *server) finish(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok && !s.closing.Load() {
		_ = tc.CloseWrite()
		_ = c.SetReadDeadline(time.Now().Add(lingerTimeout))
		_, _ = io.CopyN(io.Discard, c, lingerBytes)
	}
	c.Close()
}

// shutdown stops accepting, lets requests in progress finish for up to grace,
// then closes whatever is left. Idle keep-alive connections close at once.
func (s *server) shutdown(grace time.Duration) {
	s.mu.Lock()
	s.closing.Store(true)
	if s.ln != nil {
		s.ln.Close()
	}
	for c := range s.conns {
		// Wakes a connection waiting for its next request; one busy with a
		// request still writes its answer (only the read deadline moves).
		_ = c.SetReadDeadline(time.Now())
	}
	s.mu.Unlock()

	done := make(chan struct{})
	go func() { s.active.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		s.mu.Lock()
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		<-done
	}
}

// Command server is the Go version of the Size Drop sample service: a tiny
// JSON API (/, /healthz, /primes) built with the standard library only, so the
// image size comparisons measure packaging choices, not dependencies. The
// HTTP server itself is in server.go (why not net/http: see there).
//
// Run it as a server (the default) or as its own health probe:
//
//	server               listen on :8080, or on :$PORT when PORT is set
//	server -healthcheck  GET http://127.0.0.1:$PORT/healthz; exit 0 on 200, else 1
//
// The probe mode exists because distroless and scratch images have no curl or
// wget: the image's HEALTHCHECK runs the binary that is already in it.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

const (
	defaultPort = "8080"

	// How long a stopping server waits for requests in flight. Docker sends
	// SIGKILL 10 s after SIGTERM by default (2 s in our checks), so finish well
	// before that. The process then exits 0, as Java and Python do.
	shutdownGrace = 1 * time.Second

	// The probe must answer before the HEALTHCHECK --timeout (3 s) expires.
	healthcheckTimeout = 2 * time.Second
)

func main() {
	healthcheck := flag.Bool("healthcheck", false,
		"probe http://127.0.0.1:$PORT/healthz and exit 0 if it answers 200, 1 otherwise")
	flag.Parse()

	port := os.Getenv("PORT")
	if port == "" {
		port = defaultPort
	}

	if *healthcheck {
		os.Exit(probe(port))
	}
	if err := serve(port); err != nil {
		log.Printf("server: %v", err)
		os.Exit(1)
	}
}

// serve listens until SIGTERM or SIGINT, then shuts down gracefully and
// returns nil, so the process exits 0 on a normal stop.
func serve(port string) error {
	// Watch for the signals before listening so an early "docker stop" is not missed.
	// As PID 1 in a container this matters: the kernel gives PID 1 no default
	// action for SIGTERM, so a process that does not handle it is never
	// stopped by it and the engine has to SIGKILL it after the grace period.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	ln, err := listen(port)
	if err != nil {
		return err
	}
	log.Printf("size-drop (go) listening on %s", ln.Addr())

	srv := newServer()
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.serve(ln) }()

	select {
	case err := <-serveErr:
		return err // serve only returns early on a real failure
	case <-ctx.Done():
	}

	log.Printf("signal received, shutting down")
	// Requests still running after the grace period are cut off; that is
	// the deal of a bounded shutdown, not a failure of the process.
	srv.shutdown(shutdownGrace)
	return <-serveErr
}

// listen opens the port on all addresses: dual-stack [::] (IPv6 and, through
// mapped addresses, IPv4) when the container has IPv6, 0.0.0.0 otherwise.
// Docker disables IPv6 inside containers unless the network enables it; then
// an IPv4 socket is what the Java and Python apps open too, so all three show
// the same listening sockets in /proc/net/tcp and /proc/net/tcp6.
func listen(port string) (net.Listener, error) {
	if ipv6Usable() {
		// Network "tcp" with the unspecified IPv6 address is Go's dual-stack
		// socket (IPV6_V6ONLY off); "tcp6" would be IPv6 only.
		return net.Listen("tcp", net.JoinHostPort("::", port))
	}
	return net.Listen("tcp4", net.JoinHostPort("0.0.0.0", port))
}

// ipv6Usable reports whether an IPv6 socket can bind the loopback address ::1,
// the test every app of the project uses.
func ipv6Usable() bool {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

// probe performs the health check and returns the process exit code. It
// speaks the little HTTP it needs over a plain TCP connection instead of using
// net/http's client: the binary then links neither net/http nor crypto/tls,
// which makes it less than half as big (the server never used net/http).
func probe(port string) int {
	addr := net.JoinHostPort("127.0.0.1", port)
	conn, err := net.DialTimeout("tcp", addr, healthcheckTimeout)
	if err != nil {
		fmt.Fprintf(os.Stderr, "healthcheck: %v\n", err)
		return 1
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(healthcheckTimeout))
	if _, err := fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", addr); err != nil {
		fmt.Fprintf(os.Stderr, "healthcheck: %v\n", err)
		return 1
	}
	status, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		fmt.Fprintf(os.Stderr, "healthcheck: no answer from %s: %v\n", addr, err)
		return 1
	}
	status = strings.TrimRight(status, "\r\n")
	// "HTTP/1.1 200 OK": the code is the second field.
	if fields := strings.Fields(status); len(fields) < 2 || fields[1] != "200" {
		fmt.Fprintf(os.Stderr, "healthcheck: %s answered %q\n", addr, status)
		return 1
	}
	return 0
}

// Command server is the Go version of the Size Drop sample service: a tiny
// JSON API (/, /healthz, /primes) built with the standard library only, so the
// image size comparisons measure packaging choices, not dependencies.
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
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

const (
	defaultPort = "8080"

	// How long a stopping server waits for requests in flight. Docker sends
	// SIGKILL 10 s after SIGTERM by default (2 s in our checks), so finish well
	// before that.
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

// newServer wires the handler into an http.Server with limits set. The zero
// values of http.Server mean "no timeout", which lets a slow or idle client
// hold a connection (and a goroutine) forever.
func newServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           newHandler(),
		ReadHeaderTimeout: 5 * time.Second,  // slowloris: headers must arrive promptly
		ReadTimeout:       10 * time.Second, // whole request, body included
		WriteTimeout:      10 * time.Second, // the biggest sieve takes milliseconds
		IdleTimeout:       60 * time.Second, // keep-alive connections doing nothing
		MaxHeaderBytes:    16 << 10,         // 16 KiB instead of the 1 MiB default
		// By default net/http answers "OPTIONS *" itself with an empty 200;
		// hand it to our handler so it gets the same JSON 404 as any unknown path.
		DisableGeneralOptionsHandler: true,
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

	srv := newServer(net.JoinHostPort("", port))
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return err
	}
	log.Printf("size-drop (go) listening on %s", ln.Addr())

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	select {
	case err := <-serveErr:
		return err // Serve only returns early on a real failure
	case <-ctx.Done():
	}

	log.Printf("signal received, shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		// Requests still running after the grace period are cut off; that is
		// the deal of a bounded shutdown, not a failure of the process.
		log.Printf("graceful shutdown incomplete (%v), closing connections", err)
		_ = srv.Close()
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// probe performs the health check and returns the process exit code.
func probe(port string) int {
	client := &http.Client{
		Timeout: healthcheckTimeout,
		// No proxy: an HTTP_PROXY in the environment must not reroute a loopback probe.
		Transport: &http.Transport{Proxy: nil},
	}
	url := "http://" + net.JoinHostPort("127.0.0.1", port) + "/healthz"
	resp, err := client.Get(url)
	if err != nil {
		fmt.Fprintf(os.Stderr, "healthcheck: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(os.Stderr, "healthcheck: %s answered %s\n", url, resp.Status)
		return 1
	}
	return 0
}

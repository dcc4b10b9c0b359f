// Command clock is a small HTTP service that shows instants in named time zones and checks a
// certificate chain against the machine's trust store. Endpoints (all GET, JSON answers):
//
//	/healthz                                   {"status":"ok"}
//	/convert?at=2026-12-07T12:00:00Z&zone=Asia/Tokyo
//	                                           the instant in that zone, 400 on bad input
//	/verify                                    the embedded chain checked against the
//	                                           system roots, 502 when it does not verify
//
// It listens on $PORT (default 8080) and stops cleanly on SIGTERM or SIGINT (exit 0).
// "clock -healthcheck" asks the running server's /healthz and exits 0 on a 200.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func port() string {
	if p := os.Getenv("PORT"); p != "" {
		return p
	}
	return "8080"
}

func reply(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func failure(w http.ResponseWriter, status int, err error) {
	reply(w, status, map[string]string{"error": err.Error()})
}

// Routes is the whole HTTP surface, also used by the tests.
func Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /convert", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		got, err := Convert(q.Get("at"), q.Get("zone"))
		if err != nil {
			failure(w, http.StatusBadRequest, err)
			return
		}
		reply(w, http.StatusOK, got)
	})
	mux.HandleFunc("GET /verify", func(w http.ResponseWriter, r *http.Request) {
		got, err := VerifyChain(nil)
		if err != nil {
			failure(w, http.StatusBadGateway, err)
			return
		}
		reply(w, http.StatusOK, got)
	})
	return mux
}

func healthcheck() int {
	client := http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get("http://127.0.0.1:" + port() + "/healthz")
	if err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "healthcheck: status", resp.StatusCode)
		return 1
	}
	return 0
}

func serve() int {
	server := &http.Server{Addr: ":" + port(), Handler: Routes(),
		ReadHeaderTimeout: 5 * time.Second}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	failed := make(chan error, 1)
	go func() { failed <- server.ListenAndServe() }()
	fmt.Println("clock listening on", server.Addr)
	select {
	case err := <-failed:
		fmt.Fprintln(os.Stderr, "clock:", err)
		return 1
	case sig := <-stop:
		fmt.Println("clock: got", sig, "- stopping")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := server.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		fmt.Fprintln(os.Stderr, "clock:", err)
		return 1
	}
	return 0
}

func main() {
	check := flag.Bool("healthcheck", false, "ask the running server's /healthz and exit")
	flag.Parse()
	if *check {
		os.Exit(healthcheck())
	}
	os.Exit(serve())
}

// Command shelf is a small HTTP service that keeps short text files in a folder and describes
// them: their media type, from the machine's media-type table, and their Adler-32 checksum,
// computed by the service's own C code. Endpoints (all GET, JSON answers):
//
//	/healthz                               {"status":"ok"}
//	/put?name=minutes.odt&text=agreed      stores the file, describes it; 400 on a bad name
//	/list                                  every file on the shelf, described
//	/about                                 the C library the service runs on
//
// Files go to $SHELF_DIR (default /var/lib/shelf); the service refuses to start when it cannot
// write there. It listens on $PORT (default 8080) and stops cleanly on SIGTERM or SIGINT
// (exit 0). "shelf -healthcheck" asks the running server's /healthz and exits 0 on a 200.
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

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
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
func Routes(shelf Shelf) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /put", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		item, err := shelf.Put(q.Get("name"), q.Get("text"))
		if err != nil {
			failure(w, http.StatusBadRequest, err)
			return
		}
		reply(w, http.StatusOK, item)
	})
	mux.HandleFunc("GET /list", func(w http.ResponseWriter, r *http.Request) {
		items, err := shelf.List()
		if err != nil {
			failure(w, http.StatusInternalServerError, err)
			return
		}
		reply(w, http.StatusOK, map[string]any{"items": items})
	})
	mux.HandleFunc("GET /about", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, map[string]string{"libc": LibcVersion(), "checksum": "adler32, in C"})
	})
	return mux
}

func healthcheck() int {
	client := http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get("http://127.0.0.1:" + env("PORT", "8080") + "/healthz")
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
	shelf := Shelf{Dir: env("SHELF_DIR", "/var/lib/shelf")}
	if err := shelf.Writable(); err != nil {
		fmt.Fprintf(os.Stderr, "shelf: cannot write to %s: %v\n", shelf.Dir, err)
		return 1
	}
	server := &http.Server{Addr: ":" + env("PORT", "8080"), Handler: Routes(shelf),
		ReadHeaderTimeout: 5 * time.Second}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	failed := make(chan error, 1)
	go func() { failed <- server.ListenAndServe() }()
	fmt.Println("shelf listening on", server.Addr, "keeping files in", shelf.Dir)
	select {
	case err := <-failed:
		fmt.Fprintln(os.Stderr, "shelf:", err)
		return 1
	case sig := <-stop:
		fmt.Println("shelf: got", sig, "- stopping")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := server.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		fmt.Fprintln(os.Stderr, "shelf:", err)
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

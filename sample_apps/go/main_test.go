package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// portOf returns the port part of an httptest server's URL.
func portOf(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

func TestProbe(t *testing.T) {
	healthy := startServer(t)
	if code := probe(portOf(t, "http://"+healthy)); code != 0 {
		t.Errorf("probe against a healthy server = %d, want 0", code)
	}

	sick := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer sick.Close()
	if code := probe(portOf(t, sick.URL)); code != 1 {
		t.Errorf("probe against a 503 = %d, want 1", code)
	}

	gone, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := portOf(t, "http://"+gone.Addr().String())
	gone.Close()
	if code := probe(port); code != 1 {
		t.Errorf("probe with nothing listening = %d, want 1", code)
	}
}

// serve must come back with nil (exit code 0) soon after a SIGTERM.
func TestServeStopsOnSIGTERM(t *testing.T) {
	// Borrow a free port from the kernel, then hand it to serve.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := portOf(t, "http://"+ln.Addr().String())
	ln.Close()

	done := make(chan error, 1)
	go func() { done <- serve(port) }()

	// Wait until it answers; serve registers its signal handler before listening,
	// so from then on a SIGTERM is caught instead of killing the test binary.
	deadline := time.Now().Add(5 * time.Second)
	for probe(port) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("server did not come up")
		}
		time.Sleep(20 * time.Millisecond)
	}

	start := time.Now()
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v, want nil", err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("shutdown took %v, want under 2s", took)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("serve still running 3s after SIGTERM")
	}
}

// listen opens all addresses: [::] (dual-stack) when IPv6 works, else 0.0.0.0.
// Either way a client reaches it on 127.0.0.1.
func TestListenOnAllAddresses(t *testing.T) {
	ln, err := listen("0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().(*net.TCPAddr)
	if !addr.IP.IsUnspecified() {
		t.Errorf("listening on %v, want an unspecified address", addr)
	}
	if want := ipv6Usable(); (addr.IP.To4() == nil) != want {
		t.Errorf("listening on %v; IPv6 usable: %v", addr, want)
	}
	c, err := net.Dial("tcp4", "127.0.0.1:"+strconv.Itoa(addr.Port))
	if err != nil {
		t.Fatalf("IPv4 client cannot connect: %v", err)
	}
	c.Close()
	if ipv6Usable() {
		c, err := net.Dial("tcp6", "[::1]:"+strconv.Itoa(addr.Port))
		if err != nil {
			t.Fatalf("IPv6 client cannot connect: %v", err)
		}
		c.Close()
	}
}

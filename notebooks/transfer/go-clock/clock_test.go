package main

import (
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

func TestConvertNamedZone(t *testing.T) {
	got, err := Convert("2026-07-01T12:00:00Z", "Europe/Zurich")
	if err != nil {
		t.Fatal(err)
	}
	if got.Local != "2026-07-01T14:00:00+02:00" || got.Abbreviation != "CEST" {
		t.Fatalf("got %+v", got)
	}
}

func TestConvertRejectsBadInput(t *testing.T) {
	for _, c := range [][2]string{{"yesterday", "UTC"}, {"2026-07-01T12:00:00Z", ""},
		{"2026-07-01T12:00:00Z", "Mars/Olympus"}} {
		if _, err := Convert(c[0], c[1]); err == nil {
			t.Errorf("Convert(%q, %q) accepted", c[0], c[1])
		}
	}
}

func companyRoot(t *testing.T) *x509.CertPool {
	pemBytes, err := os.ReadFile("company-root-ca.crt")
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("company-root-ca.crt holds no certificate")
	}
	return pool
}

func TestChainVerifiesUnderCompanyRoot(t *testing.T) {
	got, err := VerifyChain(companyRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	if got.Leaf != ServerName || got.Root != "Size Drop Example Corp Root CA" {
		t.Fatalf("got %+v", got)
	}
}

func TestChainFailsUnderOtherRoots(t *testing.T) {
	if _, err := VerifyChain(x509.NewCertPool()); err == nil {
		t.Fatal("verified with an empty trust store")
	}
}

func TestRoutes(t *testing.T) {
	server := httptest.NewServer(Routes())
	defer server.Close()
	cases := []struct {
		path   string
		status int
		want   string
	}{
		{"/healthz", 200, `{"status":"ok"}`},
		{"/convert?at=2026-12-07T12:00:00Z&zone=Asia/Tokyo", 200, `"local":"2026-12-07T21:00:00+09:00"`},
		{"/convert?at=2026-12-07T12:00:00Z", 400, `"error":"missing query parameter zone"`},
		{"/nope", 404, ""},
	}
	for _, c := range cases {
		resp, err := http.Get(server.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		var body strings.Builder
		if c.want != "" {
			var raw json.RawMessage
			if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
				t.Fatalf("%s: %v", c.path, err)
			}
			body.Write(raw)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(body.String(), c.want) {
			t.Errorf("%s: got %d %s", c.path, resp.StatusCode, body.String())
		}
	}
}

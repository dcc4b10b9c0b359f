package main

import (
	"encoding/json"
	"fmt"
	"hash/adler32"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestChecksumInCAgreesWithGo(t *testing.T) {
	for _, text := range []string{"", "a", "agreed", strings.Repeat("shelf ", 20000)} {
		want := adler32.Checksum([]byte(text))
		got := Checksum([]byte(text))
		if got != fmt.Sprintf("%08x", want) {
			t.Errorf("Checksum(%d bytes) = %s, Go says %08x", len(text), got, want)
		}
	}
}

func TestLibcVersionIsReported(t *testing.T) {
	if v := LibcVersion(); !strings.Contains(v, ".") {
		t.Fatalf("LibcVersion() = %q", v)
	}
}

func TestPutThenList(t *testing.T) {
	shelf := Shelf{Dir: t.TempDir()}
	item, err := shelf.Put("notes.json", `{"a":1}`)
	if err != nil {
		t.Fatal(err)
	}
	// .json is in Go's own small table, so this holds on any machine.
	if item.Type != "application/json" || item.Bytes != 7 || len(item.Adler32) != 8 {
		t.Fatalf("got %+v", item)
	}
	if _, err := shelf.Put("b.unknownext", "x"); err != nil {
		t.Fatal(err)
	}
	items, err := shelf.List()
	if err != nil || len(items) != 2 || items[0].Name != "b.unknownext" ||
		items[0].Type != "application/octet-stream" {
		t.Fatalf("got %+v, %v", items, err)
	}
}

func TestPutRefusesPathsAndDotFiles(t *testing.T) {
	shelf := Shelf{Dir: t.TempDir()}
	for _, name := range []string{"", "../x.txt", "a/b.txt", ".hidden.txt", "noext"} {
		if _, err := shelf.Put(name, "x"); err == nil {
			t.Errorf("Put(%q) accepted", name)
		}
	}
}

func TestWritable(t *testing.T) {
	dir := t.TempDir()
	if err := (Shelf{Dir: dir}).Writable(); err != nil {
		t.Fatal(err)
	}
	if err := (Shelf{Dir: filepath.Join(dir, "missing")}).Writable(); err == nil {
		t.Fatal("a missing folder counted as writable")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("the probe left %d files", len(entries))
	}
}

func TestRoutes(t *testing.T) {
	srv := httptest.NewServer(Routes(Shelf{Dir: t.TempDir()}))
	defer srv.Close()
	for path, status := range map[string]int{"/healthz": 200, "/put?name=a.txt&text=hi": 200,
		"/put?name=../a.txt": 400, "/list": 200, "/about": 200, "/nope": 404} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != status {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, status)
		}
	}
	resp, err := http.Get(srv.URL + "/list")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct{ Items []Item }
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || len(got.Items) != 1 {
		t.Fatalf("got %+v, %v", got, err)
	}
}

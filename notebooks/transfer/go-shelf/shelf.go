package main

import (
	"errors"
	"fmt"
	"mime"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Item is one file on the shelf, as the service describes it.
type Item struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Bytes   int    `json:"bytes"`
	Adler32 string `json:"adler32"`
}

// A name is one plain file name: no folders, no leading dot, an extension.
var goodName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\.[A-Za-z0-9]{1,10}$`)

// MediaType is the type the machine's media-type table gives the name's extension. Go's mime
// package knows a dozen web types by itself; everything else comes from the system's tables
// (/etc/mime.types and the like), read once, the first time a type is asked for.
func MediaType(name string) string {
	t := mime.TypeByExtension(strings.ToLower(filepath.Ext(name)))
	if t == "" {
		return "application/octet-stream"
	}
	return t
}

// Shelf keeps small text files in one folder.
type Shelf struct{ Dir string }

func describe(name string, data []byte) Item {
	return Item{Name: name, Type: MediaType(name), Bytes: len(data), Adler32: Checksum(data)}
}

// Put stores text under name and describes what was stored.
func (s Shelf) Put(name, text string) (Item, error) {
	if !goodName.MatchString(name) {
		return Item{}, fmt.Errorf("name %q: use a plain file name with an extension", name)
	}
	if err := os.WriteFile(filepath.Join(s.Dir, name), []byte(text), 0o600); err != nil {
		return Item{}, err
	}
	return describe(name, []byte(text)), nil
}

// List describes every file on the shelf, by name.
func (s Shelf) List() ([]Item, error) {
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return nil, err
	}
	items := []Item{}
	for _, e := range entries {
		if !e.Type().IsRegular() || !goodName.MatchString(e.Name()) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(s.Dir, e.Name()))
		if err != nil {
			return nil, err
		}
		items = append(items, describe(e.Name(), data))
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Name < items[j].Name })
	return items, nil
}

// Writable says why the shelf's folder cannot take a file, or nil when it can.
func (s Shelf) Writable() error {
	f, err := os.CreateTemp(s.Dir, ".probe-*")
	if err != nil {
		return errors.Unwrap(err)
	}
	f.Close()
	return os.Remove(f.Name())
}

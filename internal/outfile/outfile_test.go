package outfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "old.helpw")
	if err := os.WriteFile(regular, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.helpw")
	if err := os.Symlink(regular, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		ok   bool
	}{
		{filepath.Join(dir, "new.helpw"), true},
		{regular, true},
		{link, false},
		{dir, false},
		{filepath.Join(dir, "missing", "x.helpw"), false},
		{filepath.Join(regular, "x.helpw"), false},
		{os.DevNull, false},
	} {
		err := Check(tc.path)
		if (err == nil) != tc.ok || err != nil && !errors.Is(err, ErrPath) {
			t.Errorf("Check(%s) = %v, want ok=%v", tc.path, err, tc.ok)
		}
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.json")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A failing writer leaves the old file and no temporary file.
	err := Write(path, func(w io.Writer) error { io.WriteString(w, "half"); return errors.New("disk on fire") })
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("failing write: %v, want an error naming %s", err, path)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("after a failed write the file holds %q", b)
	}
	if err := Write(path, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	fi, _ := os.Stat(path)
	if string(b) != "new" || fi.Mode().Perm() != 0o644 {
		t.Errorf("after the write: %q, mode %v; want \"new\", 0644", b, fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files left in the directory, want 1", len(entries))
	}
	// A symlink is refused, and its target left alone.
	target := filepath.Join(dir, "target")
	os.WriteFile(target, []byte("keep"), 0o644)
	link := filepath.Join(dir, "link")
	os.Symlink(target, link)
	if err := Write(link, func(w io.Writer) error { return nil }); !errors.Is(err, ErrPath) {
		t.Errorf("write through a symlink: %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Errorf("symlink target now holds %q", b)
	}
}

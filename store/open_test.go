package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenCreatesPrivateFileAndDir(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "dir", "coexsync.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Path() != path {
		t.Errorf("Path() = %q, want %q", db.Path(), path)
	}
	// Write something so the WAL file exists too.
	if err := db.UpsertNumbers(context.Background(), []Number{{ID: "1"}}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal"} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s mode = %o, want 600", filepath.Base(p), mode)
		}
	}
	info, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o700 {
		t.Errorf("dir mode = %o, want 700", mode)
	}
	var mode string
	if err := db.sql.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q (%v), want wal", mode, err)
	}
	var fk int
	if err := db.sql.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d (%v), want 1", fk, err)
	}
}

func TestOpenTightensExistingFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "coexsync.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("mode = %o, want 600", mode)
	}
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "coexsync.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	save(t, db, addEvent("n1", "5511987654321", "Ana Lima", 0))
	runID := newRun(t, db, "n1")
	db.Close()

	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cs, err := db.Contacts(context.Background(), "n1")
	if err != nil || len(cs) != 1 || cs[0].FullName != "Ana Lima" {
		t.Fatalf("contacts after reopen = %+v, %v", cs, err)
	}
	if r, err := db.Run(context.Background(), runID); err != nil || r.NumberID != "n1" {
		t.Fatalf("run after reopen = %+v, %v", r, err)
	}
}

func TestOpenBadPathsFailWithOneLineNamingPath(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "regular")
	if err := os.WriteFile(regular, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	corrupt := filepath.Join(dir, "corrupt.db")
	junk := []byte(strings.Repeat("this is not a database. ", 200))
	if err := os.WriteFile(corrupt, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, path, want string }{
		{"directory", dir, "is a directory"},
		{"under a regular file", filepath.Join(regular, "x.db"), "not a directory"},
		{"corrupt", corrupt, "file is not a database"},
		{"question mark", filepath.Join(dir, "a?b.db"), "must not contain"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db, err := Open(c.path)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "store: open "+c.path+": ") || !strings.Contains(msg, c.want) {
				t.Errorf("error = %q, want path %q and %q", msg, c.path, c.want)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans lines: %q", msg)
			}
		})
	}
	if got, err := os.ReadFile(corrupt); err != nil || string(got) != string(junk) {
		t.Error("corrupt file was modified")
	}
}

// A place the database cannot be created in gives one line naming the path
// and the system's reason. Root bypasses directory permissions, so as root
// the place is one the kernel refuses to anyone (/proc).
func TestOpenUnwritableDir(t *testing.T) {
	path, reason := filepath.Join("/proc", "coexsync-test.db"), "no such file or directory"
	if os.Geteuid() != 0 {
		dir := filepath.Join(t.TempDir(), "locked")
		if err := os.Mkdir(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		path, reason = filepath.Join(dir, "coexsync.db"), "permission denied"
	}
	_, err := Open(path)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), reason) ||
		strings.Contains(err.Error(), "\n") {
		t.Fatalf("error = %v, want one line saying %s and naming %s", err, reason, path)
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/data")
	if p, err := DefaultPath(); err != nil || p != filepath.Join("/data", "coexsync", "coexsync.db") {
		t.Errorf("with XDG_DATA_HOME: %q, %v", p, err)
	}
	t.Setenv("HOME", "/home/ana")
	want := filepath.Join("/home/ana", ".local", "share", "coexsync", "coexsync.db")
	for _, xdg := range []string{"", "relative/dir"} {
		t.Setenv("XDG_DATA_HOME", xdg)
		if p, err := DefaultPath(); err != nil || p != want {
			t.Errorf("XDG_DATA_HOME=%q: %q, %v, want %q", xdg, p, err, want)
		}
	}
}

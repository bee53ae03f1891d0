package filetemplate

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestMadeOnceAndCopied(t *testing.T) {
	made := 0
	tpl := New(func(path string) error {
		made++
		return os.WriteFile(path, []byte("schema"), 0o600)
	})
	dir := t.TempDir()
	for _, name := range []string{"a", "b"} {
		path := filepath.Join(dir, name)
		if err := tpl.CopyTo(path); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != "schema" {
			t.Fatalf("%s holds %q (%v)", name, got, err)
		}
		if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", name, info.Mode().Perm())
		}
	}
	if made != 1 {
		t.Errorf("made %d times, want once", made)
	}
}

func TestFailureToMakeIsEveryCopysError(t *testing.T) {
	bad := errors.New("no schema")
	tpl := New(func(string) error { return bad })
	for range 2 {
		if err := tpl.CopyTo(filepath.Join(t.TempDir(), "x")); !errors.Is(err, bad) {
			t.Fatalf("CopyTo: %v, want %v", err, bad)
		}
	}
}

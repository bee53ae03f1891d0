package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// filledDB writes a database with one contact and closes it.
func filledDB(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	save(t, db, addEvent("n1", "5511987654321", "Ana Lima", 0))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func modeOf(t *testing.T, path string) os.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

// Open narrows a wide mode but never widens a narrow one: a database the
// owner made read-only stays read-only whether or not Open succeeds (it
// does for root, who may write anyway).
func TestOpenNeverWidensFileMode(t *testing.T) {
	for _, c := range []struct{ before, after os.FileMode }{
		{0o400, 0o400}, {0o440, 0o400}, {0o640, 0o600}, {0o666, 0o600},
	} {
		path := filledDB(t, "c.db")
		if err := os.Chmod(path, c.before); err != nil {
			t.Fatal(err)
		}
		if db, err := Open(path); err == nil {
			db.Close()
		}
		if got := modeOf(t, path); got != c.after {
			t.Errorf("mode %o became %o, want %o", c.before, got, c.after)
		}
	}
}

func TestOpenReadOnlyReadsAndNeverWrites(t *testing.T) {
	path := filledDB(t, "c.db")
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	db, err := OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !db.ReadOnly() {
		t.Error("ReadOnly() = false")
	}
	ctx := context.Background()
	cs, err := db.Contacts(ctx, "n1")
	if err != nil || len(cs) != 1 || cs[0].FullName != "Ana Lima" {
		t.Fatalf("contacts = %+v, %v", cs, err)
	}
	// SQLite itself refuses the write, even for root.
	if err := db.UpsertNumbers(ctx, []Number{{ID: "2"}}); err == nil || !strings.Contains(err.Error(), "readonly") {
		t.Fatalf("write on a read-only database: %v, want a readonly error", err)
	}
	if got := modeOf(t, path); got != 0o400 {
		t.Errorf("mode = %o, want 400", got)
	}
}

func TestOpenReadOnlyCreatesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "c.db")
	_, err := OpenReadOnly(path)
	if err == nil || !strings.HasPrefix(err.Error(), "store: open "+path+": ") || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("error = %v", err)
	}
	if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Errorf("the directory was created: %v", err)
	}
}

// An older schema cannot be migrated without writing: the error says how
// to upgrade instead of failing later on a missing column.
func TestOpenReadOnlyRefusesOlderSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(context.Background(), raw, bundledMigrations[:len(bundledMigrations)-1]); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	_, err = OpenReadOnly(path)
	if err == nil || !strings.Contains(err.Error(), "older coexsync") || !strings.Contains(err.Error(), path) {
		t.Fatalf("error = %v", err)
	}
}

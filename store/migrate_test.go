package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// openRaw opens path with the same connection settings as Open but no
// migration, to build databases as older or newer builds left them.
func openRaw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?"+connParams)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func userVersion(t *testing.T, db *sql.DB) int {
	t.Helper()
	var v int
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMigrateFromFirstVersion(t *testing.T) {
	if len(bundledMigrations) < 2 {
		t.Fatal("need at least two migrations to test an upgrade")
	}
	path := filepath.Join(t.TempDir(), "old.db")
	raw := openRaw(t, path)
	ctx := context.Background()
	if err := migrate(ctx, raw, bundledMigrations[:1]); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO payloads (source, received_at, sha256, body) VALUES ('old', 1, 'abc', x'00');
		INSERT INTO contacts (number_id, key, phone, full_name, event_at, payload_id, updated_at)
		VALUES ('n1', '5511987654321', '5511987654321', 'Ana Lima', 1, 1, 1)`); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`SELECT 1 FROM runs`); err == nil {
		t.Fatal("a version 1 database already has runs")
	}
	raw.Close()

	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v := userVersion(t, db.sql); v != len(bundledMigrations) {
		t.Errorf("user_version = %d, want %d", v, len(bundledMigrations))
	}
	cs, err := db.Contacts(ctx, "n1")
	if err != nil || len(cs) != 1 || cs[0].FullName != "Ana Lima" {
		t.Fatalf("contacts kept across migration = %+v, %v", cs, err)
	}
	runID := newRun(t, db, "n1")
	if err := db.RecordOutcomes(ctx, "t", []Outcome{{RunID: runID, ContactID: cs[0].ID, Status: OutcomeSkipped}}); err != nil {
		t.Fatalf("new tables unusable after migration: %v", err)
	}
}

func TestNewerSchemaRefusedAndUntouched(t *testing.T) {
	path := filepath.Join(t.TempDir(), "newer.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	save(t, db, addEvent("n1", "5511987654321", "Ana Lima", 0))
	newer := len(bundledMigrations) + 1
	if _, err := db.sql.Exec(`PRAGMA user_version = ` + strconv.Itoa(newer)); err != nil {
		t.Fatal(err)
	}
	db.Close() // checkpoints the WAL into the main file
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	_, err = Open(path)
	var newerErr *NewerSchemaError
	if !errors.As(err, &newerErr) || newerErr.Found != newer || newerErr.Known != len(bundledMigrations) {
		t.Fatalf("error = %v, want NewerSchemaError{%d, %d}", err, newer, len(bundledMigrations))
	}
	want := fmt.Sprintf("made by a newer coexsync (schema %d, this build knows %d)", newer, len(bundledMigrations))
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
		t.Errorf("error = %q, want %q and the path", err, want)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("refusing a newer database changed its file")
	}
}

func TestLoadMigrationsRejectsGapsAndBadNames(t *testing.T) {
	file := &fstest.MapFile{Data: []byte("SELECT 1;")}
	cases := map[string]fstest.MapFS{
		"gap":      {"m/0001_a.sql": file, "m/0003_c.sql": file},
		"bad name": {"m/0001_a.sql": file, "m/two_b.sql": file},
		"no label": {"m/0001.sql": file},
		"zero":     {"m/0000_a.sql": file},
	}
	for name, fsys := range cases {
		if _, err := loadMigrations(fsys, "m"); err == nil {
			t.Errorf("%s: loaded without error", name)
		}
	}
	ms, err := loadMigrations(fstest.MapFS{"m/0002_b.sql": file, "m/0001_a.sql": file}, "m")
	if err != nil || len(ms) != 2 || ms[0].name != "0001_a.sql" || ms[1].version != 2 {
		t.Errorf("ordered load = %+v, %v", ms, err)
	}
}

func FuzzParseMigrationName(f *testing.F) {
	for _, seed := range []string{"0001_init.sql", "0002_runs.sql", "1_a.sql", "_a.sql",
		"0001_.sql", "0001_a.txt", "-1_a.sql", "+1_a.sql", "99999999999999999999_a.sql", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		v, err := parseMigrationName(name)
		if err != nil {
			if v != 0 {
				t.Errorf("%q: error with version %d", name, v)
			}
			return
		}
		digits, _, _ := strings.Cut(name, "_")
		if v < 1 || !strings.HasSuffix(name, ".sql") || strings.TrimLeft(digits, "0123456789") != "" {
			t.Errorf("%q accepted as version %d", name, v)
		}
	})
}

func TestNoColumnCouldHoldASecret(t *testing.T) {
	db := openTemp(t)
	rows, err := db.sql.Query(`SELECT m.name, p.name FROM sqlite_schema m
		JOIN pragma_table_info(m.name) p WHERE m.type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	columns := 0
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			t.Fatal(err)
		}
		columns++
		lower := strings.ToLower(column)
		for _, bad := range []string{"token", "secret", "password", "authorization"} {
			if strings.Contains(lower, bad) {
				t.Errorf("%s.%s looks like it holds a secret", table, column)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if columns < 40 {
		t.Fatalf("introspected only %d columns: schema not read", columns)
	}
}

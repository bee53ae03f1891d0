package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one schema step; version is what PRAGMA user_version holds
// once it is applied.
type migration struct {
	version int
	name    string
	sql     string
}

// bundledMigrations are the steps this build knows, loaded once; a broken
// bundle is a build mistake, caught by the tests.
var bundledMigrations = mustLoadMigrations(migrationFiles, "migrations")

func mustLoadMigrations(fsys fs.FS, dir string) []migration {
	ms, err := loadMigrations(fsys, dir)
	if err != nil {
		panic(err)
	}
	return ms
}

// NewerSchemaError refuses a database written by a newer coexsync: this
// build cannot know what the newer schema means, so it touches nothing.
type NewerSchemaError struct {
	Found int // the database's schema version
	Known int // the newest version this build knows
}

func (e *NewerSchemaError) Error() string {
	return fmt.Sprintf("made by a newer coexsync (schema %d, this build knows %d)", e.Found, e.Known)
}

// parseMigrationName reads the version of a file named like
// "0002_runs.sql": digits, an underscore, a name, ".sql".
func parseMigrationName(name string) (int, error) {
	base, ok := strings.CutSuffix(name, ".sql")
	digits, label, found := strings.Cut(base, "_")
	if !ok || !found || label == "" || digits == "" {
		return 0, fmt.Errorf("migration %q: want NNNN_name.sql", name)
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("migration %q: version %q is not a number", name, digits)
		}
	}
	v, err := strconv.Atoi(digits)
	if err != nil || v < 1 {
		return 0, fmt.Errorf("migration %q: version must be a positive number", name)
	}
	return v, nil
}

// loadMigrations reads dir of fsys; versions must run 1, 2, 3… with no gap
// so that user_version alone says which steps a database has.
func loadMigrations(fsys fs.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		v, err := parseMigrationName(e.Name())
		if err != nil {
			return nil, err
		}
		body, err := fs.ReadFile(fsys, dir+"/"+e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d", m.name, i+1)
		}
	}
	return ms, nil
}

// migrate brings db up to the last of ms, each step in its own transaction
// together with its user_version, so a crash leaves a consistent version.
func migrate(ctx context.Context, db *sql.DB, ms []migration) error {
	current, err := schemaVersion(ctx, db)
	if err != nil {
		return err
	}
	if current > len(ms) {
		return &NewerSchemaError{Found: current, Known: len(ms)}
	}
	for _, m := range ms[current:] {
		if err := applyMigration(ctx, db, m); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

// schemaVersion reads user_version and the schema table: the read fails at
// once on a file that is not a database.
func schemaVersion(ctx context.Context, db *sql.DB) (int, error) {
	var version, tables int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return 0, err
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&tables); err != nil {
		return 0, err
	}
	return version, nil
}

func applyMigration(ctx context.Context, db *sql.DB, m migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	// PRAGMA takes no bound parameters; version is an int we parsed.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
		return err
	}
	return tx.Commit()
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// connParams apply to every pooled connection. WAL lets readers run while a
// writer holds a transaction; busy_timeout makes a second writer wait instead
// of failing; _txlock=immediate takes the write lock at BEGIN so two writers
// never deadlock upgrading read locks; synchronous=NORMAL is durable under WAL
// except for the last commits on power loss, and much faster; temp_store=
// MEMORY keeps the statement journal a multi-row upsert opens in memory
// instead of spilling it to a temporary file (nothing durable lives there).
const connParams = "_pragma=busy_timeout(5000)" +
	"&_pragma=journal_mode(WAL)" +
	"&_pragma=foreign_keys(1)" +
	"&_pragma=synchronous(NORMAL)" +
	"&_pragma=temp_store(MEMORY)" +
	"&_txlock=immediate"

// DB is an open coexsync database. It is safe for concurrent use.
type DB struct {
	path string
	sql  *sql.DB
	// writeMu queues this process's writers in Go rather than in SQLite's
	// busy handler, which polls; other processes still get busy_timeout.
	writeMu sync.Mutex
	// readOnly: opened with OpenReadOnly; every write fails.
	readOnly bool
	stmts    stmtCache
}

// DefaultPath is $XDG_DATA_HOME/coexsync/coexsync.db (~/.local/share when
// unset or, as the XDG spec says, when not an absolute path).
func DefaultPath() (string, error) { return DefaultPathFrom(os.LookupEnv) }

// DefaultPathFrom is DefaultPath read from the environment getenv gives
// (a command's own, in tests): under $XDG_DATA_HOME when it is an
// absolute path, as the XDG spec says, else under the home directory
// (where os.UserHomeDir looks).
func DefaultPathFrom(getenv func(string) (string, bool)) (string, error) {
	if dir, _ := getenv("XDG_DATA_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "coexsync", "coexsync.db"), nil
	}
	homeVar := "HOME"
	if runtime.GOOS == "windows" {
		homeVar = "USERPROFILE"
	}
	home, _ := getenv(homeVar)
	if home == "" {
		return "", fmt.Errorf("store: no data directory: $%s is not defined", homeVar)
	}
	return filepath.Join(home, ".local", "share", "coexsync", "coexsync.db"), nil
}

// Open opens or creates the database at path and migrates it. Every error
// is one line naming path.
func Open(path string) (*DB, error) {
	db, err := open(path)
	if err != nil {
		return nil, &OpenError{Path: path, Err: err}
	}
	return db, nil
}

// OpenError is why Open failed. Its message is one line naming the path;
// errors.As still reaches the cause (e.g. *NewerSchemaError).
type OpenError struct {
	Path string
	Err  error
}

func (e *OpenError) Error() string { return "store: open " + e.Path + ": " + oneLine(e.Err) }
func (e *OpenError) Unwrap() error { return e.Err }

func open(path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("empty path")
	}
	// The driver treats everything after '?' as connection parameters.
	if strings.ContainsRune(path, '?') {
		return nil, errors.New("path must not contain '?'")
	}
	if err := prepareFile(path); err != nil {
		return nil, err
	}
	sqlDB, err := sql.Open("sqlite", path+"?"+connParams)
	if err != nil {
		return nil, err
	}
	if err := migrate(context.Background(), sqlDB, bundledMigrations); err != nil {
		sqlDB.Close()
		return nil, err
	}
	return &DB{path: path, sql: sqlDB}, nil
}

// prepareFile creates the parent directory (0700) and the file (0600) so
// SQLite never creates them with the umask's wider modes; the -wal and -shm
// files SQLite adds copy the main file's mode.
func prepareFile(path string) error {
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return errors.New("is a directory")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return bareOSError(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return bareOSError(err)
	}
	if err := f.Close(); err != nil {
		return bareOSError(err)
	}
	// An existing file may have been created with a wider mode: take the
	// group and other bits away, but never add any (a file the owner made
	// read-only stays read-only).
	info, err := os.Stat(path)
	if err != nil {
		return bareOSError(err)
	}
	if mode := info.Mode().Perm(); mode&0o077 != 0 {
		return bareOSError(os.Chmod(path, mode&^0o077))
	}
	return nil
}

// bareOSError drops the path an *fs.PathError repeats, since Open already
// names the database path.
func bareOSError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

var sqliteCode = regexp.MustCompile(` \(\d+\)$`)

// oneLine keeps a driver message to one line without SQLite's numeric
// result code, which means nothing to a person.
func oneLine(err error) string {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	return sqliteCode.ReplaceAllString(msg, "")
}

// Close closes the database.
func (d *DB) Close() error {
	return errors.Join(d.closeStmts(), d.sql.Close())
}

// Path is the file the database lives in.
func (d *DB) Path() string { return d.path }

// OpenReadOnly opens an existing database for reading only (SQLite
// mode=ro): nothing is created, migrated or chmod-ed, so a database the
// user may only read, or one on a read-only mount, can still be browsed.
// A database older than this build is refused with a sentence saying how
// to upgrade it, since its queries would not match the schema.
func OpenReadOnly(path string) (*DB, error) {
	db, err := openReadOnly(path)
	if err != nil {
		return nil, &OpenError{Path: path, Err: err}
	}
	return db, nil
}

func openReadOnly(path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("empty path")
	}
	if strings.ContainsRune(path, '?') {
		return nil, errors.New("path must not contain '?'")
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, bareOSError(err)
	}
	if info.IsDir() {
		return nil, errors.New("is a directory")
	}
	// A WAL database opened read-only needs its -shm file; where it cannot
	// be created (a read-only directory) SQLite can only read the file as
	// immutable, which is safe there because nobody can write it either.
	var lastErr error
	for _, extra := range []string{"", "&immutable=1"} {
		sqlDB, err := sql.Open("sqlite", readOnlyDSN(path)+extra)
		if err != nil {
			return nil, err
		}
		if err := checkReadableSchema(sqlDB); err != nil {
			sqlDB.Close()
			var newer *NewerSchemaError
			if errors.As(err, &newer) || errors.Is(err, ErrOlderSchema) {
				return nil, err
			}
			lastErr = err
			continue
		}
		return &DB{path: path, sql: sqlDB, readOnly: true}, nil
	}
	return nil, lastErr
}

// readOnlyDSN is path as an SQLite URI (file:…?mode=ro): the URI form is
// what lets mode=ro reach SQLite, so characters URIs reserve are escaped.
func readOnlyDSN(path string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?mode=ro&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)"
}

// ErrOlderSchema is why OpenReadOnly refuses a database this build would
// first have to migrate.
var ErrOlderSchema = errors.New("made by an older coexsync: open it once writable (not offline) to upgrade it")

func checkReadableSchema(db *sql.DB) error {
	v, err := schemaVersion(context.Background(), db)
	if err != nil {
		return err
	}
	switch known := len(bundledMigrations); {
	case v > known:
		return &NewerSchemaError{Found: v, Known: known}
	case v < known:
		return fmt.Errorf("schema %d: %w", v, ErrOlderSchema)
	}
	return nil
}

// ReadOnly reports whether the database was opened with OpenReadOnly.
func (d *DB) ReadOnly() bool { return d.readOnly }

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// connParams apply to every pooled connection. WAL lets readers run while a
// writer holds a transaction; busy_timeout makes a second writer wait instead
// of failing; _txlock=immediate takes the write lock at BEGIN so two writers
// never deadlock upgrading read locks; synchronous=NORMAL is durable under WAL
// except for the last commits on power loss, and much faster.
const connParams = "_pragma=busy_timeout(5000)" +
	"&_pragma=journal_mode(WAL)" +
	"&_pragma=foreign_keys(1)" +
	"&_pragma=synchronous(NORMAL)" +
	"&_txlock=immediate"

// DB is an open coexsync database. It is safe for concurrent use.
type DB struct {
	path string
	sql  *sql.DB
	// writeMu queues this process's writers in Go rather than in SQLite's
	// busy handler, which polls; other processes still get busy_timeout.
	writeMu sync.Mutex
}

// DefaultPath is $XDG_DATA_HOME/coexsync/coexsync.db (~/.local/share when
// unset or, as the XDG spec says, when not an absolute path).
func DefaultPath() (string, error) {
	if dir := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "coexsync", "coexsync.db"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("store: no data directory: %w", err)
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
	// An existing file may have been created with a wider mode.
	return bareOSError(os.Chmod(path, 0o600))
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
func (d *DB) Close() error { return d.sql.Close() }

// Path is the file the database lives in.
func (d *DB) Path() string { return d.path }

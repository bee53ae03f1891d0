// Package filetemplate gives tests copies of a file that is costly to make
// (a migrated empty database), made once per test process.
package filetemplate

import (
	"os"
	"path/filepath"
	"sync"
)

// Template is a file made on first use; every copy holds its bytes.
type Template struct {
	make func(path string) error
	once sync.Once
	data []byte
	err  error
}

// New is a template made by calling make with a path to create.
func New(make func(path string) error) *Template { return &Template{make: make} }

// CopyTo writes the template to path (mode 0600), making it first if no
// copy was written yet.
func (t *Template) CopyTo(path string) error {
	t.once.Do(func() {
		dir, err := os.MkdirTemp("", "filetemplate-")
		if err != nil {
			t.err = err
			return
		}
		defer os.RemoveAll(dir)
		made := filepath.Join(dir, "template")
		if t.err = t.make(made); t.err == nil {
			t.data, t.err = os.ReadFile(made)
		}
	})
	if t.err != nil {
		return t.err
	}
	return os.WriteFile(path, t.data, 0o600)
}

package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"coexsync/bizapp"
)

// MaxImportBytes bounds one import file: saved webhook bodies are small,
// so anything larger is almost surely the wrong file.
const MaxImportBytes = 256 << 20

// Payload is one webhook body found in an import file, with its exact bytes
// so it can be stored verbatim, and the line it starts on.
type Payload struct {
	Line int
	Raw  []byte
}

// ImportResult sums what an import stored.
type ImportResult struct {
	Payloads   int // bodies read and handled
	Ignored    int // bodies without smb_app_state_sync (messages, statuses…)
	Duplicates int // bodies the store already had
	Events     int
	Added      int
	Updated    int
	Removed    int
	Unchanged  int
	Warnings   []string // skipped items, prefixed with source and line
}

// ParseFile splits an import file into webhook bodies. A file holds one
// JSON object (compact or pretty-printed) or JSON lines, one body per line.
// On a malformed body it returns the bodies before it and an error naming
// the line the bad body starts on.
func ParseFile(r io.Reader) ([]Payload, error) {
	var out []Payload
	err := eachPayload(r, func(p Payload) error {
		out = append(out, p)
		return nil
	})
	return out, err
}

var errNoBodies = errors.New("no webhook bodies found in the file")

// Import saves every body of an import file through sink, exactly as the
// webhook would. It stops at the first malformed body and returns an error
// naming its line; the bodies before it stay saved (lose nothing), and a
// re-import after fixing the line is safe because the store ignores
// bodies it already holds. Events without a timestamp keep a zero time so
// an old file never overrides a newer, dated event.
func Import(ctx context.Context, sink Sink, source string, r io.Reader) (ImportResult, error) {
	var res ImportResult
	err := eachPayload(r, func(p Payload) error {
		if err := res.add(ctx, sink, source, p); err != nil {
			return fmt.Errorf("line %d: %w", p.Line, err)
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("%s: %w", source, err)
	}
	return res, nil
}

// eachPayload calls fn on each body of the file in order, stopping at the
// first error (fn's or a malformed body's).
func eachPayload(r io.Reader, fn func(Payload) error) error {
	sc, err := newPayloadScanner(r)
	if err != nil {
		return err
	}
	for n := 0; ; n++ {
		p, err := sc.next()
		if err == io.EOF && n == 0 {
			return errNoBodies
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
	}
}

func (res *ImportResult) add(ctx context.Context, sink Sink, source string, p Payload) error {
	parsed, err := Parse(p.Raw)
	if err != nil {
		return err
	}
	res.Payloads++
	for _, w := range parsed.Warnings {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s line %d: %s", source, p.Line, w))
	}
	if parsed.StateSyncChanges == 0 {
		res.Ignored++
		return nil
	}
	saved, err := sink.SaveContactEvents(ctx, source, p.Raw, parsed.Events)
	if err != nil {
		res.Payloads--
		return fmt.Errorf("saving: %w", err)
	}
	res.Events += len(parsed.Events)
	res.addSaved(saved)
	return nil
}

// String is the one-line summary the import command prints.
func (res ImportResult) String() string {
	return fmt.Sprintf("%d bodies (%d already stored, %d without contacts): %d events, %d added, %d updated, %d removed, %d unchanged, %d items skipped",
		res.Payloads, res.Duplicates, res.Ignored, res.Events, res.Added, res.Updated, res.Removed, res.Unchanged, len(res.Warnings))
}

func (res *ImportResult) addSaved(s bizapp.SaveResult) {
	if s.Duplicate {
		res.Duplicates++
	}
	res.Added += s.Added
	res.Updated += s.Updated
	res.Removed += s.Removed
	res.Unchanged += s.Unchanged
}

// payloadScanner yields the top-level JSON values of a file one by one.
type payloadScanner struct {
	data []byte
	dec  *json.Decoder
}

func newPayloadScanner(r io.Reader) (*payloadScanner, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading: %w", err)
	}
	if len(data) > MaxImportBytes {
		return nil, fmt.Errorf("file larger than %d MiB", MaxImportBytes>>20)
	}
	// Editors on some systems save a byte-order mark; it is not JSON.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	return &payloadScanner{data: data, dec: json.NewDecoder(bytes.NewReader(data))}, nil
}

func (s *payloadScanner) next() (Payload, error) {
	start := s.skipSpace(int(s.dec.InputOffset()))
	if start >= len(s.data) {
		return Payload{}, io.EOF
	}
	line := 1 + bytes.Count(s.data[:start], []byte("\n"))
	var raw json.RawMessage
	if err := s.dec.Decode(&raw); err != nil {
		return Payload{}, fmt.Errorf("line %d: malformed JSON: %w", line, err)
	}
	return Payload{Line: line, Raw: raw}, nil
}

func (s *payloadScanner) skipSpace(i int) int {
	for i < len(s.data) {
		switch s.data[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

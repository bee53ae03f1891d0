package normalize

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestWriteJSONStableFields(t *testing.T) {
	var buf bytes.Buffer
	for _, raw := range []string{"5215512345678", "@jane\"doe\n"} {
		if err := WriteJSON(&buf, Number(raw, "MX")); err != nil {
			t.Fatal(err)
		}
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one line per result, got %q", buf.String())
	}
	want := []string{
		`{"raw":"5215512345678","e164":"+525512345678","valid":true,"reason":"","message":"","candidates":["+525512345678","+5215512345678"]}`,
		`{"raw":"@jane\"doe\n","e164":"","valid":false,"reason":"no_phone_number","message":"` + msgNoPhoneNumber + `","candidates":[]}`,
	}
	for i, line := range lines {
		if line != want[i] {
			t.Errorf("line %d:\n got %s\nwant %s", i, line, want[i])
		}
		var back map[string]any
		if err := json.Unmarshal([]byte(line), &back); err != nil || len(back) != 6 {
			t.Errorf("line %d does not decode to the 6 fields: %v %v", i, back, err)
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteJSONReportsWriteError(t *testing.T) {
	if err := WriteJSON(failingWriter{}, Number("+14155552671", "")); err == nil {
		t.Fatal("WriteJSON swallowed the write error")
	}
}

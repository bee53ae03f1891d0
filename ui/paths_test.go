package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	engine "coexsync/sync"
	"coexsync/ui/common"
	"coexsync/ui/internal/uitest"
)

// at waits until the header and the status line of the frame on screen
// are exactly these (trimmed): nothing left over from a screen before.
func (s *session) at(header, status string) *session {
	s.t.Helper()
	deadline := time.Now().Add(s.timeout)
	for {
		h, st := s.frames.lines()
		if h == header && st == status {
			return s
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("header %q, status %q; want %q, %q; screen:\n%s", h, st, header, status, s.frames.get())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

const (
	plainHeader = "coexsync  [SANDBOX]"
	limaHeader  = plainHeader + "  +55 11 4002-8922 Loja Lima"
	bayHeader   = plainHeader + "  +1 415-555-0100 Bay Bikes"
	resumeOffer = "Run #4 into intercom did not finish: press r, then u on it to resume safely."
)

// numbers → CRM picker → preview → back → another number: the header
// names only the number (and CRM) of the screen in front.
func TestWalkNumbersPickerBackAnotherNumber(t *testing.T) {
	t.Parallel()
	s := start(t, newApp(t, uitest.NewBackend(), common.NumbersScreen), 80, 24)
	s.shows("Bay Bikes").at(plainHeader, resumeOffer)
	s.keys("enter").shows("Sync into which CRM?").at(limaHeader, resumeOffer)
	s.keys("enter").shows("sort: plan").at(limaHeader+"  → hubspot", "")
	s.keys("esc").shows("Bay Bikes").at(plainHeader, resumeOffer)
	s.keys("down", "enter").shows("Sync into which CRM?").at(bayHeader, resumeOffer)
	s.keys("down", "enter").shows("Press enter to send the request.").at(bayHeader+"  → intercom", "")
	s.keys("esc").shows("Bay Bikes").at(plainHeader, resumeOffer)
	s.final()
}

// Retry and resume from the runs browser, each declined: the header
// follows the run asked about, then goes back to the list's.
func TestWalkRetryAndResumeFromRuns(t *testing.T) {
	t.Parallel()
	b := uitest.NewBackend()
	s := start(t, newApp(t, b, common.RunsScreen), 80, 24)
	s.shows("interrupted*").at(plainHeader, "")
	s.keys("R").shows("Retry the failed contacts of run #5 in hubspot").at(limaHeader+"  → hubspot", "")
	s.keys("n").shows("interrupted*").at(plainHeader, "")
	s.keys("down", "u").shows("Resume writing to intercom? (y/n)").at(limaHeader+"  → intercom", "")
	s.keys("n").shows("interrupted*").at(plainHeader, "")
	s.keys("up", "R").shows("Retry the failed contacts of run #5 in hubspot").keys("y").
		shows("Running run #7").at(limaHeader+"  → hubspot", "")
	s.final()
	_, retried, resumed := b.Eng.Calls()
	if len(retried) != 2 || retried[0] != 5 || retried[1] != 5 || len(resumed) != 0 {
		t.Fatalf("retried %v, resumed %v", retried, resumed)
	}
}

// e writes the rows of the current filter only; over an existing file it
// asks first: n keeps the file, y replaces it.
func TestPreviewExportWritesFilteredRowsAndAsksBeforeOverwrite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := New(uitest.NewBackend(), Options{Start: common.NumbersScreen, Now: func() time.Time { return uitest.Clock },
		PollEvery: 5 * time.Millisecond, ExportDir: dir, Styles: NewStyles(true), Keys: DefaultKeyMap()})
	path := filepath.Join(dir, "coexsync-plan-1001-hubspot.csv")
	s := start(t, a, 120, 40)
	s.shows("Bay Bikes").keys("enter", "enter").shows("sort: plan").keys("s").shows("status: create", "showing 4/12")
	s.keys("e").shows("Export the 4 rows in view as CSV", "coexsync-plan-1001-").keys("enter")
	s.shows("Exported 4 rows to " + dir)
	rows := readCSV(t, path)
	if len(rows) != 5 {
		t.Fatalf("file has %d lines, want a header and 4 rows:\n%s", len(rows), strings.Join(rows, "\n"))
	}
	for _, r := range rows[1:] {
		if !strings.Contains(r, "create") || strings.Contains(r, "exists") || strings.Contains(r, "invalid") {
			t.Fatalf("row outside the filter: %q", r)
		}
	}

	// Declined: the file is as it was and nothing says it was exported.
	if err := os.WriteFile(path, []byte("keep me\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.keys("s").shows("status: exists").keys("e").shows("Export the 2 rows in view").keys("enter")
	s.shows("coexsync-plan-1001-hubspot.csv exists. Replace it? (y/n)").keys("n")
	s.shows("Edit the path, enter to write, esc to cancel.").keys("esc").shows("status: exists")
	if got, _ := os.ReadFile(path); string(got) != "keep me\n" {
		t.Fatalf("declined overwrite changed the file: %q", got)
	}
	// Accepted: the file now holds the 2 rows of the new filter.
	s.keys("e").shows("Export the 2 rows in view").keys("enter").shows("Replace it? (y/n)").keys("y")
	s.shows("Exported 2 rows to " + dir)
	rows = readCSV(t, path)
	if len(rows) != 3 || !strings.Contains(rows[1], "exists") || !strings.Contains(rows[2], "exists") {
		t.Fatalf("replaced file:\n%s", strings.Join(rows, "\n"))
	}
	s.final()
}

func readCSV(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

// While a plan builds, the index build the engine reports is shown.
func TestIndexBuildProgressWhilePlanning(t *testing.T) {
	t.Parallel()
	b := uitest.NewBackend()
	gate := make(chan struct{})
	b.Eng.PlanGate = gate
	b.Eng.IndexSteps = []engine.IndexProgress{
		{Phase: "listing every record", Read: 100, Total: 40000, Elapsed: time.Second},
		{Phase: "listing every record", Read: 12300, Total: 40000, Elapsed: 30 * time.Second},
	}
	s := start(t, newApp(t, b, common.NumbersScreen), 80, 24)
	s.shows("Bay Bikes").keys("enter", "enter").shows("Building the plan: normalising 12 contacts")
	s.shows("reading the CRM's records: 12,300 / 40,000 · 410/s · ETA 1m8s")
	close(gate)
	s.shows("sort: plan")
	if f := s.frames.get(); strings.Contains(f, "reading the CRM's records") {
		t.Fatalf("progress line left on the preview:\n%s", f)
	}
	s.final()
}

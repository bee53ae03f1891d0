package store

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"testing"
)

// TestCSVPagesByKey writes more than two pages and gets every outcome of
// the run exactly once, in contact order, whatever Limit and Offset say.
func TestCSVPagesByKey(t *testing.T) {
	t.Parallel()
	const n = 2345
	db, ids, runID := runFixture(t, n)
	ctx := context.Background()
	outs := make([]Outcome, n)
	for i, id := range ids {
		outs[i] = Outcome{RunID: runID, ContactID: id, Name: fmt.Sprint("c", i), Status: OutcomeSkipped}
	}
	if err := db.RecordOutcomes(ctx, "hubspot:1", outs); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := db.WriteCSV(ctx, &buf, OutcomeFilter{RunID: runID, Limit: 10, Offset: 7}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != n+1 {
		t.Fatalf("%d rows, want %d and a header", len(rows)-1, n)
	}
	prev := int64(0)
	for _, r := range rows[1:] {
		id, _ := strconv.ParseInt(r[1], 10, 64)
		if id <= prev {
			t.Fatalf("contact %d after %d", id, prev)
		}
		prev = id
	}
}

func TestOutcomeRowsMatchesOutcomes(t *testing.T) {
	db, ids, runID := runFixture(t, 30)
	ctx := context.Background()
	var outs []Outcome
	for i, id := range ids {
		st := OutcomeSkipped
		if i%3 == 0 {
			st = OutcomeFailed
		}
		outs = append(outs, Outcome{RunID: runID, ContactID: id, Status: st})
	}
	if err := db.RecordOutcomes(ctx, "", outs); err != nil {
		t.Fatal(err)
	}
	f := OutcomeFilter{RunID: runID, Status: OutcomeFailed, Limit: 4, Offset: 2}
	want, total, err := db.Outcomes(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.OutcomeRows(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if total != 10 || len(got) != 4 || len(want) != 4 {
		t.Fatalf("total %d, rows %d and %d", total, len(got), len(want))
	}
	for i := range got {
		if got[i].ContactID != want[i].ContactID {
			t.Fatalf("row %d: contact %d, want %d", i, got[i].ContactID, want[i].ContactID)
		}
	}
	if _, err := db.OutcomeRows(ctx, OutcomeFilter{Text: "a\x00"}); err == nil {
		t.Fatal("NUL in filter text accepted")
	}
}

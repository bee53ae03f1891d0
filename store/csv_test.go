package store

import (
	"context"
	"encoding/csv"
	"strings"
	"testing"
)

func TestCSVCellDefusesFormulasButKeepsPhones(t *testing.T) {
	cases := map[string]string{
		"Ana Lima":           "Ana Lima",
		"+5511987654321":     "+5511987654321",
		"+1 (415) 555-2671":  "+1 (415) 555-2671",
		"=HYPERLINK(\"x\")":  "'=HYPERLINK(\"x\")",
		"+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
		"-2+3":               "'-2+3",
		"@SUM(A1)":           "'@SUM(A1)",
		"\tTab":              "'\tTab",
		"":                   "",
	}
	for in, want := range cases {
		if got := csvCell(in); got != want {
			t.Errorf("csvCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteCSVPagesThroughEveryOutcome(t *testing.T) {
	t.Parallel()
	db, contacts, runID := runFixture(t, 2500)
	ctx := context.Background()
	outs := make([]Outcome, len(contacts))
	for i, id := range contacts {
		outs[i] = Outcome{RunID: runID, ContactID: id, Name: "=evil()", Raw: "5511987654321", E164: "+5511987654321", Status: OutcomeFailed, Reason: "invalid_number", ReasonText: "check the digits"}
	}
	if err := db.RecordOutcomes(ctx, "t", outs); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := db.WriteCSV(ctx, &b, OutcomeFilter{RunID: runID, Status: OutcomeFailed}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(contacts)+1 {
		t.Fatalf("%d rows for %d outcomes", len(rows)-1, len(contacts))
	}
	if rows[1][2] != "'=evil()" || rows[1][4] != "+5511987654321" {
		t.Fatalf("first row %q", rows[1])
	}
}

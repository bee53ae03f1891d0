package sync

import (
	"context"
	"strings"
	"testing"

	"coexsync/store"
)

// A run that fills an empty CRM name records the fill in NameFilled (the
// sentence stays for people to read), and the store counts it from there.
func TestFillRecordsNameFilled(t *testing.T) {
	f := newFixture(t)
	sum, evs := runToEnd(t, f.e, mustPlan(t, f.e), RunOptions{Mode: store.ModeLive})
	outs := outcomesByRaw(t, f.db, sum.RunID)
	for raw, o := range outs {
		want := raw == "14155550103" // "Fill Me": the only record with an empty name and a WhatsApp name
		if o.NameFilled != want {
			t.Errorf("%s: NameFilled %v, want %v (%+v)", raw, o.NameFilled, want, o)
		}
	}
	filled := outs["14155550103"]
	if filled.Status != store.OutcomeSkipped || filled.Reason != "exists" ||
		!strings.HasSuffix(filled.ReasonText, store.NameFilledText) {
		t.Errorf("fill outcome %+v: want skipped, exists, the sentence kept", filled)
	}
	got, err := f.db.NamesFilled(context.Background(), sum.RunID)
	if err != nil || len(got) != 1 || got[sum.RunID] != 1 {
		t.Errorf("NamesFilled = %v, %v; want 1 for run %d", got, err, sum.RunID)
	}
	// Watchers see the flag on the outcome event as it is stored.
	seen := 0
	for _, ev := range evs {
		if oe, ok := ev.(OutcomeEvent); ok && oe.Outcome.NameFilled {
			seen++
		}
	}
	if seen != 1 {
		t.Errorf("%d outcome events carry NameFilled, want 1", seen)
	}
}

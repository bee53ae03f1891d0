package main

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// deliveries is a store that Meta's webhook pages reach: count at first,
// then step more every second until stopAfter.
type deliveries struct {
	start       time.Time
	count, step int
	stopAfter   time.Duration
}

func (d *deliveries) ContactCount(context.Context, string) (int, error) {
	elapsed := min(time.Since(d.start), d.stopAfter)
	return d.count + d.step*int(elapsed/time.Second), nil
}

// The wait ends two seconds after the last page, or at --wait with what is
// stored then, saying whether pages were still coming; with nothing stored
// it is an error naming the webhook. In a bubble: the waits are minutes.
func TestWaitForContactsSaysWhenTheyStillArrive(t *testing.T) {
	for _, tc := range []struct {
		name         string
		d            deliveries
		limit        time.Duration
		wantN        int
		wantArriving bool
		wantErr      string
		wantTook     time.Duration
	}{
		{"all in early", deliveries{count: 100, step: 100, stopAfter: 5 * time.Second}, 2 * time.Minute, 600, false, "", 7 * time.Second},
		{"still arriving", deliveries{count: 100, step: 100, stopAfter: time.Hour}, time.Minute, 6100, true, "", time.Minute},
		{"none", deliveries{}, 30 * time.Second, 0, false, "no contacts arrived within 30s", 30 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				tc.d.start = start
				n, arriving, err := waitForContacts(context.Background(), &tc.d, "1", tc.limit)
				took := time.Since(start)
				if n != tc.wantN || arriving != tc.wantArriving || (err == nil) != (tc.wantErr == "") ||
					(err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
					t.Fatalf("got %d, arriving %t, err %v; want %d, %t, %q", n, arriving, err, tc.wantN, tc.wantArriving, tc.wantErr)
				}
				if took < tc.wantTook || took > tc.wantTook+time.Second {
					t.Errorf("waited %s, want %s", took, tc.wantTook)
				}
			})
		})
	}
}

func TestStillArrivingNoteSaysWhatIsSyncedAndWhatToDo(t *testing.T) {
	note := stillArrivingNote(2*time.Minute, 592530)
	for _, want := range []string{"--wait 2m0s", "the 592530 stored so far", "without --request", "longer --wait"} {
		if !strings.Contains(note, want) {
			t.Errorf("note %q lacks %q", note, want)
		}
	}
}

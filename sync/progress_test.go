package sync

import (
	"testing"
	"time"
)

// The rate and ETA follow the last ten seconds, not the average since the
// start: a burst of instant skips must not promise an early end while the
// creates wait on the CRM's limits.
func TestProgressRateFollowsRecentWindow(t *testing.T) {
	now := time.Now()
	tl := &tally{start: now.Add(-30 * time.Second), total: 200, created: 50, skipped: 100,
		samples: []rateSample{{now.Add(-30 * time.Second), 0}, {now.Add(-12 * time.Second), 100}, {now.Add(-5 * time.Second), 120}}}
	p := tl.progress()
	wantRate := 50.0 / 12
	if p.Rate < wantRate*0.95 || p.Rate > wantRate*1.05 {
		t.Fatalf("rate %.2f/s, want about %.2f/s (the window, not 150/30)", p.Rate, wantRate)
	}
	if p.ETA < 11*time.Second || p.ETA > 13*time.Second {
		t.Fatalf("ETA %s, want about 12s", p.ETA)
	}
	if p.Done != 150 || p.Elapsed < 30*time.Second {
		t.Fatalf("progress %+v", p)
	}
}

// While nothing finishes (a rate-limit wait), Progress still moves its
// elapsed time, and the rate decays instead of freezing.
func TestProgressDuringAWait(t *testing.T) {
	now := time.Now()
	tl := &tally{start: now.Add(-20 * time.Second), total: 100, created: 40,
		samples: []rateSample{{now.Add(-20 * time.Second), 0}, {now.Add(-15 * time.Second), 40}, {now.Add(-11 * time.Second), 40}}}
	p := tl.progress()
	if p.Rate != 0 || p.ETA != 0 {
		t.Fatalf("no contact finished in the window, yet rate %.2f ETA %s", p.Rate, p.ETA)
	}
}

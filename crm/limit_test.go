package crm

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// TestWindowNeverExceedsMax checks the rolling-window property on the
// recorded start times: no interval holds more than max calls. It runs in
// a synctest bubble, so the times are the limiter's own and a loaded
// machine cannot stretch or squeeze them.
func TestWindowNeverExceedsMax(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const max, interval = 5, 50 * time.Millisecond
		w := NewWindow(max, interval)
		var mu sync.Mutex
		var starts []time.Time
		var wg sync.WaitGroup
		begin := time.Now()
		for range 4 {
			wg.Go(func() {
				for range 4 {
					if _, err := w.Wait(context.Background()); err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					starts = append(starts, time.Now())
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(starts) != 16 {
			t.Fatalf("%d calls made, want 16", len(starts))
		}
		slices.SortFunc(starts, time.Time.Compare)
		for i := max; i < len(starts); i++ {
			if gap := starts[i].Sub(starts[i-max]); gap < interval {
				t.Errorf("calls %d and %d only %v apart: more than %d in %v", i-max, i, gap, max, interval)
			}
		}
		// And it is not slower than it must be: 16 calls at 5 per window
		// need three full windows (plus the millisecond of margin each).
		if took, want := time.Since(begin), 3*(interval+time.Millisecond); took != want {
			t.Errorf("16 calls took %v, want %v", took, want)
		}
	})
}

func TestWindowObserveBooksForeignCalls(t *testing.T) {
	w := NewWindow(10, time.Hour)
	w.Observe(2) // the server says only 2 remain: 8 were used elsewhere
	for i := range 2 {
		if d := w.reserve(time.Now()); d != 0 {
			t.Fatalf("call %d had to wait %v; 2 calls should remain", i+1, d)
		}
	}
	if d := w.reserve(time.Now()); d <= 0 {
		t.Fatalf("third call allowed; the budget the server reported is spent")
	}
	w2 := NewWindow(10, time.Hour)
	w2.Observe(50) // more than max: nothing to book
	if got := len(w2.sent); got != 0 {
		t.Errorf("Observe above max booked %d calls", got)
	}
}

func TestWindowPauseUntilAndCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := NewWindow(100, time.Second)
		w.PauseUntil(time.Now().Add(30 * time.Millisecond))
		w.PauseUntil(time.Now()) // an earlier pause never shortens the current one
		ctx := WithObserver(context.Background(), func(n Notice) {
			if n.Kind != NoticeWait || n.Endpoint != "search" || n.Wait != 30*time.Millisecond {
				t.Errorf("unexpected notice %+v", n)
			}
		})
		start := time.Now()
		if err := WaitNotify(ctx, w, "search"); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited != 30*time.Millisecond {
			t.Errorf("waited %v, want the 30ms pause honoured", waited)
		}

		w.PauseUntil(time.Now().Add(time.Hour))
		cctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := WaitNotify(cctx, w, "search"); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
}

func fastRetry(attempts int) RetryPolicy {
	return RetryPolicy{MaxAttempts: attempts, BaseDelay: time.Millisecond, MaxDelay: 4 * time.Millisecond}
}

func TestRetryPolicyDo(t *testing.T) {
	serverErr := &Error{Reason: ReasonServerError, Status: 503}
	cases := []struct {
		name      string
		errs      []error // returned by successive attempts; nil after the list
		attempts  int
		wantCalls int
		wantErr   Reason
	}{
		{"success first", nil, 3, 1, ""},
		{"temporary then success", []error{serverErr, serverErr}, 5, 3, ""},
		{"temporary forever is bounded", []error{serverErr, serverErr, serverErr, serverErr}, 3, 3, ReasonServerError},
		{"permanent not retried", []error{&Error{Reason: ReasonUnauthorized, Status: 401}}, 5, 1, ReasonUnauthorized},
		{"plain error not retried", []error{errors.New("boom")}, 5, 1, "plain"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var notices []Notice
			ctx := WithObserver(context.Background(), func(n Notice) { notices = append(notices, n) })
			calls := 0
			err := fastRetry(tc.attempts).Do(ctx, "batch/create", func() error {
				calls++
				if calls <= len(tc.errs) {
					return tc.errs[calls-1]
				}
				return nil
			})
			if calls != tc.wantCalls {
				t.Errorf("%d calls, want %d", calls, tc.wantCalls)
			}
			var ce *Error
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("err = %v, want success", err)
			case tc.wantErr == "plain" && (err == nil || errors.As(err, &ce)):
				t.Errorf("err = %v, want the plain error back", err)
			case tc.wantErr != "" && tc.wantErr != "plain" && (!errors.As(err, &ce) || ce.Reason != tc.wantErr):
				t.Errorf("err = %v, want reason %s", err, tc.wantErr)
			}
			if len(notices) != calls-1 {
				t.Errorf("%d retry notices for %d calls", len(notices), calls)
			}
			for i, n := range notices {
				if n.Kind != NoticeRetry || n.Attempt != i+2 || n.Endpoint != "batch/create" {
					t.Errorf("notice %d = %+v", i, n)
				}
			}
		})
	}
}

func TestRetryPolicyHonoursRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var got Notice
		ctx := WithObserver(context.Background(), func(n Notice) { got = n })
		calls := 0
		var second time.Time
		start := time.Now()
		err := fastRetry(2).Do(ctx, "search", func() error {
			calls++
			if calls == 1 {
				return &Error{Reason: ReasonRateLimited, Status: 429, RetryAfter: 40 * time.Millisecond, Message: "TEN_SECONDLY_ROLLING"}
			}
			second = time.Now()
			return nil
		})
		if err != nil || calls != 2 {
			t.Fatalf("err=%v calls=%d, want success on the second call", err, calls)
		}
		if gap := second.Sub(start); gap != 40*time.Millisecond {
			t.Errorf("retried after %v; Retry-After said 40ms (not the backoff)", gap)
		}
		if got.Wait != 40*time.Millisecond || got.Reason != ReasonRateLimited || got.Detail != "TEN_SECONDLY_ROLLING" {
			t.Errorf("notice = %+v", got)
		}
	})
}

func TestRetryPolicyStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	p := RetryPolicy{MaxAttempts: 5, BaseDelay: time.Hour, MaxDelay: time.Hour}
	err := p.Do(ctx, "search", func() error {
		calls++
		cancel()
		return &Error{Reason: ReasonTimeout}
	})
	var ce *Error
	if calls != 1 || !errors.As(err, &ce) || ce.Reason != ReasonTimeout {
		t.Errorf("calls=%d err=%v: want one call and its error back after cancel", calls, err)
	}
}

func TestBackoffBounds(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 10, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	for n := 2; n <= 12; n++ {
		ceiling := min(p.BaseDelay<<(n-2), p.MaxDelay)
		for range 50 {
			d := p.Backoff(n)
			if d < ceiling/2 || d > ceiling {
				t.Fatalf("Backoff(%d) = %v, want within [%v, %v]", n, d, ceiling/2, ceiling)
			}
		}
	}
	if d := p.Backoff(80); d < p.MaxDelay/2 || d > p.MaxDelay {
		t.Errorf("Backoff(80) = %v: overflowed shift must fall back to MaxDelay", d)
	}
}

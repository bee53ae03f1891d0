package httpcore

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// hinted is a vendor error that says what to do about it.
type hinted struct{ h Hint }

func (e *hinted) Error() string   { return "vendor error " + e.h.Reason }
func (e *hinted) RetryHint() Hint { return e.h }

var temporary = &hinted{Hint{Retry: true, Reason: ReasonServerError, Detail: "down"}}

// TestBackoffWithinBounds runs the retry loop in a synctest bubble, where
// each sleep takes exactly as long as it says: every gap between attempts
// lies in the upper half of the doubling cap and matches its notice.
func TestBackoffWithinBounds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := RetryPolicy{MaxAttempts: 8, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
		var notices []Notice
		ctx := WithObserver(context.Background(), func(n Notice) { notices = append(notices, n) })
		var at []time.Time
		err := p.Do(ctx, "search", func() error {
			at = append(at, time.Now())
			return temporary
		})
		if err != temporary {
			t.Fatalf("err = %v, want the last error itself", err)
		}
		if len(at) != p.MaxAttempts || len(notices) != p.MaxAttempts-1 {
			t.Fatalf("%d attempts and %d notices, want %d and %d", len(at), len(notices), p.MaxAttempts, p.MaxAttempts-1)
		}
		for i := 1; i < len(at); i++ {
			n := i + 1 // the attempt waited for
			ceiling := min(p.BaseDelay<<(n-2), p.MaxDelay)
			gap := at[i].Sub(at[i-1])
			if gap < ceiling/2 || gap > ceiling {
				t.Errorf("before attempt %d waited %v, want within [%v, %v]", n, gap, ceiling/2, ceiling)
			}
			nt := notices[i-1]
			if nt.Wait != gap || nt.Attempt != n || nt.Kind != NoticeRetry || nt.Reason != ReasonServerError || nt.Detail != "down" || nt.Endpoint != "search" {
				t.Errorf("notice %+v for a wait of %v before attempt %d", nt, gap, n)
			}
		}
	})
}

func TestBackoffBoundsAndOverflow(t *testing.T) {
	p := RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	for n := 2; n <= 12; n++ {
		ceiling := min(p.BaseDelay<<(n-2), p.MaxDelay)
		for range 50 {
			if d := p.Backoff(n); d < ceiling/2 || d > ceiling {
				t.Fatalf("Backoff(%d) = %v, want within [%v, %v]", n, d, ceiling/2, ceiling)
			}
		}
	}
	if d := p.Backoff(80); d < p.MaxDelay/2 || d > p.MaxDelay {
		t.Errorf("Backoff(80) = %v: an overflowed shift must fall back to MaxDelay", d)
	}
	if d := (RetryPolicy{}).Backoff(3); d != 0 {
		t.Errorf("zero policy backs off %v", d)
	}
}

func TestServerToldWaitReplacesBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := RetryPolicy{MaxAttempts: 3, BaseDelay: time.Hour, MaxDelay: time.Hour}
		start := time.Now()
		calls := 0
		err := p.Do(context.Background(), "x", func() error {
			if calls++; calls == 1 {
				return &hinted{Hint{Retry: true, Wait: 1500 * time.Millisecond, Reason: ReasonRateLimited}}
			}
			return nil
		})
		if err != nil || calls != 2 {
			t.Fatalf("err=%v calls=%d", err, calls)
		}
		if took := time.Since(start); took != 1500*time.Millisecond {
			t.Errorf("retried after %v, want the server's 1.5s", took)
		}
	})
}

func TestPermanentStopsRetries(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 5, BaseDelay: time.Hour, MaxDelay: time.Hour}
	calls := 0
	err := p.Do(context.Background(), "create", func() error {
		calls++
		return Permanent(temporary)
	})
	if calls != 1 || err != temporary {
		t.Fatalf("calls=%d err=%#v: a permanent error is returned unmarked after one call", calls, err)
	}
	if !IsPermanent(Permanent(temporary)) || IsPermanent(temporary) || Permanent(nil) != nil {
		t.Error("IsPermanent/Permanent disagree")
	}
	if twice := Permanent(Permanent(temporary)); unmark(twice) != temporary {
		t.Error("marking twice needs unmarking twice")
	}
	var h *hinted
	if !errors.As(Permanent(temporary), &h) || !errors.Is(Permanent(temporary), temporary) {
		t.Error("the mark hides the vendor error from errors.As/Is")
	}
}

func TestNotRetried(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 5, BaseDelay: time.Hour, MaxDelay: time.Hour}
	for name, e := range map[string]error{
		"plain error":       errors.New("boom"),
		"hint says no":      &hinted{Hint{Retry: false}},
		"context cancelled": context.Canceled,
	} {
		calls := 0
		err := p.Do(context.Background(), "x", func() error { calls++; return e })
		if calls != 1 || err != e {
			t.Errorf("%s: calls=%d err=%v", name, calls, err)
		}
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		p := RetryPolicy{MaxAttempts: 5, BaseDelay: time.Hour, MaxDelay: time.Hour}
		calls := 0
		start := time.Now()
		err := p.Do(ctx, "x", func() error { calls++; return temporary })
		if calls != 1 || err != temporary {
			t.Fatalf("calls=%d err=%v: want the last error back when the context ends", calls, err)
		}
		if took := time.Since(start); took != 3*time.Second {
			t.Errorf("gave up after %v, want at the context's end", took)
		}
	})
}

func TestWaitNotifyReportsOnlyRealWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var got []Notice
		ctx := WithObserver(context.Background(), func(n Notice) { got = append(got, n) })
		for _, d := range []time.Duration{0, 9 * time.Millisecond, 10 * time.Millisecond, time.Second} {
			if err := WaitNotify(ctx, sleeper(d), "search"); err != nil {
				t.Fatal(err)
			}
		}
		if len(got) != 2 || got[0].Wait != 10*time.Millisecond || got[1].Wait != time.Second ||
			got[0].Kind != NoticeWait || got[0].Reason != ReasonRateLimited || got[0].Endpoint != "search" {
			t.Errorf("notices %+v, want the two waits of 10ms and more", got)
		}
		Notify(context.Background(), Notice{}) // no observer: nothing happens
	})
}

// sleeper is a Limiter that always waits d.
type sleeper time.Duration

func (s sleeper) Wait(ctx context.Context) (time.Duration, error) {
	time.Sleep(time.Duration(s))
	return time.Duration(s), ctx.Err()
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                              0,
		" 2 ":                           2 * time.Second,
		"0.5":                           500 * time.Millisecond,
		"0":                             0,
		"-1":                            0,
		"3600":                          time.Hour,
		"3601":                          0, // absurd: ignored
		"1e300":                         0,
		"NaN":                           0,
		"+Inf":                          0,
		"soon":                          0,
		"Fri, 02 Jan 2026 03:04:15 GMT": 10 * time.Second,
		"Fri, 02 Jan 2026 03:04:00 GMT": 0, // in the past
		"Sat, 03 Jan 2026 03:04:05 GMT": 0, // a day away
	} {
		if got := RetryAfter(v, now); got != want {
			t.Errorf("RetryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}

func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"1", "0.25", "NaN", "Inf", "-0", "1e300", "Fri, 02 Jan 2026 03:04:15 GMT", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if d := RetryAfter(v, time.Now()); d < 0 || d > time.Hour {
			t.Fatalf("RetryAfter(%q) = %v, outside [0, 1h]", v, d)
		}
	})
}

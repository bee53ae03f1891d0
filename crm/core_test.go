package crm

import (
	"context"
	"net/http"
	"testing"
	"time"

	"coexsync/internal/httpcore"
)

// The WhatsApp client names its retry reasons with httpcore's constants;
// an observer reads them as these Reasons.
func TestReasonsMatchTheCore(t *testing.T) {
	for core, ours := range map[string]Reason{
		httpcore.ReasonRateLimited: ReasonRateLimited,
		httpcore.ReasonServerError: ReasonServerError,
		httpcore.ReasonTimeout:     ReasonTimeout,
		httpcore.ReasonBadResponse: ReasonBadResponse,
		httpcore.ReasonNetwork:     ReasonNetwork,
	} {
		if Reason(core) != ours {
			t.Errorf("core reason %q is %q here", core, ours)
		}
	}
}

// A notice made by any client through the core reaches a crm observer
// whole, and the reverse.
func TestObserverBridgesTheCore(t *testing.T) {
	var got []Notice
	ctx := WithObserver(context.Background(), func(n Notice) { got = append(got, n) })
	httpcore.Notify(ctx, httpcore.Notice{Kind: httpcore.NoticeRetry, Endpoint: "graph x", Wait: time.Second, Reason: httpcore.ReasonRateLimited, Attempt: 3, Detail: "d"})
	Notify(ctx, Notice{Kind: NoticeWait, Endpoint: "search", Wait: time.Millisecond, Reason: ReasonTimeout})
	want := []Notice{
		{Kind: NoticeRetry, Endpoint: "graph x", Wait: time.Second, Reason: ReasonRateLimited, Attempt: 3, Detail: "d"},
		{Kind: NoticeWait, Endpoint: "search", Wait: time.Millisecond, Reason: ReasonTimeout},
	}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("notices %+v, want %+v", got, want)
	}
	Notify(WithObserver(context.Background(), nil), Notice{}) // no observer: nothing happens
}

// boundingTransport applies its own bound on each attempt.
type boundingTransport struct {
	http.RoundTripper
	bound time.Duration
}

func (b boundingTransport) AttemptTimeout() time.Duration { return b.bound }

// The bound a resume waits out is the one the client really applies,
// wherever it is set.
func TestAttemptTimeoutReadsClientThenTransport(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    *http.Client
		want time.Duration
	}{
		{"no client", nil, DefaultRequestTimeout},
		{"no bound", &http.Client{}, DefaultRequestTimeout},
		{"client timeout", &http.Client{Timeout: 3 * time.Second}, 3 * time.Second},
		{"transport bound", &http.Client{Transport: boundingTransport{bound: 4 * time.Second}}, 4 * time.Second},
		{"client before transport", &http.Client{Timeout: 2 * time.Second, Transport: boundingTransport{bound: 4 * time.Second}}, 2 * time.Second},
		{"transport without a bound", &http.Client{Transport: boundingTransport{}}, DefaultRequestTimeout},
	} {
		if got := AttemptTimeout(tc.c); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

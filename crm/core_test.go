package crm

import (
	"context"
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

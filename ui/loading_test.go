package ui

import (
	"context"
	"errors"
	"testing"
	"time"

	"coexsync/ui/common"
	"coexsync/ui/internal/uitest"
)

// loadingApp is the console waiting for a dataset that is in once done
// is sent on (its value is what loading returns).
func loadingApp(t *testing.T) (*App, chan error) {
	done := make(chan error, 1)
	a := New(uitest.NewBackend(), Options{
		Ctx:   t.Context(), // ends a wait for a load the test never sends
		Start: common.NumbersScreen, Now: func() time.Time { return uitest.Clock }, PollEvery: 5 * time.Millisecond,
		ExportDir: t.TempDir(), Styles: NewStyles(true), Keys: DefaultKeyMap(),
		Loading: &Loading{What: "the sandbox: 100,000 contacts per number", Wait: func(ctx context.Context) error {
			select {
			case err := <-done:
				return err
			case <-ctx.Done():
				return ctx.Err()
			}
		}},
	})
	return a, done
}

// Until the sandbox's dataset is in, the console says it is loading and
// no number can be picked: a contact request sent then would find none.
func TestLoadingShowsUntilReady(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		a, done := loadingApp(t)
		d := drive(t, a)
		d.mustShow("Loading the sandbox: 100,000 contacts per number…", "q quit")
		d.mustNotShow("Bay Bikes", "enter select")
		d.keys("enter", "down", "enter")
		d.mustShow("Loading the sandbox")
		if len(d.a.stack) != 1 || d.quit {
			t.Fatal("a key acted on a screen not shown yet")
		}
		done <- nil
		if !d.await("Bay Bikes", 10*time.Second) {
			t.Fatalf("numbers not shown once loaded:\n%s", d.frame())
		}
		d.mustNotShow("Loading the sandbox")
		d.keys("enter").mustShow("Sync into which CRM?")
	})
}

// A dataset that failed to load is said, and nothing else offered: the
// screens would work on half of it.
func TestLoadingFailureIsSaid(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		a, done := loadingApp(t)
		d := drive(t, a)
		done <- errors.New("dataset: no region for +99")
		if !d.await("no region", 10*time.Second) {
			t.Fatalf("failure not said:\n%s", d.frame())
		}
		d.mustShow("Loading the sandbox: 100,000 contacts per number: dataset: no region for +99.", "q quit")
		d.mustNotShow("Bay Bikes")
		if d.keys("q"); !d.quit {
			t.Fatal("q did not quit after a failed load")
		}
	})
}

func TestQuitWhileLoading(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		a, _ := loadingApp(t)
		d := drive(t, a)
		if d.keys("q"); !d.quit {
			t.Fatal("q did not quit while loading")
		}
	})
}

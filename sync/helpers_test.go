package sync

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"testing/iotest"
	"time"

	"coexsync/crm/crmtest"
	"coexsync/internal/filetemplate"
	"coexsync/store"
)

const testNumber = "PN1"

// contactSpec is a Business App contact for a test: a phone or, when it
// starts with "user:", a business-scoped user id instead.
type contactSpec struct{ phone, name string }

// emptyDB is a freshly migrated database: tests start from copies of it,
// since migrating one costs more than most tests.
var emptyDB = filetemplate.New(func(path string) error {
	db, err := store.Open(path)
	if err != nil {
		return err
	}
	return db.Close()
})

// openStore opens a fresh database in the test's temporary directory.
func openStore(t testing.TB) *store.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	if err := emptyDB.CopyTo(path); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// saveContacts stores specs as one webhook payload; contact ids follow
// the order given.
func saveContacts(t testing.TB, db *store.DB, specs []contactSpec) []store.Contact {
	t.Helper()
	evs := make([]store.ContactEvent, len(specs))
	for i, s := range specs {
		evs[i] = store.ContactEvent{NumberID: testNumber, FullName: s.name, Action: store.ActionAdd, Timestamp: time.Unix(1732450000, 0)}
		if id, ok := strings.CutPrefix(s.phone, "user:"); ok {
			evs[i].UserID = id
		} else {
			evs[i].Phone = s.phone
		}
	}
	body := fmt.Appendf(nil, "payload %d %d", len(specs), time.Now().UnixNano())
	if _, err := db.SaveContactEvents(context.Background(), "test", body, evs); err != nil {
		t.Fatal(err)
	}
	cs, err := db.Contacts(context.Background(), testNumber)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// runToEnd starts p and reads every event until the channel closes.
func runToEnd(t testing.TB, e *Engine, p *Plan, opts RunOptions) (RunSummary, []Event) {
	t.Helper()
	job, err := e.Start(context.Background(), p, opts)
	if err != nil {
		t.Fatal(err)
	}
	return drain(t, job)
}

func drain(t testing.TB, job *Job) (RunSummary, []Event) {
	t.Helper()
	var evs []Event
	for ev := range job.Events() {
		evs = append(evs, ev)
	}
	s := job.Wait()
	if len(evs) == 0 {
		t.Fatal("no events")
	}
	if _, ok := evs[len(evs)-1].(Done); !ok {
		t.Fatalf("last event is %T, want Done", evs[len(evs)-1])
	}
	return s, evs
}

// outcomesByRaw maps each outcome of a run by the raw number.
func outcomesByRaw(t testing.TB, db *store.DB, runID int64) map[string]store.Outcome {
	t.Helper()
	outs, _, err := db.Outcomes(context.Background(), store.OutcomeFilter{RunID: runID})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]store.Outcome{}
	for _, o := range outs {
		m[o.Raw] = o
	}
	return m
}

func mustPlan(t testing.TB, e *Engine) *Plan {
	t.Helper()
	p, err := e.Plan(context.Background(), testNumber, "US")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// bubbleHTTP is an HTTP client for a test in a synctest bubble: requests
// go to h in memory (the bubble's clock stands still while a goroutine
// waits on a socket). timeouts of them, drawn from seed, hang until the
// client's timeout ends them before h sees them: the fakes' own timeout
// fault does just that, but it also waits on the fake's shutdown, a
// channel from outside the bubble, which stops the bubble's clock.
func bubbleHTTP(h http.Handler, timeout time.Duration, timeouts float64, seed int64) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &bubbleTransport{
		mem: crmtest.MemTransport(h), timeouts: timeouts, rng: rand.New(rand.NewPCG(uint64(seed), 0x71)),
	}}
}

type bubbleTransport struct {
	mem      http.RoundTripper
	timeouts float64
	mu       gosync.Mutex
	rng      *rand.Rand
}

// RoundTrip answers as a socket would: with the request's context error
// once the client gave up (even if the handler answered), and with a body
// that breaks off when it is shorter than its Content-Length.
func (b *bubbleTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	b.mu.Lock()
	hang := b.rng.Float64() < b.timeouts
	b.mu.Unlock()
	if hang {
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	resp, err := b.mem.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if err := req.Context().Err(); err != nil {
		resp.Body.Close()
		return nil, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var rest io.Reader = strings.NewReader("")
	if resp.ContentLength > int64(len(body)) {
		rest = iotest.ErrReader(io.ErrUnexpectedEOF)
	}
	resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), rest))
	return resp, nil
}

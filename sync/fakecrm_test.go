package sync

import (
	"context"
	"fmt"
	"strings"
	gosync "sync"
	"time"

	"coexsync/crm"
)

// fakeCRM is an in-memory crm.Client with the behaviours the engine must
// cope with: search that matches on national digits (so it returns
// numbers of other countries), a search lag after creates, and faults.
type fakeCRM struct {
	mu        gosync.Mutex
	limits    crm.Limits
	records   []fakeRecord
	index     map[string][]int // last nine digits of a phone → records
	nextID    int
	calls     map[string]int
	tries     map[string]int // create attempts per ref
	oversized int            // calls that exceeded a batch limit

	// hidden is how long a new record stays out of search.
	hidden time.Duration
	// onCreate runs before call n of Create; createFirst makes the records
	// exist even though the call returns err (a timeout after the work).
	onCreate func(ctx context.Context, n int) (createFirst bool, err error)
	// landLate, with onCreate's createFirst and an error, makes the
	// records that long after the call was sent, after it has returned: a
	// create the CRM still works on when its sender dies.
	landLate time.Duration
	landed   chan struct{} // closed once late records are made
	// itemErr fails one item of a create on its attempt-th try.
	itemErr func(ref string, attempt int) *crm.Error
	// existing answers a create of ref with a 409 naming that record.
	existing map[string]string
	nameErr  func(id string) *crm.Error
	onFind   func(ctx context.Context, n int) error
}

type fakeRecord struct {
	crm.Record
	at time.Time
}

func newFakeCRM() *fakeCRM {
	return &fakeCRM{
		limits: crm.Limits{FindBatch: 100, CreateBatch: 10, UpdateBatch: 10, SearchLag: 20 * time.Millisecond, RequestTimeout: 50 * time.Millisecond},
		calls:  map[string]int{}, tries: map[string]int{}, existing: map[string]string{},
		index: map[string][]int{},
	}
}

func (f *fakeCRM) Name() string       { return "fake" }
func (f *fakeCRM) Target() string     { return "fake loopback" }
func (f *fakeCRM) Limits() crm.Limits { return f.limits }

// seed adds a record that predates the run (searchable at once).
func (f *fakeCRM) seed(name string, phones ...string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.add(crm.Record{Name: name, Phones: phones}, time.Time{})
}

func (f *fakeCRM) add(r crm.Record, at time.Time) string {
	f.nextID++
	r.ID = fmt.Sprintf("rec-%d", f.nextID)
	for _, p := range r.Phones {
		k := last9(digitsOf(p))
		f.index[k] = append(f.index[k], len(f.records))
	}
	f.records = append(f.records, fakeRecord{Record: r, at: at})
	return r.ID
}

func (f *fakeCRM) count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

// byPhone counts records per phone value, to find duplicates.
func (f *fakeCRM) byPhone() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for _, r := range f.records {
		for _, p := range r.Phones {
			out[p]++
		}
	}
	return out
}

func (f *fakeCRM) record(id string) (crm.Record, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.records {
		if r.ID == id {
			return r.Record, true
		}
	}
	return crm.Record{}, false
}

// enter counts a call of method with n items (limit allowed) and returns
// its number.
func (f *fakeCRM) enter(method string, n, limit int) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[method]++
	if n > limit {
		f.oversized++
	}
	return f.calls[method]
}

func (f *fakeCRM) FindByPhones(ctx context.Context, e164 []string) ([]crm.Record, error) {
	n := f.enter("find", len(e164), f.limits.FindBatch)
	f.mu.Lock()
	hook := f.onFind
	f.mu.Unlock()
	if hook != nil {
		if err := hook(ctx, n); err != nil {
			return nil, err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []crm.Record
	seen := map[int]bool{}
	for _, q := range e164 {
		for _, i := range f.index[last9(digitsOf(q))] {
			if r := f.records[i]; !seen[i] && time.Since(r.at) >= f.hidden {
				seen[i] = true
				out = append(out, r.Record)
			}
		}
	}
	return out, nil
}

// last9 is what the fake's search matches on, the way vendor search on
// national digits does: the last nine digits agree, whatever the country.
func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func last9(d string) string { return d[max(0, len(d)-9):] }

func (f *fakeCRM) Create(ctx context.Context, in []crm.NewContact) ([]crm.ItemResult, error) {
	n := f.enter("create", len(in), f.limits.CreateBatch)
	if err := crm.BeforeSend(ctx, nil); err != nil {
		return nil, err
	}
	sent := time.Now()
	f.mu.Lock()
	hook := f.onCreate
	f.mu.Unlock()
	var createFirst bool
	var callErr error
	if hook != nil {
		createFirst, callErr = hook(ctx, n)
		if callErr != nil && !createFirst {
			return nil, callErr
		}
		if callErr != nil && f.landLate > 0 {
			go func() {
				// Counted from the send, like the client's timeout: the
				// landing stays within what the sender promised.
				time.Sleep(f.landLate - time.Since(sent))
				f.mu.Lock()
				defer f.mu.Unlock()
				for _, c := range in {
					f.add(crm.Record{Name: c.Name, Phones: []string{c.Phone}}, time.Now())
				}
				close(f.landed)
			}()
			return nil, callErr
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]crm.ItemResult, len(in))
	for i, c := range in {
		f.tries[c.Ref]++
		out[i].Ref = c.Ref
		if id := f.existing[c.Ref]; id != "" {
			out[i].ExistingID = id
			out[i].Err = &crm.Error{Reason: crm.ReasonConflict, Status: 409}
			continue
		}
		if f.itemErr != nil {
			if ce := f.itemErr(c.Ref, f.tries[c.Ref]); ce != nil {
				out[i].Err = ce
				continue
			}
		}
		out[i].ID = f.add(crm.Record{Name: c.Name, FirstName: c.FirstName, LastName: c.LastName, Phones: []string{c.Phone}}, time.Now())
	}
	return out, callErr
}

func (f *fakeCRM) SetNames(ctx context.Context, in []crm.NameUpdate) ([]crm.ItemResult, error) {
	f.enter("names", len(in), f.limits.UpdateBatch)
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]crm.ItemResult, len(in))
	for i, u := range in {
		out[i].Ref = u.Ref
		if f.nameErr != nil {
			if ce := f.nameErr(u.ID); ce != nil {
				out[i].Err = ce
				continue
			}
		}
		for j := range f.records {
			if f.records[j].ID == u.ID {
				f.records[j].Name, f.records[j].FirstName, f.records[j].LastName = u.Name, u.FirstName, u.LastName
				out[i].ID = u.ID
			}
		}
	}
	return out, nil
}

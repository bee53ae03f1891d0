package sync

import (
	"context"
	"fmt"
	gosync "sync"
	"testing"
	"time"

	"coexsync/crm"
	"coexsync/crm/hubspot"
	"coexsync/crm/hubspot/hubspottest"
)

// listHook is a HubSpot client whose ListPage calls before run first.
type listHook struct {
	*hubspot.Client
	before func(ctx context.Context, call int) error
	mu     gosync.Mutex
	calls  int
}

func (h *listHook) ListPage(ctx context.Context, cursor string) (crm.Page, error) {
	h.mu.Lock()
	h.calls++
	call := h.calls
	h.mu.Unlock()
	if err := h.before(ctx, call); err != nil {
		return crm.Page{}, err
	}
	return h.Client.ListPage(ctx, cursor)
}

// Two processes share one database: one plans while the other rebuilds
// the index from the start. The plan must never meet an index emptied
// under it: it matched nothing listed before the rebuild began, and
// created those contacts again next to their records (a trial of two
// syncs of one number at once caught it).
func TestIndexRebuildNeverHidesRecordsFromAPlan(t *testing.T) {
	srv, client := fastHubSpot(t, 1)
	// Thirteen list pages: the build writes ten pages a transaction.
	const n = 1250
	recs := make([]hubspottest.Record, n)
	specs := make([]contactSpec, n)
	for i := range n {
		phone := fmt.Sprintf("+44 20 7946 %04d", i%1000)
		if i >= 1000 {
			phone = fmt.Sprintf("+44 20 7900 %04d", i%1000)
		}
		recs[i] = hubspottest.Record{FirstName: fmt.Sprint("Record ", i), Phone: phone}
		specs[i] = contactSpec{phone, fmt.Sprint("Contact ", i)}
	}
	srv.SeedRecords(recs...)
	db := openStore(t)
	saveContacts(t, db, specs)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// The other process: its rebuild starts, then waits at its first page.
	entered, release := make(chan struct{}), make(chan struct{})
	var enter gosync.Once
	other := &Engine{Store: db, CRMRegion: "US", CRM: &listHook{Client: client, before: func(ctx context.Context, _ int) error {
		enter.Do(func() { close(entered) })
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}}}
	rebuilt := make(chan error, 1)

	// This process: once the first pages it listed are in the index, the
	// other's rebuild begins, and this build goes on listing after it.
	target := client.Target()
	planner := &Engine{Store: db, CRMRegion: "US", CRM: &listHook{Client: client, before: func(ctx context.Context, call int) error {
		if call != 12 {
			return nil
		}
		for {
			got, err := db.LookupIndex(ctx, target, []string{"+442079460000"})
			if err != nil {
				return err
			}
			if len(got) > 0 {
				break
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(5 * time.Millisecond):
			}
		}
		go func() {
			_, err := other.RefreshIndex(ctx, "US", true)
			rebuilt <- err
		}()
		select {
		case <-entered:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}}}
	p, err := planner.Plan(ctx, testNumber, "US")
	if err != nil {
		t.Fatal(err)
	}
	if p.Lookup != LookupIndex || p.Counts[StatusExists] != n {
		t.Errorf("lookup %s, %v: every contact's record is in the CRM, want %d exists", p.Lookup, p.Counts, n)
	}
	close(release)
	if err := <-rebuilt; err != nil {
		t.Fatal(err)
	}
	// After both, the index is whole: a plan from it finds every record.
	again, err := (&Engine{Store: db, CRM: client, CRMRegion: "US"}).Plan(ctx, testNumber, "US")
	if err != nil {
		t.Fatal(err)
	}
	if !again.Index.Complete || again.Index.RecordCount != n || again.Counts[StatusExists] != n {
		t.Errorf("after the rebuild: index %+v, %v, want %d records, all exists", again.Index, again.Counts, n)
	}
}

// hugeHubSpot is a HubSpot client whose account says it holds a million
// records.
type hugeHubSpot struct{ *hubspot.Client }

func (hugeHubSpot) Count(context.Context) (int, error) { return 1_000_000, nil }

// However large the account, a plan matches against the index: search
// cannot see a number stored in another spelling, and the contact would
// be created next to its record.
func TestAutoLookupIndexesEvenAHugeAccount(t *testing.T) {
	srv, client := fastHubSpot(t, 1)
	ids := srv.SeedRecords(hubspottest.Record{FirstName: "Stored nationally", Mobile: "075087 69009", Country: "United Kingdom"})
	db := openStore(t)
	saveContacts(t, db, []contactSpec{{"+447508769009", "WhatsApp name"}})
	e := &Engine{Store: db, CRM: hugeHubSpot{client}, CRMRegion: "GB"}
	p, err := e.Plan(context.Background(), testNumber, "GB")
	if err != nil {
		t.Fatal(err)
	}
	if p.Lookup != LookupIndex || p.Rows[0].Status != StatusExists || p.Rows[0].RecordID != ids[0] {
		t.Fatalf("lookup %s, row %s %s: want the index to find record %s", p.Lookup, p.Rows[0].Status, p.Rows[0].RecordID, ids[0])
	}
}

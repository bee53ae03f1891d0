package intercom_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"coexsync/crm"
	"coexsync/crm/crmtest"
	"coexsync/crm/intercom"
	"coexsync/crm/intercom/intercomtest"
)

// setupContract is setup with every exchange checked against the spec.
func setupContract(t *testing.T) (*intercomtest.Server, *intercom.Client) {
	t.Helper()
	spec := crmtest.SpecPath(t, specFile)
	return setup(t, intercomtest.Options{}, func(cfg *intercom.Config) {
		cfg.HTTP = &http.Client{Timeout: 5 * time.Second, Transport: crmtest.ContractTransport(t, spec, nil)}
	})
}

func listAll(t *testing.T, page func(cursor string) (crm.Page, error)) ([]crm.IndexedRecord, []crm.Page) {
	t.Helper()
	var all []crm.IndexedRecord
	var pages []crm.Page
	cursor := ""
	for {
		p, err := page(cursor)
		if err != nil {
			t.Fatalf("page %d: %v", len(pages)+1, err)
		}
		pages = append(pages, p)
		all = append(all, p.Records...)
		if p.Next == "" {
			return all, pages
		}
		if len(pages) > 100 {
			t.Fatal("paging does not end")
		}
		cursor = p.Next
	}
}

func recordIDs(recs []crm.IndexedRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}

func TestListPageOverPagesWithoutArchivedOrDeleted(t *testing.T) {
	srv, c := setupContract(t)
	at := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	seeds := make([]intercomtest.Contact, 2*intercom.MaxPerPage+20)
	for i := range seeds {
		seeds[i] = intercomtest.Contact{Phone: phone(i), CreatedAt: at, UpdatedAt: at}
	}
	seeds[3] = intercomtest.Contact{Name: "Ana Lima", Phone: "612 34 56 78", Country: "Spain", CreatedAt: at, UpdatedAt: at.Add(time.Hour)}
	seeds[4] = intercomtest.Contact{Email: "nophone@example.com", Role: "user", CreatedAt: at, UpdatedAt: at}
	ids := srv.Seed(seeds...)
	srv.Archive(ids[10])
	srv.Delete(ids[11])
	want := slices.Concat(ids[:10], ids[12:])

	got, pages := listAll(t, func(cur string) (crm.Page, error) { return c.ListPage(context.Background(), cur) })
	if !slices.Equal(recordIDs(got), want) {
		t.Fatalf("listed %d ids, want the %d active ones in order", len(got), len(want))
	}
	if len(pages) != 3 || pages[0].Total != len(want) {
		t.Errorf("%d pages, total %d; want 3 and %d", len(pages), pages[0].Total, len(want))
	}
	ana := got[3]
	wantPhones := []crm.PhoneValue{{Property: "phone", Raw: "612 34 56 78"}}
	if ana.Name != "Ana Lima" || ana.Country != "Spain" || !ana.UpdatedAt.Equal(at.Add(time.Hour)) || !slices.Equal(ana.Phones, wantPhones) {
		t.Errorf("record = %+v", ana)
	}
	if len(got[4].Phones) != 0 || got[4].HasName() {
		t.Errorf("contact without phone or name = %+v", got[4])
	}
	if n, err := c.Count(context.Background()); err != nil || n != len(want) {
		t.Errorf("Count = %d, %v; want %d", n, err, len(want))
	}
	noRateLimits(t, srv)
}

// TestChangedPageCoversTheDayOfTheWatermark: Intercom's search compares
// updated_at by day in the workspace's zone, so "updated_at > since"
// alone would miss what changed later on since's own day.
func TestChangedPageCoversTheDayOfTheWatermark(t *testing.T) {
	srv, c := setupContract(t)
	srv.SetTimezone(time.FixedZone("UTC-8", -8*3600))
	since := time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)
	old := since.Add(-10 * 24 * time.Hour)
	mk := func(updated time.Time) intercomtest.Contact {
		return intercomtest.Contact{Phone: "+14155550000", CreatedAt: old, UpdatedAt: updated}
	}
	seeds := []intercomtest.Contact{
		mk(since.Add(time.Hour)),           // same day, later
		mk(since),                          // exactly at the watermark
		mk(since.Add(-time.Hour)),          // same day, earlier: not a change
		mk(since.Add(-5 * 24 * time.Hour)), // long before
		mk(since.Add(72 * time.Hour)),      // days later
	}
	for i := range intercom.MaxPerPage + 10 { // enough for a second page
		seeds = append(seeds, mk(since.Add(time.Duration(i)*time.Minute)))
	}
	ids := srv.Seed(seeds...)
	var want []string
	for i, s := range seeds {
		if !s.UpdatedAt.Before(since) {
			want = append(want, ids[i])
		}
	}

	got, pages := listAll(t, func(cur string) (crm.Page, error) { return c.ChangedPage(context.Background(), since, cur) })
	gotIDs := recordIDs(got)
	slices.Sort(gotIDs)
	slices.Sort(want)
	if !slices.Equal(gotIDs, want) {
		t.Errorf("changes %d ids, want the %d updated at or after the watermark", len(gotIDs), len(want))
	}
	for _, r := range got {
		if r.UpdatedAt.Before(since) {
			t.Errorf("record %s updated %v, before the watermark", r.ID, r.UpdatedAt)
		}
	}
	if len(pages) < 2 {
		t.Errorf("%d pages, want paging", len(pages))
	}
	noRateLimits(t, srv)
}

func TestReadByIDsDeletedAndArchived(t *testing.T) {
	for _, readable := range []bool{false, true} {
		name := map[bool]string{false: "archived answers 404", true: "archived still readable"}[readable]
		t.Run(name, func(t *testing.T) {
			// Not contract-checked: the spec lists no 404 for this read.
			srv, c := setup(t, intercomtest.Options{})
			srv.SetArchivedReadable(readable)
			ids := srv.Seed(
				intercomtest.Contact{Name: "Live", Phone: "+14155550001", Country: "United States"},
				intercomtest.Contact{Name: "Gone", Phone: "+14155550002"},
				intercomtest.Contact{Name: "Old", Phone: "+14155550003"},
			)
			live, deleted, archived := ids[0], ids[1], ids[2]
			srv.Delete(deleted)
			srv.Archive(archived)
			got, err := c.ReadByIDs(context.Background(), []string{archived, deleted, "no-such-id", live, live})
			if err != nil {
				t.Fatal(err)
			}
			want := []string{live}
			if readable {
				want = []string{archived, live}
			}
			if !slices.Equal(recordIDs(got), want) {
				t.Fatalf("read %v, want %v", recordIDs(got), want)
			}
			r := got[len(got)-1]
			if r.Name != "Live" || r.Country != "United States" || len(r.Phones) != 1 || r.Phones[0].Raw != "+14155550001" {
				t.Errorf("live record = %+v", r)
			}
			if calls := srv.Calls()["read"]; calls != 4 {
				t.Errorf("%d reads, want one per distinct id (4)", calls)
			}
		})
	}
}

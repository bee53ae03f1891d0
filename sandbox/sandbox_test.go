package sandbox

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"coexsync/backend"
	"coexsync/crm"
	"coexsync/crm/hubspot/hubspottest"
	"coexsync/crm/intercom/intercomtest"
	"coexsync/store"
	"coexsync/sync/normalize"
	"coexsync/whatsapp/whatsapptest"
)

// The sandbox must show a newcomer every case the product handles: enough
// contacts, many countries, invalid numbers, usernames without a phone,
// duplicates, and CRM records in messy formats, some without names.
func TestSandboxDatasetCoversEveryCase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, sb := startOnNewDB(t, Options{Seed: 1})
	b := backend.New(sb.Config())
	numbers, err := b.Numbers(ctx)
	if err != nil || len(numbers) != len(businesses) {
		t.Fatalf("numbers: %d, %v", len(numbers), err)
	}

	var contacts []store.Contact
	for _, n := range numbers {
		err := b.RequestContactSync(ctx, n.ID)
		if !n.OnBizApp {
			if err == nil {
				t.Errorf("%s is not on the Business App, yet its contact sync was accepted", n.DisplayPhoneNumber)
			}
			continue
		}
		if err != nil {
			t.Fatalf("request for %s: %v", n.DisplayPhoneNumber, err)
		}
		if err := sb.Graph.WaitDelivered(ctx); err != nil {
			t.Fatal(err)
		}
		cs, err := db.Contacts(ctx, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		contacts = append(contacts, cs...)
	}
	if len(contacts) < 2000 {
		t.Fatalf("%d contacts, want at least 2,000", len(contacts))
	}
	regions, seen := map[string]bool{}, map[string]bool{}
	var invalid, noPhone, dupes, nameless int
	for _, c := range contacts {
		if c.FullName == "" {
			nameless++
		}
		if c.Phone == "" {
			noPhone++
			continue
		}
		r := normalize.Number(c.Phone, "BR")
		if !r.Valid {
			invalid++
			continue
		}
		regions[r.Region] = true
		if seen[r.E164] {
			dupes++
		}
		seen[r.E164] = true
	}
	if len(regions) < 10 || invalid == 0 || noPhone == 0 || dupes == 0 || nameless == 0 {
		t.Fatalf("dataset lacks a case: %d regions, %d invalid, %d without phone, %d duplicates, %d nameless",
			len(regions), invalid, noPhone, dupes, nameless)
	}

	var messy, unnamed int
	hub := sb.HubSpot.Records()
	for _, rec := range hub {
		if p := rec.Properties["phone"]; p != "" && p != normalize.Number(p, "").E164 {
			messy++
		}
		if rec.Properties["firstname"] == "" {
			unnamed++
		}
	}
	if share := float64(len(hub)) / float64(len(contacts)); share < 0.15 || share > 0.4 {
		t.Errorf("HubSpot already holds %.0f%% of the contacts, want about 30%%", share*100)
	}
	if messy == 0 || unnamed == 0 {
		t.Errorf("HubSpot seed: %d messy phones, %d without a name", messy, unnamed)
	}
	var intercomUnnamed int
	for _, rec := range sb.Intercom.Records() {
		if rec.Name == "" {
			intercomUnnamed++
		}
	}
	if len(sb.Intercom.Records()) == 0 || intercomUnnamed == 0 {
		t.Fatalf("Intercom seed: %d records, %d without a name", len(sb.Intercom.Records()), intercomUnnamed)
	}
}

// A sized sandbox answers at once with its numbers, each address book of
// the asked size, and its CRM records those of the dataset.
func TestSandboxSizedStartsWithEveryBook(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, sb := startOnNewDB(t, Options{Seed: 1, Contacts: 300})
	b := backend.New(sb.Config())
	numbers, err := b.Numbers(ctx)
	if err != nil || len(numbers) != len(businesses) {
		t.Fatalf("numbers at start: %d, %v", len(numbers), err)
	}
	books, err := layout(1, 300)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	generate(1, books, loader{
		hubspot: func(recs []hubspottest.Record) { want += len(recs) },
		number: func(nb numberBook) {
			if cs := nb.book.contacts(); nb.book.size > 0 && len(cs) != 300 {
				t.Errorf("number %s: %d contacts, want 300", nb.number.ID, len(cs))
			}
		},
	})
	if got := len(sb.HubSpot.Records()); got != want || want == 0 {
		t.Errorf("HubSpot holds %d records, want %d", got, want)
	}
	if again, err := b.Numbers(ctx); err != nil || len(again) != len(businesses) {
		t.Errorf("numbers after loading: %d, %v (added twice?)", len(again), err)
	}
}

// startOnNewDB starts the sandbox with opts on a fresh database; both
// close with the test.
func startOnNewDB(t *testing.T, opts Options) (*store.DB, *Sandbox) {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "sandbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sb, err := StartWith(context.Background(), db, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	return db, sb
}

// A sized sandbox loads each CRM's records on that CRM's first request:
// the first page a client lists is already full, and the records are the
// ones the dataset loaded at once would hold.
func TestSizedSandboxLoadsEachCRMOnFirstRequest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, sb := startOnNewDB(t, Options{Seed: 3, Contacts: 200})
	for name, client := range sb.Config().CRMs {
		page, err := client.(crm.Lister).ListPage(ctx, "")
		if err != nil || len(page.Records) == 0 {
			t.Fatalf("%s: first page %d records, %v; want the dataset's records", name, len(page.Records), err)
		}
	}

	assertLoadedAtOnce(t, sb, 3, 200)
}

// A default sandbox generates its CRM records once per process: every
// start after the first seeds the same records from what the first one
// generated.
func TestDefaultSandboxesOfOneSeedHoldTheSameRecords(t *testing.T) {
	t.Parallel()
	_, first := startOnNewDB(t, Options{Seed: 4})
	assertLoadedAtOnce(t, first, 4, 0)
	_, second := startOnNewDB(t, Options{Seed: 4})
	if got, want := second.HubSpot.Records(), first.HubSpot.Records(); !reflect.DeepEqual(got, want) {
		t.Errorf("the second sandbox holds %d HubSpot records, the first %d, or they differ", len(got), len(want))
	}
	if got, want := untimed(second.Intercom.Records()), untimed(first.Intercom.Records()); !reflect.DeepEqual(got, want) {
		t.Errorf("the second sandbox holds %d Intercom records, the first %d, or they differ", len(got), len(want))
	}
}

// assertLoadedAtOnce checks that sb's CRM fakes hold the records the
// dataset of seed and perNumber holds when generated and loaded at once
// into fakes of its own.
func assertLoadedAtOnce(t *testing.T, sb *Sandbox, seed int64, perNumber int) {
	t.Helper()
	graph := whatsapptest.New(whatsapptest.Options{Token: graphToken, AppSecret: appSecret, WABAID: wabaID})
	hub := hubspottest.New(hubspottest.Options{Token: hubspotToken})
	icom := intercomtest.New(intercomtest.Options{Token: intercomToken})
	t.Cleanup(func() { graph.Close(); hub.Close(); icom.Close() })
	books, err := layout(seed, perNumber)
	if err != nil {
		t.Fatal(err)
	}
	fill(seed, books, graph, hub, icom)
	if got, want := sb.HubSpot.Records(), hub.Records(); !reflect.DeepEqual(got, want) || len(want) == 0 {
		t.Errorf("HubSpot holds %d records, loaded at once %d, or they differ", len(got), len(want))
	}
	if got, want := untimed(sb.Intercom.Records()), untimed(icom.Records()); !reflect.DeepEqual(got, want) || len(want) == 0 {
		t.Errorf("Intercom holds %d records, loaded at once %d, or they differ", len(got), len(want))
	}
}

// untimed is cs without the times each fake stamped when it loaded them.
func untimed(cs []intercomtest.Contact) []intercomtest.Contact {
	for i := range cs {
		cs[i].CreatedAt, cs[i].UpdatedAt = time.Time{}, time.Time{}
	}
	return cs
}

// A headless sync requests the contacts the moment the sandbox has
// started: a sized sandbox must already know every address book then, or
// Meta's fake spends the one-time request and delivers nothing. It
// delivers what a request sent once everything is loaded (each CRM loads
// on its first use) does.
func TestSizedSandboxDeliversARequestSentAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const number = "100000000000004"
	delivered := func(settle bool) int {
		db, sb := startOnNewDB(t, Options{Seed: 1, Contacts: 60})
		if settle {
			sb.HubSpot.Records()
			sb.Intercom.Records()
		}
		b := backend.New(sb.Config())
		if _, err := b.Numbers(ctx); err != nil {
			t.Fatal(err)
		}
		if err := b.RequestContactSync(ctx, number); err != nil {
			t.Fatal(err)
		}
		if err := sb.Graph.WaitDelivered(ctx); err != nil {
			t.Fatal(err)
		}
		n, err := db.CountContacts(ctx, number)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if atOnce, settled := delivered(false), delivered(true); atOnce != settled || settled == 0 {
		t.Fatalf("contacts delivered for a request sent at start: %d; once settled: %d", atOnce, settled)
	}
}

// Choosing a CRM starts generating its records with no request made: a
// sized dataset's take a minute at a million contacts, and the agent
// should not wait for them after the contacts are in. The other CRM's
// stay ungenerated.
func TestChoosingACRMGeneratesItsRecordsAhead(t *testing.T) {
	t.Parallel()
	_, sb := startOnNewDB(t, Options{Seed: 5, Contacts: 200})
	if sb.HubSpot.Loaded() || sb.Intercom.Loaded() {
		t.Fatal("a sized sandbox generated CRM records before anyone chose a CRM")
	}
	b := backend.New(sb.Config())
	for _, name := range []string{"hubspot", "intercom"} {
		if b.Preparing(name) == "" {
			t.Errorf("before its records are made, a plan into %s is not said to wait", name)
		}
	}
	b.Choose("hubspot")
	deadline := time.Now().Add(time.Minute) // a stuck load, not a timing assertion
	for !sb.HubSpot.Loaded() {
		if time.Now().After(deadline) {
			t.Fatal("HubSpot's records were never generated after it was chosen")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if sb.Intercom.Loaded() {
		t.Error("Intercom's records were generated too; only the chosen CRM's should be")
	}
	if why := b.Preparing("hubspot"); why != "" {
		t.Errorf("HubSpot's records are made, yet a plan is said to wait: %q", why)
	}
	if why := b.Preparing("intercom"); !strings.Contains(why, "Intercom records") {
		t.Errorf("a plan into Intercom, whose records are not made, is said to wait for %q", why)
	}
	assertLoadedAtOnce(t, sb, 5, 200)
}

// A sandbox of the default dataset holds its records from the start:
// nothing holds a plan.
func TestDefaultSandboxHoldsNoPlan(t *testing.T) {
	t.Parallel()
	_, sb := startOnNewDB(t, Options{Seed: 1}) // the dataset of TestSandboxDatasetCoversEveryCase
	b := backend.New(sb.Config())
	for _, name := range []string{"hubspot", "intercom", "salesforce"} {
		if why := b.Preparing(name); why != "" {
			t.Errorf("a plan into %s is said to wait: %q", name, why)
		}
	}
}

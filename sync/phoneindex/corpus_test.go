package phoneindex

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"coexsync/crm"
	"coexsync/sync/normalize"

	"github.com/nyaruka/phonenumbers"
)

// corpusFile is one CRM account and the scenarios planned against it: all
// the records of a file form one index and all its contacts are decided
// in one batch, as a real plan is.
type corpusFile struct {
	Account struct {
		Vendor        string `json:"vendor"` // "hubspot" or "intercom"
		DefaultRegion string `json:"default_region"`
	} `json:"account"`
	Scenarios []scenario `json:"scenarios"`
}

type scenario struct {
	Name    string `json:"name"`
	Records []struct {
		ID       string           `json:"id"`
		Country  string           `json:"country"`
		Archived bool             `json:"archived"`
		Phones   []crm.PhoneValue `json:"phones"`
	} `json:"records"`
	Contacts []struct {
		Raw    string `json:"raw"`
		Region string `json:"region"` // the business number's region; default: the account's
		Expect expect `json:"expect"`
	} `json:"contacts"`
	// Unreadable lists every non-empty value of the scenario that gives no
	// key; every other value must give one.
	Unreadable []struct {
		Record   string `json:"record"`
		Property string `json:"property"`
		Reason   Reason `json:"reason"` // "" : any reason
	} `json:"unreadable"`
}

type expect struct {
	Status   Status           `json:"status"`
	Record   string           `json:"record"`   // exists
	Property string           `json:"property"` // exists
	Raw      string           `json:"raw"`      // exists
	Records  []string         `json:"records"`  // ambiguous
	Of       string           `json:"of"`       // duplicate: raw of the contact it folds into
	Reason   normalize.Reason `json:"reason"`   // invalid, optional
}

var vendorProperties = map[string][]string{
	"hubspot":  {"phone", "mobilephone", "hs_whatsapp_phone_number"},
	"intercom": {"phone"},
}

func loadCorpus(t *testing.T) map[string]corpusFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	out := map[string]corpusFile{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var f corpusFile
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out[filepath.Base(p)] = f
	}
	return out
}

// recordID makes a scenario's record ids unique within its file.
func recordID(s int, id string) string { return fmt.Sprintf("%03d/%s", s, id) }

func TestCorpus(t *testing.T) {
	files := loadCorpus(t)
	total, falseMatches := 0, 0
	for name, f := range files {
		total += len(f.Scenarios)
		falseMatches += runCorpusFile(t, name, f)
	}
	if falseMatches != 0 {
		t.Errorf("%d false matches", falseMatches)
	}
	if total < 300 {
		t.Errorf("corpus has %d scenarios, want at least 300", total)
	}
}

// runCorpusFile builds the file's index, decides all its contacts in one
// batch and checks every verdict; it returns the false matches: a contact
// matched to a record its scenario does not expect.
func runCorpusFile(t *testing.T, file string, f corpusFile) (falseMatches int) {
	props := vendorProperties[f.Account.Vendor]
	if props == nil {
		t.Fatalf("%s: unknown vendor %q", file, f.Account.Vendor)
	}
	ix := New(0)
	type contactAt struct{ s, c int }
	var numbers []normalize.Result
	var at []contactAt
	for si, s := range f.Scenarios {
		var gotUnreadable []string
		for _, r := range s.Records {
			rec := crm.IndexedRecord{ID: recordID(si, r.ID), Country: r.Country, Archived: r.Archived, Phones: r.Phones}
			for i, v := range r.Phones {
				// As the HubSpot client marks its WhatsApp field.
				r.Phones[i].WhatsApp = v.Property == "hs_whatsapp_phone_number"
				if !slices.Contains(props, v.Property) || (f.Account.Vendor == "intercom" && v.Calculated != "") {
					t.Errorf("%s: %s: %s has no property %q (or no calculated values)", file, s.Name, f.Account.Vendor, v.Property)
				}
			}
			for _, e := range ix.AddRecord(rec, f.Account.DefaultRegion) {
				gotUnreadable = append(gotUnreadable, fmt.Sprintf("%s/%s/%s", r.ID, e.Property, e.Reason))
			}
		}
		var wantUnreadable []string
		for _, u := range s.Unreadable {
			wantUnreadable = append(wantUnreadable, fmt.Sprintf("%s/%s/%s", u.Record, u.Property, u.Reason))
		}
		if !unreadableMatch(gotUnreadable, wantUnreadable) {
			t.Errorf("%s: %s: unreadable values %v, want %v", file, s.Name, gotUnreadable, wantUnreadable)
		}
		for ci, c := range s.Contacts {
			region := c.Region
			if region == "" {
				region = f.Account.DefaultRegion
			}
			n := normalize.Number(c.Raw, region)
			checkContactNumber(t, file, s.Name, n, c.Expect)
			numbers = append(numbers, n)
			at = append(at, contactAt{si, ci})
		}
	}
	verdicts := Decide(ix, numbers)
	for i, v := range verdicts {
		s := f.Scenarios[at[i].s]
		c := s.Contacts[at[i].c]
		want := c.Expect
		for _, id := range v.Records {
			if !strings.HasPrefix(id, fmt.Sprintf("%03d/", at[i].s)) || !slices.Contains(expectedIDs(at[i].s, want), id) {
				falseMatches++
				t.Errorf("%s: %s: contact %q FALSE MATCH with record %s (%+v)", file, s.Name, c.Raw, id, v.Hits)
			}
		}
		if msg := verdictDiff(v, want, at[i].s, numbers, verdicts); msg != "" {
			t.Errorf("%s: %s: contact %q: %s", file, s.Name, c.Raw, msg)
		}
	}
	return falseMatches
}

// unreadableMatch compares "record/property/reason" lists, where an
// expected reason "" accepts any.
func unreadableMatch(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	used := make([]bool, len(got))
	for _, w := range want {
		found := false
		for i, g := range got {
			if !used[i] && (g == w || (strings.HasSuffix(w, "/") && strings.HasPrefix(g, w))) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// checkContactNumber keeps the corpus honest: a contact expected to sync
// has a number the numbering plan calls valid.
func checkContactNumber(t *testing.T, file, name string, n normalize.Result, want expect) {
	t.Helper()
	if want.Status == StatusInvalid {
		return
	}
	pn, err := phonenumbers.Parse(n.E164, "")
	if !n.Valid || err != nil || !phonenumbers.IsValidNumber(pn) {
		t.Errorf("%s: %s: contact %q is not a valid number (%s)", file, name, n.Raw, n.Reason)
	}
}

func expectedIDs(s int, want expect) []string {
	var ids []string
	if want.Record != "" {
		ids = append(ids, recordID(s, want.Record))
	}
	for _, r := range want.Records {
		ids = append(ids, recordID(s, r))
	}
	return ids
}

func verdictDiff(v Verdict, want expect, s int, numbers []normalize.Result, all []Verdict) string {
	if v.Status != want.Status {
		return fmt.Sprintf("status %s (records %v, reason %s), want %s", v.Status, v.Records, v.Reason, want.Status)
	}
	switch want.Status {
	case StatusExists:
		h := v.Hit
		if h.RecordID != recordID(s, want.Record) || h.Property != want.Property || h.Raw != want.Raw {
			return fmt.Sprintf("matched %s %s %q, want %s %s %q", h.RecordID, h.Property, h.Raw, want.Record, want.Property, want.Raw)
		}
	case StatusAmbiguous:
		wantIDs := expectedIDs(s, want)
		slices.Sort(wantIDs)
		if !slices.Equal(v.Records, wantIDs) {
			return fmt.Sprintf("ambiguous between %v, want %v", v.Records, wantIDs)
		}
	case StatusDuplicate:
		if of := numbers[v.DuplicateOf].Raw; of != want.Of || all[v.DuplicateOf].Status == StatusDuplicate {
			return fmt.Sprintf("duplicate of %q, want %q", of, want.Of)
		}
	case StatusInvalid:
		if want.Reason != "" && v.Reason != want.Reason {
			return fmt.Sprintf("invalid for %s, want %s", v.Reason, want.Reason)
		}
	}
	return ""
}

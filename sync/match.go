package sync

import (
	"context"
	"slices"
	"strings"
	gosync "sync"

	"coexsync/crm"
	"coexsync/sync/normalize"
	"coexsync/sync/phoneindex"
)

// findRecords looks every number up in the CRM, Limits().FindBatch at a
// time with at most conc searches in flight, and returns the distinct
// records found.
func (e *Engine) findRecords(ctx context.Context, numbers []string, conc int) ([]crm.Record, error) {
	numbers = uniqueStrings(numbers)
	var (
		mu   gosync.Mutex
		seen = map[string]bool{}
		recs []crm.Record
	)
	err := forEachBatch(ctx, len(numbers), e.CRM.Limits().FindBatch, conc, func(ctx context.Context, lo, hi int) error {
		found, err := e.CRM.FindByPhones(ctx, numbers[lo:hi])
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for _, r := range found {
			if r.ID != "" && !seen[r.ID] {
				seen[r.ID] = true
				recs = append(recs, r)
			}
		}
		return nil
	})
	return recs, err
}

// subject is one contact to match: the E.164 forms it may be stored under.
type subject struct {
	candidates []string
}

// matchRecords returns, per subject, the distinct records holding one of
// its candidates. A record's phones are free text, read by the same rules
// as the local index (phoneindex.Keys): international when written so,
// else in the record's own country, else in region, the CRM account's
// region — never the contact's country,
// which merged strangers whose national digits agree — and never through an
// extension.
func matchRecords(subs []subject, recs []crm.Record, region string) [][]crm.Record {
	byKey := map[string][]int{}
	for i, s := range subs {
		for _, c := range s.candidates {
			byKey[c] = append(byKey[c], i)
		}
	}
	out := make([][]crm.Record, len(subs))
	for _, rec := range recs {
		for _, phone := range rec.Phones {
			if calculatedFromDeskLine(phone, rec.Phones) {
				continue
			}
			for _, e := range phoneindex.Read(crm.PhoneValue{Property: "phone", Raw: phone}, rec.Country, region) {
				if !e.Readable() {
					continue
				}
				for _, k := range append([]string{e.E164}, e.Candidates...) {
					for _, i := range byKey[k] {
						if !slices.ContainsFunc(out[i], func(r crm.Record) bool { return r.ID == rec.ID }) {
							out[i] = append(out[i], rec)
						}
					}
				}
			}
		}
	}
	return out
}

// calculatedFromDeskLine reports whether phone is the vendor's E.164 of a
// desk line the same record holds: a search answer carries HubSpot's
// hs_calculated_phone_number, which drops "x12" from "+1 415 734 2671 x12",
// beside the raw value, and matching it would merge the contact into the
// desk line's owner.
func calculatedFromDeskLine(phone string, phones []string) bool {
	nsn := normalize.NationalDigits(phone)
	if len(nsn) < 6 {
		return false
	}
	for _, other := range phones {
		if other != phone && normalize.HasExtension(other) && strings.Contains(phoneindex.Digits(other), nsn) {
			return true
		}
	}
	return false
}

func uniqueStrings(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := make([]string, 0, len(in))
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

package sync

import (
	"context"
	"slices"
	"strings"
	gosync "sync"

	"coexsync/crm"
	"coexsync/sync/normalize"
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

// subject is one contact to match: the E.164 forms it may be stored under
// and the region its own number belongs to.
type subject struct {
	candidates []string
	region     string
}

// tailDigits is how many trailing digits index the candidates: enough to
// tell numbers apart, few enough to survive any national formatting.
const tailDigits = 7

// matchRecords returns, per subject, the distinct records holding one of
// its candidates. A record's phones are free text, so each is normalized
// in the subject's region before comparing: a search hit on national
// digits can belong to another country and must not count.
func matchRecords(subs []subject, recs []crm.Record) [][]crm.Record {
	// Index only the subjects a record can match: plans are large, the
	// records found are few.
	tails := map[string]bool{}
	for _, rec := range recs {
		for _, phone := range rec.Phones {
			tails[tail(leadingDigits(phone))] = true
		}
	}
	byE164 := map[string][]int{}
	byTail := map[string][]int{}
	for i, s := range subs {
		for _, c := range s.candidates {
			if t := tail(c); tails[t] {
				byE164[c] = append(byE164[c], i)
				byTail[t] = append(byTail[t], i)
			}
		}
	}
	out := make([][]crm.Record, len(subs))
	cache := map[[2]string]normalize.Result{}
	norm := func(phone, region string) normalize.Result {
		k := [2]string{phone, region}
		res, ok := cache[k]
		if !ok {
			res = normalize.Number(phone, region)
			cache[k] = res
		}
		return res
	}
	for _, rec := range recs {
		for _, phone := range rec.Phones {
			for _, region := range regionsToTry(phone, subs, byTail) {
				res := norm(phone, region)
				if !res.Valid {
					continue
				}
				for _, i := range byE164[res.E164] {
					if region != "" && subs[i].region != region {
						continue
					}
					if !slices.ContainsFunc(out[i], func(r crm.Record) bool { return r.ID == rec.ID }) {
						out[i] = append(out[i], rec)
					}
				}
			}
		}
	}
	return out
}

// regionsToTry lists the region hints phone is normalized with. A number
// written with "+" is the same in every region, so one parse does; a
// national one is tried in the regions of the subjects whose candidates
// end in the same digits (usually one).
func regionsToTry(phone string, subs []subject, byTail map[string][]int) []string {
	if strings.HasPrefix(strings.TrimSpace(phone), "+") {
		return []string{""}
	}
	var regions []string
	for _, i := range byTail[tail(leadingDigits(phone))] {
		if r := subs[i].region; !slices.Contains(regions, r) {
			regions = append(regions, r)
		}
	}
	return regions
}

// leadingDigits is the digits of phone up to the first letter, so an
// extension ("x12", "ext. 12") does not shift the tail.
func leadingDigits(phone string) string {
	var b strings.Builder
	for _, r := range phone {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			return b.String()
		}
	}
	return b.String()
}

func tail(digits string) string {
	digits = strings.TrimPrefix(digits, "+")
	if len(digits) > tailDigits {
		return digits[len(digits)-tailDigits:]
	}
	return digits
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

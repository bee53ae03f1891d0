package sync

import (
	"context"
	"fmt"
	"testing"

	"coexsync/store"
)

// mixedContacts builds n Business App contacts across countries, with a
// share already in crm under other formatting, duplicates and bad numbers.
func mixedContacts(n int, fc *fakeCRM) []store.Contact {
	formats := []string{"1415%07d", "55119%08d", "52155%08d", "4479%08d", "9198%08d", "49151%08d"}
	cs := make([]store.Contact, n)
	for i := range cs {
		phone := fmt.Sprintf(formats[i%len(formats)], 2000000+i)
		switch {
		case i%100 == 1:
			phone = "12" // too short
		case i%100 == 2:
			phone = cs[i-2].Phone // duplicate
		case i%10 == 3:
			fc.seed("", "+"+phone) // already in the CRM, no name
		}
		cs[i] = store.Contact{ID: int64(i + 1), NumberID: testNumber, Key: phone, Phone: phone, FullName: fmt.Sprintf("Contact %d", i)}
	}
	return cs
}

func BenchmarkPlan100k(b *testing.B) {
	db := openStore(b)
	fc := newFakeCRM()
	cs := mixedContacts(100_000, fc)
	e := &Engine{Store: db, CRM: fc}
	ctx := context.Background()
	var p *Plan
	for b.Loop() {
		var err error
		if p, err = e.PlanContacts(ctx, testNumber, "US", cs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(p.Counts[StatusCreate]), "create")
	b.ReportMetric(float64(p.Counts[StatusExists]), "exists")
	b.ReportMetric(float64(p.Counts[StatusInvalid]), "invalid")
	b.ReportMetric(float64(p.Counts[StatusDuplicate]), "duplicate")
}

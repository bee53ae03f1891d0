package screens

import (
	"testing"

	"coexsync/ui/internal/uitest"
)

// BenchmarkPreparePreview is the command that indexes a plan for the
// preview, off the UI goroutine (ui's BenchmarkPlanArrival reports it as
// bg-ns/op, beside what the UI goroutine does).
func BenchmarkPreparePreview(b *testing.B) {
	for _, n := range []struct {
		name string
		rows int
	}{{"100k", 100_000}, {"1M", 1_000_000}} {
		b.Run(n.name, func(b *testing.B) {
			rows := uitest.MakePlan("1001", "BR", n.rows).Rows
			for b.Loop() {
				newPlanView(rows)
			}
		})
	}
}

// BenchmarkSortOrder is the command computing a sort's order the first
// time it is chosen.
func BenchmarkSortOrder(b *testing.B) {
	for _, n := range []struct {
		name string
		rows int
	}{{"100k", 100_000}, {"1M", 1_000_000}} {
		v := newPlanView(uitest.MakePlan("1001", "BR", n.rows).Rows)
		for k := 1; k < len(planSorts); k++ {
			b.Run(n.name+"/"+planSorts[k], func(b *testing.B) {
				for b.Loop() {
					v.order(k)
				}
			})
		}
	}
}

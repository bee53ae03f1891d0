package screens

import (
	"strings"
	"testing"

	engine "coexsync/sync"
	"coexsync/ui/internal/uitest"
)

// naive is the filter written the obvious way, to check the fast one.
func naive(v *planView) []int32 {
	var out []int32
	for _, i := range v.order() {
		r := &v.rows[i]
		want := rowStatuses[v.status]
		line := searchText(rowName(r) + "\t" + rowRaw(r) + "\t" + r.Number.E164 + "\t" + matchStatus(r))
		if (want == "" || r.Status == want) && strings.Contains(line, v.text) {
			out = append(out, i)
		}
	}
	return out
}

func TestPlanViewFilterMatchesNaive(t *testing.T) {
	v := newPlanView(uitest.MakePlan("1001", "BR", 500).Rows)
	for _, q := range []string{"", "a", "ana", "ANA 1", "+55119", "exists #50", "invalid: too", "1\t", "malicious", "zzz", "9 ", "\x1b[2j"} {
		for st := range rowStatuses {
			for so := range planSorts {
				v.status, v.sort = st, so
				v.setText(q)
				got, want := v.idx, naive(v)
				if len(got) != len(want) {
					t.Fatalf("q=%q status=%d sort=%d: %d rows, want %d", q, st, so, len(got), len(want))
				}
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("q=%q status=%d sort=%d: row %d is %d, want %d", q, st, so, i, got[i], want[i])
					}
				}
			}
		}
	}
}

func TestPlanViewSortAndCells(t *testing.T) {
	v := newPlanView(uitest.MakePlan("1001", "BR", 12).Rows)
	v.cycleSort() // name
	if v.Cell(0, 0) != "Ana 0" || v.Cell(1, 0) != "Ana 10" || v.Cell(2, 0) != "Bruno 11" {
		t.Fatalf("name sort starts %q %q %q", v.Cell(0, 0), v.Cell(1, 0), v.Cell(2, 0))
	}
	v.cycleSort() // status
	if v.Row(0).Status != engine.StatusAmbiguous || v.Row(v.Len()-1).Status != engine.StatusInvalid {
		t.Fatalf("status sort: first %s last %s", v.Row(0).Status, v.Row(v.Len()-1).Status)
	}
	cases := map[int]string{0: "create", 2: "exists #502 (+name)", 3: "ambiguous (2 records)", 4: "invalid: too_short", 5: "duplicate of 5"}
	for i, want := range cases {
		if got := matchStatus(&v.rows[i]); got != want {
			t.Errorf("row %d status %q, want %q", i, got, want)
		}
	}
}

func TestPlanViewRefilterDoesNotAllocate(t *testing.T) {
	v := newPlanView(uitest.MakePlan("1001", "BR", 10_000).Rows)
	v.text = "ana"
	if n := testing.AllocsPerRun(20, v.refilter); n != 0 {
		t.Fatalf("refilter allocates %.0f times per key", n)
	}
}

func FuzzPlanViewFilter(f *testing.F) {
	v := newPlanView(uitest.MakePlan("1001", "BR", 60).Rows)
	for _, s := range []string{"a", "ana 1", "\n", "#5", "invalid", "é", "\x00"} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, q string, status uint8) {
		v.status = int(status) % len(rowStatuses)
		v.setText(q)
		got, want := v.idx, naive(v)
		if len(got) != len(want) {
			t.Fatalf("q=%q: %d rows, want %d", q, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("q=%q: row %d is %d, want %d", q, i, got[i], want[i])
			}
		}
	})
}

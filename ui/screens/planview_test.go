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
		line := searchText(rowName(r) + "\t" + rowRaw(r) + "\t" + r.Number.E164 + "\t" + v.matchStatus(r))
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
	cases := map[int]string{0: "create", 2: "exists #502 (+name)", 3: "ambiguous: #1, #2", 4: "invalid: too_short",
		5: "duplicate of Elisa 4, 05511"}
	for i, want := range cases {
		if got := v.matchStatus(&v.rows[i]); got != want {
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

func TestPlanViewFilterIgnoresAccentsAndCase(t *testing.T) {
	p := uitest.MakePlan("1001", "BR", 12)
	p.Rows[0].Contact.FullName = "María Lopes"
	p.Rows[6].Contact.FullName = ""
	v := newPlanView(p.Rows)
	for _, q := range []string{"maria", "MARÍA", "María"} {
		v.setText(q)
		if v.Len() != 1 || v.Cell(0, 0) != "María Lopes" {
			t.Fatalf("filter %q: %d rows", q, v.Len())
		}
	}
	v.setText("(no name)")
	if v.Len() != 1 || v.Cell(0, 0) != "(no name)" {
		t.Fatalf("nameless contact: %d rows", v.Len())
	}
}

func TestPlanViewDetailSaysWhy(t *testing.T) {
	p := uitest.MakePlan("1001", "BR", 12)
	p.Rows[2].RecordName, p.Rows[2].MatchProperty, p.Rows[2].MatchValue = "", "mobilephone", "(11) 9000-0002"
	v := newPlanView(p.Rows)
	for i, want := range map[int]string{
		2: `Matches CRM record #502 (no name in the CRM): mobilephone stored as "(11) 9000-0002"; the WhatsApp name will be written.`,
		3: "2 CRM records hold this number (#1, #2): skipped; merge them in the CRM.",
		5: "Same number as Elisa 4, 05511, which is synced instead.",
	} {
		if got := v.detail(i); got != want {
			t.Errorf("row %d detail %q, want %q", i, got, want)
		}
	}
}

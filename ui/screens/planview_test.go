package screens

import (
	"cmp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	engine "coexsync/sync"
	"coexsync/ui/internal/uitest"
)

// naive is the filter written the obvious way, to check the fast one.
func naive(v *planView) []int32 {
	var out []int32
	for _, i := range v.orders[v.shown] {
		r := &v.rows[i]
		want := rowStatuses[v.status]
		line := searchText(rowName(r) + "\t" + r.Raw() + "\t" + r.Number.E164 + "\t" + v.matchStatus(r))
		if (want == "" || r.Status == want) && strings.Contains(line, v.text) {
			out = append(out, i)
		}
	}
	return out
}

func TestPlanViewFilterMatchesNaive(t *testing.T) {
	t.Parallel()
	v := newPlanView(uitest.MakePlan("1001", "BR", 500).Rows)
	for _, q := range []string{"", "a", "ana", "ANA 1", "+55119", "exists #50", "invalid: too", "1\t", "malicious", "zzz", "9 ", "\x1b[2j"} {
		for st := range rowStatuses {
			for so := range planSorts {
				v.status = st
				sortNow(v, so)
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

// sortNow shows sort k at once, computing its order here rather than in
// the command a key press returns.
func sortNow(v *planView, k int) {
	v.sort = k
	if v.orders[k] == nil {
		v.orders[k] = v.order(k)
	}
	v.shown = k
	v.refilter()
}

// cycleSortNow is the sort key and, if it returns one, its command's
// result arriving.
func cycleSortNow(t *testing.T, v *planView) {
	t.Helper()
	if cmd := v.cycleSort(); cmd != nil {
		msg, ok := cmd().(planSortedMsg)
		if !ok || msg.view != v || msg.sort != v.sort {
			t.Fatalf("sort command returned %#v", msg)
		}
		v.sorted(msg.sort, msg.order)
	}
}

func TestPlanViewSortAndCells(t *testing.T) {
	v := newPlanView(uitest.MakePlan("1001", "BR", 12).Rows)
	cycleSortNow(t, v) // name
	if v.Cell(0, 0) != "Ana 0" || v.Cell(1, 0) != "Ana 10" || v.Cell(2, 0) != "Bruno 11" {
		t.Fatalf("name sort starts %q %q %q", v.Cell(0, 0), v.Cell(1, 0), v.Cell(2, 0))
	}
	cycleSortNow(t, v) // status
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
	p.Rows[2].Match = &engine.RowMatch{Property: "mobilephone", Value: "(11) 9000-0002"}
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

// stableOrder is sort k done the obvious way: a stable sort comparing
// each row's key, computed afresh per comparison.
func stableOrder(rows []engine.PlanRow, k int) []int32 {
	o := make([]int32, len(rows))
	for i := range o {
		o[i] = int32(i)
	}
	key := func(r *engine.PlanRow) string {
		switch planSorts[k] {
		case "name":
			return searchText(rowName(r))
		case "status":
			return string(r.Status)
		case "E.164":
			return r.Number.E164
		}
		return ""
	}
	slices.SortStableFunc(o, func(a, b int32) int { return cmp.Compare(key(&rows[a]), key(&rows[b])) })
	return o
}

// trickyPlan has names that differ only by case or accent, repeated
// names and numbers (ties keep plan order), no name and escape codes.
func trickyPlan(n int) []engine.PlanRow {
	rows := uitest.MakePlan("1001", "BR", n).Rows
	names := []string{"Íris", "iris", "IRIS 2", "Álvaro", "alvaro", "", "Zé", "ze", "\x1b[31mAna", "ana", "Ana"}
	for i := range rows {
		if i%3 == 0 {
			rows[i].Contact.FullName = names[i%len(names)]
		}
		if i%7 == 0 {
			rows[i].Number.E164 = "+5511900000007"
		}
	}
	return rows
}

func TestPlanViewOrdersMatchStableSort(t *testing.T) {
	rows := trickyPlan(700)
	odd := slices.Clone(rows)
	odd[5].Status = "pending" // a status the status filter does not know
	for _, rows := range [][]engine.PlanRow{rows, odd} {
		v := newPlanView(rows)
		for k := range planSorts {
			if got, want := v.order(k), stableOrder(rows, k); !slices.Equal(got, want) {
				t.Fatalf("sort %s: order differs from a stable sort by key", planSorts[k])
			}
		}
	}
}

// A sort's key is made once per row when the preview is built; sorting
// then compares without allocating (the old way allocated twice per
// comparison).
func TestPlanViewSortDoesNotAllocatePerComparison(t *testing.T) {
	v := newPlanView(uitest.MakePlan("1001", "BR", 10_000).Rows)
	for k := range planSorts {
		// the order, and the keys beside their index for the sort's time
		if n := testing.AllocsPerRun(3, func() { v.order(k) }); n > 2 {
			t.Errorf("sort %s allocates %.0f times", planSorts[k], n)
		}
	}
}

// The first press of a sort returns a command computing its order; the
// rows keep their order, and the header says so, until it arrives. A
// result for a sort no longer chosen is kept for later, not shown.
func TestPlanViewSortsInACommand(t *testing.T) {
	rows := trickyPlan(60)
	v := newPlanView(rows)
	byName := v.cycleSort()
	if byName == nil {
		t.Fatal("first press of the name sort computed it on the UI goroutine")
	}
	if !slices.Equal(v.idx, stableOrder(rows, 0)) {
		t.Fatal("rows moved before the name order arrived")
	}
	if d := v.describe(); !strings.Contains(d, "sort: plan ↑ · sorting by name…") {
		t.Fatalf("header while sorting: %q", d)
	}
	byStatus := v.cycleSort() // pressed again before the name order is in
	if byStatus == nil {
		t.Fatal("no command for the status sort")
	}
	nameMsg := byName().(planSortedMsg)
	if v.sorted(nameMsg.sort, nameMsg.order) || !slices.Equal(v.idx, stableOrder(rows, 0)) {
		t.Fatal("the name order was shown though status is the sort chosen")
	}
	if d := v.describe(); !strings.Contains(d, "sorting by status…") {
		t.Fatalf("header after a stale result: %q", d)
	}
	statusMsg := byStatus().(planSortedMsg)
	if !v.sorted(statusMsg.sort, statusMsg.order) || !slices.Equal(v.idx, stableOrder(rows, 2)) {
		t.Fatal("status order not shown when it arrived")
	}
	if d := v.describe(); !strings.Contains(d, "sort: status ↑") || strings.Contains(d, "sorting") {
		t.Fatalf("header once sorted: %q", d)
	}
	cycleSortNow(t, v) // E.164
	if v.cycleSort() != nil || v.cycleSort() != nil {
		t.Fatal("plan and name orders are known: no command needed")
	}
	if v.sort != 1 || !slices.Equal(v.idx, stableOrder(rows, 1)) {
		t.Fatal("the name order kept from the stale result is not shown")
	}
}

// Pressing the sort key round the whole cycle while an order is still
// being computed starts no second computation of it.
func TestPlanViewSortNotComputedTwice(t *testing.T) {
	v := newPlanView(trickyPlan(30))
	cmds := 0
	for range 2 * len(planSorts) {
		if v.cycleSort() != nil {
			cmds++
		}
	}
	if cmds != len(planSorts)-1 {
		t.Fatalf("%d commands for %d sorts to compute", cmds, len(planSorts)-1)
	}
}

// Keys pressed while an order is computed act on the rows in view; the
// order arriving then keeps the filters. The command runs on another
// goroutine, as in the program (go test -race checks they share nothing
// unsafely).
func TestPlanViewKeysWhileSorting(t *testing.T) {
	for k := 1; k < len(planSorts); k++ {
		v := newPlanView(trickyPlan(3000))
		for range k - 1 {
			cycleSortNow(t, v)
		}
		cmd := v.cycleSort()
		done := make(chan tea.Msg)
		go func() { done <- cmd() }()
		v.setText("ana")
		v.cycleStatus()
		v.reverse()
		if want := naive(v); !slices.Equal(v.idx, reversed(want)) {
			t.Fatalf("sort %s: keys while sorting: %d rows, want %d", planSorts[k], len(v.idx), len(want))
		}
		msg := (<-done).(planSortedMsg)
		if !v.sorted(msg.sort, msg.order) {
			t.Fatalf("sort %s: not shown when it arrived", planSorts[k])
		}
		if want := naive(v); v.shown != k || !slices.Equal(v.idx, reversed(want)) || len(want) == 0 {
			t.Fatalf("sort %s: %d rows after sorting, want %d", planSorts[k], len(v.idx), len(want))
		}
	}
}

// reversed is the rows naive lists, last first (naive ignores desc).
func reversed(rows []int32) []int32 {
	out := slices.Clone(rows)
	slices.Reverse(out)
	return out
}

// A row's line is made part by part where it can be: it must be the
// search text of the whole line, and its name key that of the name.
func FuzzPlanViewRowText(f *testing.F) {
	for _, s := range []string{"Ana Lima", "Íris", "http://u:p@host", "a\tb", "x\x1b]0;t", "\x1b", "e\u0301",
		"\ufffd", "\xff", "İ", "ß ΣΑΣ", "a://", " ", "Zé\u202e", "ÀÉÎÕÜ çñ ǅǈǱ ẞ ı ĲŒ", "Ǖe\u0301ǘ", "Łódź Ørsted Þór"} {
		f.Add(s, "5511900000000")
	}
	f.Add("Ana", "://x@")
	f.Fuzz(func(t *testing.T, name, raw string) {
		rows := uitest.MakePlan("1001", "BR", 6).Rows
		for i := range rows {
			rows[i].Contact.FullName, rows[i].Contact.Phone = name, raw
		}
		v := newPlanView(rows)
		for i := range rows {
			r := &rows[i]
			want := searchText(rowName(r) + "\t" + r.Raw() + "\t" + r.Number.E164 + "\t" + v.matchStatus(r))
			if got := v.blob[v.starts[i] : v.starts[i+1]-1]; got != want {
				t.Fatalf("row %d line %q, want %q", i, got, want)
			}
			if got, want := v.names[v.nameAt[i]:v.nameAt[i+1]], searchText(rowName(r)); got != want {
				t.Fatalf("row %d name key %q, want %q", i, got, want)
			}
		}
	})
}

// A duplicate names the contact it duplicates whatever the rows' order:
// by binary search when the plan lists contacts by id (no map then), by
// a map when not.
func TestPlanViewDuplicateLabelsAnyOrder(t *testing.T) {
	rows := uitest.MakePlan("1001", "BR", 60).Rows
	rows[11].DuplicateOf = 999 // not in the plan
	byID := newPlanView(rows)
	if byID.byID != nil {
		t.Fatal("a map of ids was built for rows listed by id")
	}
	want := map[int64]string{}
	for i := range rows {
		want[rows[i].Contact.ID] = byID.matchStatus(&rows[i])
	}
	if got := want[rows[5].Contact.ID]; got != "duplicate of Elisa 4, 05511" {
		t.Fatalf("row 5: %q", got)
	}
	if got := want[12]; got != "duplicate of a contact not in this plan" {
		t.Fatalf("row 11: %q", got)
	}
	shuffled := slices.Clone(rows)
	slices.Reverse(shuffled)
	v := newPlanView(shuffled)
	for i := range shuffled {
		if got := v.matchStatus(&shuffled[i]); got != want[shuffled[i].Contact.ID] {
			t.Fatalf("contact %d: %q, want %q", shuffled[i].Contact.ID, got, want[shuffled[i].Contact.ID])
		}
	}
}

// appendSearchText folds Latin letters from a table: every pair of them,
// with ASCII and combining marks (which take the long way), must fold as
// searchText does.
func TestAppendSearchTextMatchesSearchText(t *testing.T) {
	t.Parallel()
	// Every rune alone, and every pair of the runes folded from the table:
	// a string holding any other rune is folded by searchText itself.
	var table []rune
	for r := rune(0x20); r < 0x370; r++ {
		if !plainText(string(r)) {
			continue
		}
		check := func(rs ...rune) {
			s := string(append(rs, 'X'))
			if got, want := string(appendSearchText(nil, s)), searchText(s); got != want {
				t.Fatalf("%q folds to %q, want %q", s, got, want)
			}
		}
		check(r)
		if r >= utf8.RuneSelf && (r >= latinEnd || latinFold[r] == "") {
			continue
		}
		table = append(table, r)
		for _, a := range table {
			check(a, r)
			check(r, a)
		}
	}
}

package screens

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	engine "coexsync/sync"
	"coexsync/ui/safe"
)

// rowStatuses is the status filter cycle; "" is all.
var rowStatuses = []engine.RowStatus{"", engine.StatusCreate, engine.StatusExists,
	engine.StatusAmbiguous, engine.StatusInvalid, engine.StatusDuplicate}

// planSorts are the sort orders the sort key cycles through.
var planSorts = []string{"plan", "name", "status", "E.164"}

// planView is the filtered, sorted window over a plan's rows. The search
// text of all rows is built once into one string, so a text filter is a
// few fast substring scans rather than one per row; a key press only
// rebuilds the index slice, reusing its memory.
type planView struct {
	rows   []engine.PlanRow
	blob   string    // lower-case search text of every row, one per line
	starts []int     // offset of each row's line in blob, plus the end
	codes  []uint8   // each row's index in rowStatuses
	match  []bool    // scratch: rows matching the text filter
	orders [][]int32 // per sort, built on first use
	idx    []int32   // visible rows, in display order
	status int       // index into rowStatuses
	sort   int       // index into planSorts
	text   string    // lower-case filter
}

func newPlanView(rows []engine.PlanRow) *planView {
	v := &planView{rows: rows, starts: make([]int, 0, len(rows)+1), codes: make([]uint8, len(rows)),
		match: make([]bool, len(rows)), orders: make([][]int32, len(planSorts))}
	var b strings.Builder
	for i := range rows {
		r := &rows[i]
		v.starts = append(v.starts, b.Len())
		// safe.Text drops line breaks, so a row never spans two lines.
		b.WriteString(searchText(rowName(r) + "\t" + rowRaw(r) + "\t" + r.Number.E164 + "\t" + matchStatus(r)))
		b.WriteByte('\n')
		v.codes[i] = uint8(slices.Index(rowStatuses, r.Status))
	}
	v.starts = append(v.starts, b.Len())
	v.blob = b.String()
	v.refilter()
	return v
}

// searchText is how rows and queries are compared: as displayed, any case.
func searchText(s string) string { return strings.ToLower(safe.Text(s)) }

func (v *planView) Len() int { return len(v.idx) }

func (v *planView) Row(i int) *engine.PlanRow { return &v.rows[v.idx[i]] }

func (v *planView) Cell(r, c int) string {
	row := v.Row(r)
	switch c {
	case 0:
		return rowName(row)
	case 1:
		return rowRaw(row)
	case 2:
		return row.Number.E164
	}
	return matchStatus(row)
}

// setText filters by a substring of name, raw number, E.164 or status.
func (v *planView) setText(s string) {
	v.text = searchText(s)
	v.refilter()
}

func (v *planView) cycleStatus() {
	v.status = (v.status + 1) % len(rowStatuses)
	v.refilter()
}

func (v *planView) cycleSort() {
	v.sort = (v.sort + 1) % len(planSorts)
	v.refilter()
}

func (v *planView) refilter() {
	if v.text != "" {
		v.matchText()
	}
	want := uint8(v.status)
	v.idx = v.idx[:0]
	for _, i := range v.order() {
		if want != 0 && v.codes[i] != want {
			continue
		}
		if v.text != "" && !v.match[i] {
			continue
		}
		v.idx = append(v.idx, i)
	}
}

// matchText marks the rows whose line holds the filter text.
func (v *planView) matchText() {
	clear(v.match)
	row := 0
	for at := 0; at < len(v.blob); {
		j := strings.Index(v.blob[at:], v.text)
		if j < 0 {
			return
		}
		// Hits come in order: walk forward to the row holding this one.
		for v.starts[row+1] <= at+j {
			row++
		}
		v.match[row] = true
		at = v.starts[row+1]
	}
}

// order is the row order of the current sort, computed once per sort.
func (v *planView) order() []int32 {
	if o := v.orders[v.sort]; o != nil {
		return o
	}
	o := make([]int32, len(v.rows))
	for i := range o {
		o[i] = int32(i)
	}
	key := func(r *engine.PlanRow) string {
		switch planSorts[v.sort] {
		case "name":
			return strings.ToLower(rowName(r))
		case "status":
			return string(r.Status)
		case "E.164":
			return r.Number.E164
		}
		return ""
	}
	if v.sort != 0 {
		slices.SortStableFunc(o, func(a, b int32) int {
			return cmp.Compare(key(&v.rows[a]), key(&v.rows[b]))
		})
	}
	v.orders[v.sort] = o
	return o
}

// describe is the filter state for the header.
func (v *planView) describe() string {
	st := string(rowStatuses[v.status])
	if st == "" {
		st = "all"
	}
	return fmt.Sprintf("showing %d/%d · status: %s · sort: %s", len(v.idx), len(v.rows), st, planSorts[v.sort])
}

func rowName(r *engine.PlanRow) string {
	if r.Contact.FullName != "" {
		return r.Contact.FullName
	}
	return r.Contact.FirstName
}

func rowRaw(r *engine.PlanRow) string {
	if r.Number.Raw != "" {
		return r.Number.Raw
	}
	return r.Contact.Key
}

// matchStatus is the plan's decision for a row in words.
func matchStatus(r *engine.PlanRow) string {
	switch r.Status {
	case engine.StatusExists:
		s := "exists #" + r.RecordID
		if r.FillName {
			s += " (+name)"
		}
		return s
	case engine.StatusAmbiguous:
		return fmt.Sprintf("ambiguous (%d records)", len(r.Matches))
	case engine.StatusInvalid:
		return "invalid: " + r.Reason
	case engine.StatusDuplicate:
		return fmt.Sprintf("duplicate of %d", r.DuplicateOf)
	}
	return string(r.Status)
}

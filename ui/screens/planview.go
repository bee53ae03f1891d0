package screens

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"charm.land/lipgloss/v2"

	engine "coexsync/sync"
	"coexsync/ui/common"
	"coexsync/ui/components"
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
	blob   string          // lower-case search text of every row, one per line
	starts []int           // offset of each row's line in blob, plus the end
	codes  []uint8         // each row's index in rowStatuses
	match  []bool          // scratch: rows matching the text filter
	orders [][]int32       // per sort, built on first use
	idx    []int32         // visible rows, in display order
	byID   map[int64]int32 // row of each contact id: duplicates name theirs
	status int             // index into rowStatuses
	sort   int             // index into planSorts
	desc   bool            // the sort reversed
	text   string          // lower-case filter
	// styles colour the match column by status; without colour
	// (styles.Plain or nil) the column starts with the status's symbol.
	styles *common.Styles
}

func newPlanView(rows []engine.PlanRow) *planView {
	v := &planView{rows: rows, starts: make([]int, 0, len(rows)+1), codes: make([]uint8, len(rows)),
		match: make([]bool, len(rows)), orders: make([][]int32, len(planSorts)),
		byID: make(map[int64]int32, len(rows))}
	for i := range rows {
		v.byID[rows[i].Contact.ID] = int32(i)
	}
	var b strings.Builder
	for i := range rows {
		r := &rows[i]
		v.starts = append(v.starts, b.Len())
		// safe.Text drops line breaks, so a row never spans two lines.
		b.WriteString(searchText(rowName(r) + "\t" + rowRaw(r) + "\t" + r.Number.E164 + "\t" + v.matchStatus(r)))
		b.WriteByte('\n')
		v.codes[i] = uint8(slices.Index(rowStatuses, r.Status))
	}
	v.starts = append(v.starts, b.Len())
	v.blob = b.String()
	v.refilter()
	return v
}

// searchText is how rows and queries are compared: as displayed, any
// case, any accent ("maria" finds "María").
func searchText(s string) string {
	s = strings.ToLower(safe.Text(s))
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return foldAccents(s)
		}
	}
	return s
}

// foldAccents drops combining marks after decomposing s.
func foldAccents(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

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
	if v.styles == nil || v.styles.Plain {
		return common.PlanSymbol(string(row.Status)) + " " + v.matchStatus(row)
	}
	return v.matchStatus(row)
}

// CellStyle colours the match column by the row's status.
func (v *planView) CellStyle(r, c int) (lipgloss.Style, bool) {
	if c != 3 || v.styles == nil || v.styles.Plain {
		return lipgloss.Style{}, false
	}
	st, ok := v.styles.PlanStatus[string(v.Row(r).Status)]
	return st, ok
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

// reverse flips the sort's direction.
func (v *planView) reverse() {
	v.desc = !v.desc
	v.refilter()
}

func (v *planView) refilter() {
	if v.text != "" {
		v.matchText()
	}
	want := uint8(v.status)
	v.idx = v.idx[:0]
	order := v.order()
	for k := range order {
		i := order[k]
		if v.desc {
			i = order[len(order)-1-k]
		}
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
			return searchText(rowName(r)) // any case, any accent: Íris after Hugo
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
	dir := " ↑"
	if v.desc {
		dir = " ↓"
	}
	return fmt.Sprintf("showing %d/%d · status: %s · sort: %s%s", len(v.idx), len(v.rows), st, planSorts[v.sort], dir)
}

// rowName is the contact's name, "(no name)" when WhatsApp gave none.
func rowName(r *engine.PlanRow) string {
	return components.NameOr(strings.TrimSpace(cmp.Or(r.Contact.FullName, r.Contact.FirstName)))
}

func rowRaw(r *engine.PlanRow) string {
	if r.Number.Raw != "" {
		return r.Number.Raw
	}
	return r.Contact.Key
}

// matchStatus is the plan's decision for a row in words.
func (v *planView) matchStatus(r *engine.PlanRow) string {
	switch r.Status {
	case engine.StatusExists:
		s := "exists #" + r.RecordID
		if r.FillName {
			s += " (+name)"
		}
		return s
	case engine.StatusAmbiguous:
		ids := make([]string, len(r.Matches))
		for i, m := range r.Matches {
			ids[i] = "#" + m.ID
		}
		return "ambiguous: " + strings.Join(ids, ", ")
	case engine.StatusInvalid:
		return "invalid: " + r.Reason
	case engine.StatusDuplicate:
		return "duplicate of " + v.contactLabel(r.DuplicateOf)
	}
	return string(r.Status)
}

// contactLabel is a contact of the plan as "name, number".
func (v *planView) contactLabel(id int64) string {
	i, ok := v.byID[id]
	if !ok {
		return "a contact not in this plan"
	}
	r := &v.rows[i]
	return rowName(r) + ", " + cmp.Or(r.Number.E164, rowRaw(r))
}

// detail says why the selected row has its status.
func (v *planView) detail(i int) string {
	if i < 0 || i >= len(v.idx) {
		return ""
	}
	r := v.Row(i)
	switch r.Status {
	case engine.StatusExists:
		s := "Matches CRM record #" + r.RecordID
		if r.RecordName != "" {
			s += " (" + r.RecordName + ")"
		} else {
			s += " (no name in the CRM)"
		}
		if r.MatchProperty != "" {
			s += fmt.Sprintf(": %s stored as %q", r.MatchProperty, r.MatchValue)
		}
		if r.FillName {
			s += "; the WhatsApp name will be written"
		}
		return s + "."
	case engine.StatusAmbiguous:
		return fmt.Sprintf("%d CRM records hold this number (%s): skipped; merge them in the CRM.",
			len(r.Matches), strings.TrimPrefix(v.matchStatus(r), "ambiguous: "))
	case engine.StatusDuplicate:
		return "Same number as " + v.contactLabel(r.DuplicateOf) + ", which is synced instead."
	case engine.StatusInvalid:
		return cmp.Or(r.ReasonText, "The number cannot be read: "+r.Reason)
	case engine.StatusCreate:
		return "Not in the CRM: a contact is created."
	}
	return ""
}

// csvRows are the rows in view, as shown, with a header.
func (v *planView) csvRows() [][]string {
	out := [][]string{{"name", "raw number", "e164", "status", "match"}}
	for i := range v.idx {
		r := v.Row(i)
		out = append(out, []string{safe.Text(rowName(r)), safe.Text(rowRaw(r)), r.Number.E164,
			string(r.Status), safe.Text(v.matchStatus(r))})
	}
	return out
}

// rowDetail is the selected row's detail, safe to print.
func rowDetail(v *planView, i int) string { return safe.Text(v.detail(i)) }

// lookupLine says how existing records were found and how fresh that was.
func lookupLine(p *engine.Plan, now time.Time) string {
	var s string
	switch p.Lookup {
	case engine.LookupSearch:
		s = "Matched by the CRM's phone search (exact text): numbers the CRM stores in other formats " +
			"(national, spaces, dashes, brackets) are not seen"
	case engine.LookupIndex:
		s = fmt.Sprintf("Matched against a local index of %s CRM records", thousands(p.Index.RecordCount))
		if !p.Index.BuiltAt.IsZero() {
			s += ", built " + ago(now, p.Index.BuiltAt)
		}
		if !p.Index.Watermark.IsZero() {
			s += ", changes up to " + ago(now, p.Index.Watermark)
		}
	default:
		s = "Matched against " + safe.Text(p.CRM)
	}
	if p.CRMRegion != "" {
		s += " · national CRM numbers read as " + safe.Text(p.CRMRegion)
	}
	return s
}

// ago is how long before now t was, coarsely.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return fmt.Sprintf("%dd ago", int(d.Hours()/24))
}

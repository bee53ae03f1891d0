package screens

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	tea "charm.land/bubbletea/v2"
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

// planIndex is what the preview reads of a plan, made once off the UI
// goroutine and never changed after, so a command can sort it while the
// UI goroutine filters it. The search text of all rows is built into one
// string, so a text filter is a few fast substring scans rather than one
// per row.
type planIndex struct {
	rows   []engine.PlanRow
	blob   string          // lower-case search text of every row, one per line
	starts []int           // offset of each row's line in blob, plus the end
	codes  []uint8         // each row's index in rowStatuses
	names  string          // the name sort's keys: each row's folded name
	nameAt []int           // offset of each row's key in names, plus the end
	byID   map[int64]int32 // row of each contact id, when rows are not by id
}

// planView is the filtered, sorted window over a plan's rows. A key press
// only rebuilds the index slice, reusing its memory; a sort order is
// computed once, by a command (see cycleSort), and kept.
type planView struct {
	*planIndex
	match   []bool    // scratch: rows matching the text filter
	orders  [][]int32 // per sort, nil until computed
	sorting []bool    // per sort, its order is being computed
	idx     []int32   // visible rows, in display order
	status  int       // index into rowStatuses
	sort    int       // index into planSorts: the sort chosen
	shown   int       // the sort idx follows: sort, once its order is in
	desc    bool      // the sort reversed
	text    string    // lower-case filter
	// styles colour the match column by status; without colour
	// (styles.Plain or nil) the column starts with the status's symbol.
	styles *common.Styles
}

// newPlanView indexes rows: O(rows), so run it in a command.
func newPlanView(rows []engine.PlanRow) *planView {
	x := &planIndex{rows: rows, starts: make([]int, 0, len(rows)+1), codes: make([]uint8, len(rows)),
		nameAt: make([]int, 0, len(rows)+1)}
	// Plans list contacts by id, so a contact is found by binary search;
	// only a plan that does not needs a map.
	size, nameSize := 0, 0
	for i := range rows {
		r := &rows[i]
		if i > 0 && r.Contact.ID <= rows[i-1].Contact.ID && x.byID == nil {
			x.byID = make(map[int64]int32, len(rows))
			for j := range rows {
				x.byID[rows[j].Contact.ID] = int32(j)
			}
		}
		n := len(rowName(r))
		size += n + len(r.Raw()) + len(r.Number.E164) + 24 // status words, separators
		nameSize += n
	}
	// Lines are written into buffers sized from the rows' text (folding
	// accents only shortens it), then copied to their exact size.
	b, nb := make([]byte, 0, size), make([]byte, 0, nameSize)
	for i := range rows {
		r := &rows[i]
		x.starts = append(x.starts, len(b))
		x.nameAt = append(x.nameAt, len(nb))
		b, nb = x.appendRow(b, nb, r)
		b = append(b, '\n')
		x.codes[i] = uint8(slices.Index(rowStatuses, r.Status))
	}
	x.starts = append(x.starts, len(b))
	x.nameAt = append(x.nameAt, len(nb))
	x.blob, x.names = string(b), string(nb)
	v := &planView{planIndex: x, match: make([]bool, len(rows)),
		orders: make([][]int32, len(planSorts)), sorting: make([]bool, len(planSorts))}
	v.orders[0] = x.order(0)
	v.refilter()
	return v
}

// appendRow appends the row's line to b: the search text of its name, raw
// number, E.164 and status, tab-separated (safe.Text makes the tabs
// spaces, and drops line breaks, so a row never spans two lines); and the
// search text of its name, the name sort's key, to names (any case, any
// accent: Íris after Hugo).
func (x *planIndex) appendRow(b, names []byte, r *engine.PlanRow) ([]byte, []byte) {
	parts := [...]string{rowName(r), r.Raw(), r.Number.E164, x.matchStatus(r)}
	for _, p := range parts {
		if !plainText(p) {
			b = append(b, searchText(parts[0]+"\t"+parts[1]+"\t"+parts[2]+"\t"+parts[3])...)
			return b, append(names, searchText(parts[0])...)
		}
	}
	// Parts safe.Text leaves alone come out of the line as they would
	// alone: each part's search text, joined by spaces. The common case
	// then makes no string per row.
	for i, p := range parts {
		if i > 0 {
			b = append(b, ' ')
		}
		at := len(b)
		b = appendSearchText(b, p)
		if i == 0 {
			names = append(names, b[at:]...)
		}
	}
	return b, names
}

// plainText reports whether safe.Text leaves s as it is and no part of a
// URL could reach into the next part of a row.
func plainText(s string) bool {
	return safe.Text(s) == s && !strings.Contains(s, "://")
}

// appendSearchText appends searchText(s) of a plainText s to b: ASCII
// and accented Latin letters from a table, anything else the long way.
func appendSearchText(b []byte, s string) []byte {
	at := len(b)
	for _, r := range s {
		switch {
		case 'A' <= r && r <= 'Z':
			b = append(b, byte(r)+'a'-'A')
		case r < utf8.RuneSelf:
			b = append(b, byte(r))
		case r < latinEnd && latinFold[r] != "":
			b = append(b, latinFold[r]...)
		default:
			return append(b[:at], searchText(s)...)
		}
	}
	return b
}

// latinEnd bounds the runes latinFold covers: Latin-1 and Latin
// Extended-A and -B, the letters of most contact names.
const latinEnd = 0x250

// latinFold is searchText of each non-ASCII rune below latinEnd that
// decomposes to a starter ("" for the others): as combining marks are
// dropped and starters never reorder, a text of such runes and ASCII folds
// rune by rune, without decomposing the whole text.
var latinFold = func() (t [latinEnd]string) {
	for r := rune(utf8.RuneSelf); r < latinEnd; r++ {
		lower := strings.ToLower(string(r))
		if p := norm.NFD.PropertiesString(lower); unicode.IsLetter(r) && p.CCC() == 0 && p.LeadCCC() == 0 {
			t[r] = searchText(string(r))
		}
	}
	return t
}()

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
		return row.Raw()
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

// cycleSort moves to the next sort. Its order, the first time, is the
// returned command's work: until it arrives (sorted) the rows keep the
// order they had and the header says it is sorting.
func (v *planView) cycleSort() tea.Cmd {
	v.sort = (v.sort + 1) % len(planSorts)
	if v.orders[v.sort] != nil {
		v.shown = v.sort
		v.refilter()
		return nil
	}
	if v.sorting[v.sort] {
		return nil // already on its way
	}
	v.sorting[v.sort] = true
	x, k := v.planIndex, v.sort
	return func() tea.Msg { return planSortedMsg{view: v, sort: k, order: x.order(k)} }
}

// planSortedMsg is a sort order computed for a view.
type planSortedMsg struct {
	view  *planView
	sort  int
	order []int32
}

// sorted keeps a computed order and shows it if its sort is still the one
// chosen; it reports whether the rows in view changed.
func (v *planView) sorted(k int, order []int32) bool {
	v.orders[k], v.sorting[k] = order, false
	if k != v.sort || k == v.shown {
		return false
	}
	v.shown = k
	v.refilter()
	return true
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
	order := v.orders[v.shown]
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

// order is the rows in sort k's order, ties in plan order. It reads only
// the index, so it can run in a command while the view changes.
func (x *planIndex) order(k int) []int32 {
	o := make([]int32, len(x.rows))
	switch planSorts[k] {
	case "name":
		sortByKey(o, func(i int) string { return x.names[x.nameAt[i]:x.nameAt[i+1]] })
		return o
	case "E.164":
		sortByKey(o, func(i int) string { return x.rows[i].Number.E164 })
		return o
	case "status":
		if x.byStatus(o) {
			return o
		}
		sortByKey(o, func(i int) string { return string(x.rows[i].Status) })
		return o
	}
	for i := range o {
		o[i] = int32(i)
	}
	return o
}

// sortByKey fills o with the row indexes ordered by key, ties by index.
// The keys are read once, beside their index, so the comparisons neither
// allocate nor leave that array.
func sortByKey(o []int32, key func(i int) string) {
	type keyed struct {
		key string
		i   int32
	}
	ks := make([]keyed, len(o))
	for i := range ks {
		ks[i] = keyed{key(i), int32(i)}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	for i := range ks {
		o[i] = ks[i].i
	}
}

// byStatus fills o with the rows by status name (as sortByKey would) in
// one counting pass; false when a row's status is not one it knows.
func (x *planIndex) byStatus(o []int32) bool {
	var count [256]int
	for _, c := range x.codes {
		if int(c) >= len(rowStatuses) {
			return false
		}
		count[c]++
	}
	byName := make([]int, len(rowStatuses))
	for c := range byName {
		byName[c] = c
	}
	slices.SortFunc(byName, func(a, b int) int { return cmp.Compare(rowStatuses[a], rowStatuses[b]) })
	var next [256]int // where each status's next row goes
	at := 0
	for _, c := range byName {
		next[c] = at
		at += count[c]
	}
	for i, c := range x.codes {
		o[next[c]] = int32(i)
		next[c]++
	}
	return true
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
	if v.sort != v.shown { // the rows keep the order shown until the new one is in
		dir += " · sorting by " + planSorts[v.sort] + "…"
	}
	return fmt.Sprintf("showing %d/%d · status: %s · sort: %s%s", len(v.idx), len(v.rows), st, planSorts[v.shown], dir)
}

// rowName is the contact's name, "(no name)" when WhatsApp gave none.
func rowName(r *engine.PlanRow) string {
	return components.NameOr(strings.TrimSpace(cmp.Or(r.Contact.FullName, r.Contact.FirstName)))
}

// matchStatus is the plan's decision for a row in words.
func (x *planIndex) matchStatus(r *engine.PlanRow) string {
	switch r.Status {
	case engine.StatusExists:
		s := "exists #" + r.RecordID
		if r.FillName {
			s += " (+name)"
		}
		return s
	case engine.StatusAmbiguous:
		ids := make([]string, len(r.Matches()))
		for i, m := range r.Matches() {
			ids[i] = "#" + m.ID
		}
		return "ambiguous: " + strings.Join(ids, ", ")
	case engine.StatusInvalid:
		return "invalid: " + r.InvalidReason
	case engine.StatusDuplicate:
		return "duplicate of " + x.contactLabel(r.DuplicateOf)
	}
	return string(r.Status)
}

// contactLabel is a contact of the plan as "name, number".
func (x *planIndex) contactLabel(id int64) string {
	i, ok := x.rowOf(id)
	if !ok {
		return "a contact not in this plan"
	}
	r := &x.rows[i]
	return rowName(r) + ", " + cmp.Or(r.Number.E164, r.Raw())
}

// rowOf is the row of contact id.
func (x *planIndex) rowOf(id int64) (int, bool) {
	if x.byID != nil {
		i, ok := x.byID[id]
		return int(i), ok
	}
	i := sort.Search(len(x.rows), func(i int) bool { return x.rows[i].Contact.ID >= id })
	return i, i < len(x.rows) && x.rows[i].Contact.ID == id
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
		if name := r.RecordName(); name != "" {
			s += " (" + name + ")"
		} else {
			s += " (no name in the CRM)"
		}
		if property, value := r.MatchedBy(); property != "" {
			s += fmt.Sprintf(": %s stored as %q", property, value)
		}
		if r.FillName {
			s += "; the WhatsApp name will be written"
		}
		return s + "."
	case engine.StatusAmbiguous:
		return fmt.Sprintf("%d CRM records hold this number (%s): skipped; merge them in the CRM.",
			len(r.Matches()), strings.TrimPrefix(v.matchStatus(r), "ambiguous: "))
	case engine.StatusDuplicate:
		return "Same number as " + v.contactLabel(r.DuplicateOf) + ", which is synced instead."
	case engine.StatusInvalid:
		return cmp.Or(r.InvalidText, "The number cannot be read: "+r.InvalidReason)
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
		out = append(out, []string{safe.Text(rowName(r)), safe.Text(r.Raw()), r.Number.E164,
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

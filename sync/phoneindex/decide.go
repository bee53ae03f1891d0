package phoneindex

import (
	"slices"

	"coexsync/sync/normalize"
)

// Status is what the plan does with one contact.
type Status string

const (
	StatusCreate    Status = "create"    // no record holds the number
	StatusExists    Status = "exists"    // exactly one record holds it
	StatusAmbiguous Status = "ambiguous" // several records hold it: a person decides
	StatusInvalid   Status = "invalid"   // the contact's number is not usable
	StatusDuplicate Status = "duplicate" // an earlier contact of the batch is the same number
)

// Verdict is the decision for one contact.
type Verdict struct {
	Status Status
	// Hit is, for exists, the stored value that matched (the best of the
	// record's values when several did).
	Hit Hit
	// Hits are every matching value, by record then best first.
	Hits []Hit
	// Records are the distinct record ids of Hits, sorted.
	Records []string
	// DuplicateOf is, for duplicate, the index of the contact this one
	// folds into; -1 otherwise.
	DuplicateOf int
	Reason      normalize.Reason // for invalid
}

// Match decides create, exists or ambiguous for one contact from its
// candidates (its E.164 first). Any two records sharing a key make it
// ambiguous, whatever properties they hold it in.
func (ix *Index) Match(candidates []string) Verdict {
	v := Verdict{Status: StatusCreate, DuplicateOf: -1}
	v.Hits = ix.Lookup(candidates)
	for _, h := range v.Hits {
		if !slices.Contains(v.Records, h.RecordID) {
			v.Records = append(v.Records, h.RecordID) // sorted: Hits are by record
		}
	}
	switch len(v.Records) {
	case 0:
	case 1:
		v.Status, v.Hit = StatusExists, v.Hits[0]
	default:
		v.Status = StatusAmbiguous
	}
	return v
}

// Fold groups items whose candidate sets share a key (union-find over
// keys, so the AR forms 5491123456789 and 541123456789 are one group) and
// returns, per item, the index of its group's first item; an item with no
// candidates is its own group. Callers order items so the first of each
// group is the one that syncs (the engine: by contact id).
func Fold(candidates [][]string) []int {
	parent := make([]int, len(candidates))
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := map[string]int{}
	for i, cands := range candidates {
		parent[i] = i
		for _, k := range cands {
			j, seen := owner[k]
			if !seen {
				owner[k] = i
				continue
			}
			a, b := find(i), find(j)
			// The root is always the group's lowest index.
			parent[max(a, b)] = min(a, b)
		}
	}
	out := make([]int, len(candidates))
	for i := range out {
		out[i] = find(i)
	}
	return out
}

// Decide decides a whole batch: invalid numbers, in-batch duplicates (the
// first of a group syncs, looked up with the whole group's candidates),
// then create, exists or ambiguous against the index. numbers are in the
// order the batch syncs them.
func Decide(ix *Index, numbers []normalize.Result) []Verdict {
	cands := make([][]string, len(numbers))
	for i, n := range numbers {
		if n.Valid {
			cands[i] = keysOf(n)
		}
	}
	group := Fold(cands)
	union := map[int][]string{}
	for i, g := range group {
		for _, k := range cands[i] {
			if !slices.Contains(union[g], k) {
				union[g] = append(union[g], k)
			}
		}
	}
	out := make([]Verdict, len(numbers))
	for i, n := range numbers {
		switch g := group[i]; {
		case !n.Valid:
			out[i] = Verdict{Status: StatusInvalid, DuplicateOf: -1, Reason: n.Reason}
		case g != i:
			out[i] = Verdict{Status: StatusDuplicate, DuplicateOf: g}
		default:
			out[i] = ix.Match(union[g])
		}
	}
	return out
}

// keysOf is n's candidates with its E.164 first, whatever normalize gave.
func keysOf(n normalize.Result) []string {
	if slices.Contains(n.Candidates, n.E164) {
		return n.Candidates
	}
	return append([]string{n.E164}, n.Candidates...)
}

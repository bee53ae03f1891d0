package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// With no statistics (coexsync never runs ANALYZE), SQLite guesses that
// "target = ?" on the ledger's primary key finds ten rows, and so prefers
// walking every row of the account to a lookup by number. The ledger holds
// a row per number ever claimed, so each statement reached once per create
// must name the index that finds its rows.
func TestLedgerStatementsSearchByTheirIndex(t *testing.T) {
	db := openTemp(t)
	cases := []struct {
		name, query, index string
	}{
		{"held keys of a claim", heldKeysSQL, "PRIMARY KEY (target=? AND e164=?)"},
		{"mark sent", markSentSQL, "INDEX ledger_number (target=? AND number=?)"},
		{"drop claims", dropClaimsSQL, "INDEX ledger_number (target=? AND number=?)"},
		{"free a claim", freeClaimSQL, "INDEX ledger_number (target=? AND number=?)"},
		{"drop pending", dropPendingSQL, "INDEX ledger_number (target=? AND number=?)"},
		{"drop failed", dropFailedSQL, "INDEX ledger_number (target=? AND number=?)"},
		{"release created", releaseCreatedSQL, "INDEX ledger_number (target=? AND number=?)"},
		{"sibling forms", siblingFormsSQL, "COVERING INDEX ledger_forms (target=? AND number=?)"},
		{"mark sibling", markSiblingSQL, "PRIMARY KEY (target=? AND e164=?)"},
		{"pending intents", pendingIntentsSQL, "INDEX ledger_pending (target=?)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plan := queryPlan(t, db, c.query)
			if !strings.Contains(plan, "SEARCH ledger USING "+c.index) {
				t.Errorf("plan:\n%s\nwant a search of ledger using %s", plan, c.index)
			}
		})
	}
}

// queryPlan is SQLite's plan for query, its %s filled with two values (or
// two rows of two).
func queryPlan(t *testing.T, db *DB, query string) string {
	t.Helper()
	fill := make([]any, strings.Count(query, "%s"))
	for i := range fill {
		fill[i] = "?, ?"
		if strings.Contains(query, "VALUES %s") && i == len(fill)-1 {
			fill[i] = "(?, ?, ?), (?, ?, ?)"
		}
	}
	nulls := make([]any, 20) // every parameter unbound is null
	rows, err := db.sql.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+fmt.Sprintf(query, fill...), nulls...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString(detail + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

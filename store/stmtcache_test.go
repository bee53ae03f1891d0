package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/bits"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestNextChunkShapes(t *testing.T) {
	const limit = 90
	shapes := map[int]bool{}
	for left := 1; left <= 1000; left++ {
		sum := 0
		for rest := left; rest > 0; {
			n := nextChunk(rest, limit)
			if n < 1 || n > rest || n > limit {
				t.Fatalf("nextChunk(%d, %d) = %d", rest, limit, n)
			}
			shapes[n] = true
			sum += n
			rest -= n
		}
		if sum != left {
			t.Fatalf("chunks of %d add up to %d", left, sum)
		}
	}
	for n := range shapes {
		if n != limit && bits.OnesCount(uint(n)) != 1 {
			t.Errorf("shape %d is neither the limit nor a power of two", n)
		}
	}
}

// maxVars must stay under the driver's variable limit, which is what its
// comment says it is.
func TestMaxVarsWithinVariableLimit(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	query := func(n int) error {
		args := make([]any, n)
		for i := range args {
			args[i] = int64(i)
		}
		var got int64
		err := db.sql.QueryRow(`SELECT coalesce(max(value), 0) FROM (SELECT 0 AS value UNION ALL VALUES `+
			marks(n, "(?)")+`)`, args...).Scan(&got)
		if err == nil && got != int64(n-1) {
			return fmt.Errorf("max of %d values = %d", n, got)
		}
		return err
	}
	if err := query(32766); err != nil {
		t.Fatalf("32766 variables: %v", err)
	}
	if err := query(32767); err == nil {
		t.Fatal("32767 variables accepted: the limit is higher than documented")
	}
	if maxVars > 32766 {
		t.Fatalf("maxVars %d over the limit", maxVars)
	}
}

// ledgerRow is a ledger row without its timestamps, which claims take
// from the clock, and with the owner only while it is pending: a created
// row may keep or lack the claimer, depending on whether the claim was
// dropped before the number was marked.
type ledgerRow struct {
	E164, Number, State, CRMID, Owner string
	RunID, ContactID                  int64
}

func ledgerOf(t *testing.T, db *DB, target string) []ledgerRow {
	t.Helper()
	rows, err := db.sql.Query(`SELECT e164, number, state, crm_id, owner, run_id, contact_id
		FROM ledger WHERE target = ? ORDER BY e164`, target)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []ledgerRow
	for rows.Next() {
		var r ledgerRow
		if err := rows.Scan(&r.E164, &r.Number, &r.State, &r.CRMID, &r.Owner, &r.RunID, &r.ContactID); err != nil {
			t.Fatal(err)
		}
		if r.State == "created" {
			r.Owner = ""
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// One large batch, written in statements of several sizes, ends where
// applying its outcomes one by one ends: outcomes, claims dropped, numbers
// and their candidate forms marked created, repeats resolved in order.
func TestRecordOutcomesBatchMatchesOneByOne(t *testing.T) {
	t.Parallel()
	// Two full statements of outcomes (83 rows each) and then one of every
	// smaller size (64, 32 … 1): every shape a batch can take.
	const n = 2*((maxVars)/12) + 127
	ctx := context.Background()
	when := time.Unix(1_800_000_000, 0)
	setup := func() (*DB, []Outcome) {
		db, ids, runID := runFixture(t, n)
		number := func(i int) string { return fmt.Sprintf("+1555%07d", i%(n-7)) } // a few numbers twice
		var claims []Claim
		var outs []Outcome
		for i, id := range ids {
			o := Outcome{RunID: runID, ContactID: id, Name: fmt.Sprintf("Name %d", i), Raw: number(i)[1:],
				E164: number(i), CRMID: fmt.Sprintf("c%d", i), Attempts: i % 3, UpdatedAt: when.Add(time.Duration(i)),
				NameFilled: i%11 == 0}
			switch i % 5 {
			case 0, 1:
				o.Status = OutcomeCreated
				if i%2 == 0 { // claimed with a candidate form, as a Mexican number is
					claims = append(claims, Claim{Number: o.E164, Keys: []string{o.E164 + "9"},
						RunID: runID, ContactID: id, Owner: "me"})
				}
			case 2:
				o.Status, o.CRMID, o.Reason = OutcomeFailed, "", "rate_limited"
				claims = append(claims, Claim{Number: o.E164, RunID: runID, ContactID: id, Owner: "me"})
			case 3:
				o.Status, o.CRMID = OutcomeFailed, ""
				// Another contact's claim of the number: a failure leaves it.
				claims = append(claims, Claim{Number: o.E164 + "7", RunID: runID, ContactID: ids[0], Owner: "other"})
				o.E164 += "7"
			default:
				o.Status, o.Reason, o.ReasonText = OutcomeSkipped, "exists", "In the CRM."
			}
			outs = append(outs, o)
		}
		// The same contact again later in the batch: the later outcome wins,
		// but attempts never go down and a failure never drops a creation.
		again := outs[5]
		again.Status, again.CRMID, again.Attempts = OutcomeFailed, "", 1
		// A number created twice in the batch: the later creation wins.
		twice := outs[10]
		twice.ContactID, twice.CRMID = ids[11], "twice"
		outs = append(outs, again, twice)
		if _, err := db.ClaimCreates(ctx, "t", claims); err != nil {
			t.Fatal(err)
		}
		return db, outs
	}
	batched, outs := setup()
	if err := batched.RecordOutcomes(ctx, "t", outs); err != nil {
		t.Fatal(err)
	}
	single, _ := setup()
	for _, o := range outs {
		if err := single.RecordOutcomes(ctx, "t", []Outcome{o}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := batched.OutcomeRows(ctx, OutcomeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := single.OutcomeRows(ctx, OutcomeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n || !reflect.DeepEqual(got, want) {
		t.Fatalf("batched outcomes differ from one by one (%d vs %d rows)", len(got), len(want))
	}
	if !got[0].NameFilled || got[1].NameFilled || got[5].Status != OutcomeFailed || got[5].Attempts != 2 {
		t.Errorf("outcomes as stored: %+v, %+v, %+v", got[0], got[1], got[5])
	}
	if created, err := batched.CreatedRecords(ctx, "t", []string{outs[10].E164, outs[10].E164 + "9"}); err != nil ||
		created[outs[10].E164] != "twice" || created[outs[10].E164+"9"] != "twice" {
		t.Errorf("number created twice: ledger %v (%v), want the later creation", created, err)
	}
	gotLedger, wantLedger := ledgerOf(t, batched, "t"), ledgerOf(t, single, "t")
	if len(gotLedger) != len(wantLedger) {
		t.Fatalf("batched ledger has %d rows, one by one %d", len(gotLedger), len(wantLedger))
	}
	for i := range gotLedger {
		if gotLedger[i] != wantLedger[i] {
			t.Errorf("ledger row %d: batched %+v, one by one %+v", i, gotLedger[i], wantLedger[i])
		}
	}
	states := map[string]int{}
	for _, r := range gotLedger {
		states[r.State+"/"+r.Owner]++
		if r.State == "created" && r.CRMID == "" {
			t.Errorf("created without a CRM id: %+v", r)
		}
		if strings.HasSuffix(r.E164, "9") && r.State != "created" {
			t.Errorf("candidate form left %s: %+v", r.State, r)
		}
	}
	// Pending: only the other contact's claims (and none of this run's).
	if states["pending/me"] != 0 || states["pending/other"] == 0 || states["created/"] == 0 {
		t.Errorf("ledger states %v", states)
	}
	// The cached statements serve a second batch, and close with the database.
	if err := batched.RecordOutcomes(ctx, "t", outs[:n/2]); err != nil {
		t.Fatal(err)
	}
	if err := batched.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
}

func TestTempStoreInMemory(t *testing.T) {
	db := openTemp(t)
	var mode int
	if err := db.sql.QueryRow(`PRAGMA temp_store`).Scan(&mode); err != nil || mode != 2 {
		t.Errorf("temp_store = %d (%v), want 2 (memory)", mode, err)
	}
}

// A transaction never waits for a second connection to prepare a
// statement: with a pool of one it would wait for itself. The deadline
// only ends a test that would otherwise hang.
func TestBatchedWritesOnOneConnection(t *testing.T) {
	t.Parallel()
	db, ids, runID := runFixture(t, 1500)
	db.sql.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for round := range 3 { // the first prepares, the next reuse
		outs := make([]Outcome, len(ids))
		for i, id := range ids {
			outs[i] = Outcome{RunID: runID, ContactID: id, E164: fmt.Sprintf("+1555%07d", i),
				Status: []OutcomeStatus{OutcomeCreated, OutcomeFailed, OutcomeSkipped}[(i+round)%3], CRMID: "c"}
		}
		if err := db.RecordOutcomes(ctx, "t", outs); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
	if _, total, err := db.Outcomes(ctx, OutcomeFilter{RunID: runID}); err != nil || total != len(ids) {
		t.Fatalf("stored %d outcomes (%v), want %d", total, err, len(ids))
	}
	db.stmts.mu.Lock()
	cached := len(db.stmts.m)
	db.stmts.mu.Unlock()
	if cached == 0 {
		t.Error("no statement kept for later transactions")
	}
}

// A shape is kept for the database from its second transaction on: the
// keeping costs a second parse, which one use never repays.
func TestShapeKeptFromItsSecondTransaction(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	const q = `SELECT ?`
	kept := func() bool {
		db.stmts.mu.Lock()
		defer db.stmts.mu.Unlock()
		return db.stmts.m[stmtKey{query: q}] != nil
	}
	use := func() {
		t.Helper()
		err := db.withTx(ctx, "test", func(tx *sql.Tx) error {
			for range 2 { // reused within the transaction
				stmt, err := db.txCached(ctx, tx, q)
				if err != nil {
					return err
				}
				var v int
				if err := stmt.QueryRowContext(ctx, 1).Scan(&v); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	use()
	if kept() {
		t.Fatal("kept after one transaction")
	}
	use()
	if !kept() {
		t.Fatal("not kept after a second transaction")
	}
	use() // the kept statement serves a transaction
}

func TestBareMarks(t *testing.T) {
	for row, want := range map[string]int{"(?, ?, 'x', ?)": 3, "(?1, ?, ?12, ?)": 2, "?": 1, "(?2)": 0} {
		if got := bareMarks(row); got != want {
			t.Errorf("bareMarks(%q) = %d, want %d", row, got, want)
		}
	}
}

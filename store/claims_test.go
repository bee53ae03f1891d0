package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

const claimTarget = "hubspot account 42"

func claimOf(number string, contact int64, owner string, keys ...string) Claim {
	return Claim{Number: number, Keys: keys, RunID: 1, ContactID: contact, Owner: owner}
}

func mustClaim(t *testing.T, db *DB, claims ...Claim) []ClaimResult {
	t.Helper()
	res, err := db.ClaimCreates(context.Background(), claimTarget, claims)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestClaimIsGrantedOnceAcrossOwnersAndCandidates(t *testing.T) {
	db := openTemp(t)
	// A Mexican number claimed with its old 521 form as a candidate.
	got := mustClaim(t, db, claimOf("+525512345678", 1, "a", "+5215512345678"))
	if got[0].Verdict != ClaimGranted {
		t.Fatalf("first claim: %+v", got[0])
	}
	// The same owner and contact may claim again (a send after a 429).
	if got := mustClaim(t, db, claimOf("+525512345678", 1, "a", "+5215512345678")); got[0].Verdict != ClaimGranted {
		t.Fatalf("re-claim by its owner: %+v", got[0])
	}
	// Another owner, the other form of the number, or another contact of
	// the same owner: all refused while it is pending.
	for _, c := range []Claim{
		claimOf("+525512345678", 1, "b"),
		claimOf("+5215512345678", 2, "b"),
		claimOf("+5215512345678", 2, "a", "+525512345678"),
	} {
		res := mustClaim(t, db, c)[0]
		if res.Verdict != ClaimPending || res.Holder.Owner != "a" || res.Holder.Number != "+525512345678" {
			t.Errorf("claim %+v: got %+v, want pending held by a", c, res)
		}
	}
	// Once created (under the number that was sent), every form is created.
	runID := newRun(t, db, "n1")
	contacts := seedContacts(t, db, "n1", 1)
	if err := db.RecordOutcomes(context.Background(), claimTarget, []Outcome{{
		RunID: runID, ContactID: contacts[0], E164: "+525512345678", Status: OutcomeCreated, CRMID: "901",
	}}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"+525512345678", "+5215512345678"} {
		res := mustClaim(t, db, claimOf(n, 7, "c"))[0]
		if res.Verdict != ClaimCreated || res.Holder.CRMID != "901" {
			t.Errorf("claim of %s after create: %+v", n, res)
		}
	}
}

func TestClaimReportsTheHoldersLease(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	l := Lease{Target: claimTarget, NumberID: "n1", RunID: 3, Owner: "a", PID: 4711, Host: "h"}
	if _, ok, err := db.AcquireLease(ctx, l, func(Lease) bool { return false }); err != nil || !ok {
		t.Fatal(ok, err)
	}
	mustClaim(t, db, claimOf("+14155550101", 1, "a"))
	res := mustClaim(t, db, claimOf("+14155550101", 2, "b"))[0]
	if res.HolderLease.Owner != "a" || res.HolderLease.PID != 4711 {
		t.Fatalf("holder lease: %+v", res.HolderLease)
	}
	if err := db.ReleaseLease(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if res := mustClaim(t, db, claimOf("+14155550101", 2, "b"))[0]; res.HolderLease.Owner != "" {
		t.Fatalf("released lease still reported: %+v", res.HolderLease)
	}
}

func TestMarkSentAndDropClaimsTouchOnlyTheOwner(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	mustClaim(t, db, claimOf("+14155550101", 1, "a", "+14155550199"), claimOf("+14155550102", 2, "b"))
	sent := time.Unix(1_800_000_000, 0)
	if err := db.MarkSent(ctx, claimTarget, "a", []string{"+14155550101", "+14155550102"}, sent); err != nil {
		t.Fatal(err)
	}
	// An earlier time never moves sent_at back.
	if err := db.MarkSent(ctx, claimTarget, "a", []string{"+14155550101"}, sent.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	pend, err := db.PendingIntents(ctx, claimTarget)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pend {
		want := time.Time{}
		if p.Owner == "a" {
			want = sent
		}
		if !p.LandBy.Equal(want) {
			t.Errorf("%s (owner %s): land by %v, want %v", p.E164, p.Owner, p.LandBy, want)
		}
	}
	// b cannot drop a's claim; a drops both rows of its own.
	if err := db.DropClaims(ctx, claimTarget, "b", []string{"+14155550101"}); err != nil {
		t.Fatal(err)
	}
	if err := db.DropClaims(ctx, claimTarget, "a", []string{"+14155550101"}); err != nil {
		t.Fatal(err)
	}
	pend, _ = db.PendingIntents(ctx, claimTarget)
	if len(pend) != 1 || pend[0].Owner != "b" {
		t.Fatalf("after drops: %+v", pend)
	}
}

// Two processes (two connections to one file) claiming the same numbers
// at once: each number is granted to exactly one of them.
func TestConcurrentClaimsGrantEachNumberOnce(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "coexsync.db")
	var dbs []*DB
	for range 4 {
		db, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs = append(dbs, db)
	}
	const numbers = 200
	granted := make([]map[string]bool, len(dbs))
	var wg sync.WaitGroup
	for w, db := range dbs {
		granted[w] = map[string]bool{}
		wg.Go(func() {
			for i := range numbers {
				n := fmt.Sprintf("+1415555%04d", i)
				res, err := db.ClaimCreates(context.Background(), claimTarget,
					[]Claim{claimOf(n, int64(w+1), fmt.Sprintf("owner-%d", w))})
				if err != nil {
					t.Error(err)
					return
				}
				if res[0].Verdict == ClaimGranted {
					granted[w][n] = true
				}
			}
		})
	}
	wg.Wait()
	for i := range numbers {
		n := fmt.Sprintf("+1415555%04d", i)
		count := 0
		for w := range dbs {
			if granted[w][n] {
				count++
			}
		}
		if count != 1 {
			t.Errorf("%s granted %d times", n, count)
		}
	}
}

func TestLeaseRefusesTakesOverAndLoses(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	a := Lease{Target: claimTarget, NumberID: "n1", Owner: "a", PID: 1, Host: "h"}
	if _, ok, err := db.AcquireLease(ctx, a, nil); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if err := db.SetLeaseRun(ctx, "a", 12); err != nil {
		t.Fatal(err)
	}
	b := Lease{Target: claimTarget, NumberID: "n1", Owner: "b", PID: 2, Host: "h"}
	prev, ok, err := db.AcquireLease(ctx, b, func(Lease) bool { return false })
	if err != nil || ok || prev.Owner != "a" || prev.RunID != 12 {
		t.Fatalf("refused acquire: prev %+v ok %v err %v", prev, ok, err)
	}
	// Another number of the same account is free.
	if _, ok, _ := db.AcquireLease(ctx, Lease{Target: claimTarget, NumberID: "n2", Owner: "b2"}, nil); !ok {
		t.Fatal("a second number should get its own lease")
	}
	if held, err := db.Heartbeat(ctx, "a", time.Now()); err != nil || !held {
		t.Fatal("holder's heartbeat", held, err)
	}
	if _, ok, _ := db.AcquireLease(ctx, b, func(Lease) bool { return true }); !ok {
		t.Fatal("take over refused")
	}
	if held, err := db.Heartbeat(ctx, "a", time.Now()); err != nil || held {
		t.Fatal("the old holder must learn it lost the lease", held, err)
	}
	if err := db.ReleaseLease(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	ls, _ := db.Leases(ctx)
	if len(ls) != 1 || ls[0].Owner != "b2" {
		t.Fatalf("leases left: %+v", ls)
	}
}

// A failed outcome frees only its own claim: another writer's claim of the
// same number stays, or a third writer could create it beside theirs.
func TestFailedOutcomeFreesOnlyItsOwnClaim(t *testing.T) {
	db, contacts, runID := runFixture(t, 2)
	ctx := context.Background()
	theirs := Claim{Number: "+14155550101", RunID: runID + 100, ContactID: contacts[1], Owner: "other"}
	mustClaim(t, db, theirs)
	if err := db.RecordOutcomes(ctx, claimTarget, []Outcome{{RunID: runID, ContactID: contacts[0],
		E164: "+14155550101", Status: OutcomeFailed, Reason: "unauthorized"}}); err != nil {
		t.Fatal(err)
	}
	res := mustClaim(t, db, claimOf("+14155550101", contacts[0], "me"))[0]
	if res.Verdict != ClaimPending || res.Holder.Owner != "other" {
		t.Fatalf("after an unrelated failure: %+v", res)
	}
	mine := Claim{Number: "+14155550102", RunID: runID, ContactID: contacts[0], Owner: "me"}
	mustClaim(t, db, mine)
	if err := db.RecordOutcomes(ctx, claimTarget, []Outcome{{RunID: runID, ContactID: contacts[0],
		E164: "+14155550102", Status: OutcomeFailed, Reason: "validation"}}); err != nil {
		t.Fatal(err)
	}
	if res := mustClaim(t, db, claimOf("+14155550102", contacts[1], "next"))[0]; res.Verdict != ClaimGranted {
		t.Fatalf("the failed contact's own claim was not freed: %+v", res)
	}
}

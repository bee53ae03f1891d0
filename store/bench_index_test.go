package store

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"coexsync/internal/testexit"
	"coexsync/sync/normalize"
	"coexsync/sync/phoneindex"
)

// TestMain removes the large index the matching benchmark builds once per
// test binary (see bigIndex).
func TestMain(m *testing.M) {
	code := m.Run()
	if bigIndex.dir != "" {
		os.RemoveAll(bigIndex.dir)
	}
	testexit.Exit(code)
}

// bigIndex is a database holding an index of benchIndexRecords records,
// built once per test binary: the benchmark runs -count times, the build
// takes far longer than the step it measures.
var bigIndex struct {
	once  gosync.Once
	dir   string
	path  string
	build time.Duration
	err   error
}

const (
	benchIndexTarget  = "hubspot:bench"
	benchIndexRecords = 1_000_000
	benchContacts     = 100_000
)

// benchFormats are the CRM's numbers: E.164 (what the index is keyed by),
// the value as stored, and the WhatsApp contact's digits for the same
// person. Each format holds benchIndexRecords/4 numbers from index 0;
// numbers past that are in no record.
var benchFormats = []struct {
	e164, raw, wa func(n int) string
}{
	{func(n int) string { return fmt.Sprintf("+1415%07d", 2000000+n) },
		func(n int) string { s := fmt.Sprintf("%07d", 2000000+n); return "(415) " + s[:3] + "-" + s[3:] },
		func(n int) string { return fmt.Sprintf("1415%07d", 2000000+n) }},
	{func(n int) string { return fmt.Sprintf("+55119%08d", 60000000+n) },
		func(n int) string { return fmt.Sprintf("55119%08d", 60000000+n) },
		func(n int) string { return fmt.Sprintf("55119%08d", 60000000+n) }},
	{func(n int) string { return fmt.Sprintf("+4479%08d", 10000000+n) },
		func(n int) string { return fmt.Sprintf("+44 79%08d", 10000000+n) },
		func(n int) string { return fmt.Sprintf("4479%08d", 10000000+n) }},
	{func(n int) string { return fmt.Sprintf("+49151%08d", 20000000+n) },
		func(n int) string { return fmt.Sprintf("+49 151 %08d", 20000000+n) },
		func(n int) string { return fmt.Sprintf("49151%08d", 20000000+n) }},
}

// bulkIndex writes n records into target's index straight through the
// index's own statements, in large transactions, with their keys
// computed here rather than parsed: the parsing is measured elsewhere and
// would make the build take many minutes. Record i holds number i/4 of
// format i%4 in phone; every fifth also a mobile number no other record
// holds (index n/4 and up).
func bulkIndex(ctx context.Context, d *DB, target string, n int) error {
	const page = 20_000
	for lo := 0; lo < n; lo += page {
		var records, phones []any
		for i := lo; i < min(lo+page, n); i++ {
			id := strconv.Itoa(10_000_000 + i)
			f := benchFormats[i%len(benchFormats)]
			records = append(records, target, id, "", "Bench", strconv.Itoa(i), "", int64(0), 0, int64(0))
			phones = append(phones, target, id, "phone", f.raw(i/4), f.e164(i/4), f.e164(i/4), "", "")
			if i%5 == 0 {
				m := benchFormats[(i/5)%len(benchFormats)]
				k := n/4 + i/5
				phones = append(phones, target, id, "mobilephone", m.raw(k), m.e164(k), m.e164(k), "", "")
			}
		}
		err := d.withTx(ctx, "bulk index", func(tx *sql.Tx) error {
			if err := d.execRows(ctx, tx, upsertRecordsSQL, recordRow, records); err != nil {
				return err
			}
			return d.execRows(ctx, tx, insertPhonesSQL, phoneRow, phones)
		})
		if err != nil {
			return err
		}
	}
	return d.SetIndexState(ctx, IndexState{Target: target, DefaultRegion: "US", Complete: true, BuiltAt: time.Now()})
}

// openBigIndex opens the database of bigIndex, building it the first time.
func openBigIndex(b *testing.B) *DB {
	bigIndex.once.Do(func() {
		start := time.Now()
		if bigIndex.dir, bigIndex.err = os.MkdirTemp("", "bench-index-"); bigIndex.err != nil {
			return
		}
		bigIndex.path = filepath.Join(bigIndex.dir, "index.db")
		d, err := Open(bigIndex.path)
		if err != nil {
			bigIndex.err = err
			return
		}
		defer d.Close()
		bigIndex.err = bulkIndex(context.Background(), d, benchIndexTarget, benchIndexRecords)
		bigIndex.build = time.Since(start)
	})
	if bigIndex.err != nil {
		b.Fatal(bigIndex.err)
	}
	d, err := Open(bigIndex.path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	return d
}

// benchContactNumbers is n WhatsApp contacts, normalized: 30 % held by a
// record of the index (spread over it), the rest by none.
func benchContactNumbers(n, records int) ([]normalize.Result, int) {
	raws := make([]string, n)
	held := 0
	perFormat := records / len(benchFormats)
	for i := range raws {
		f := benchFormats[i%len(benchFormats)]
		if i%10 < 3 {
			raws[i] = f.wa((i * 7919) % perFormat)
			held++
		} else {
			raws[i] = f.wa(2*records + i) // past every record's numbers
		}
	}
	return normalize.Batch(raws, "US"), held
}

// BenchmarkMatch100kAgainst1M is the lookup and decide step of a plan of
// 100k contacts against a local index of 1M records: the store's
// LookupIndex for every contact's keys, then phoneindex deciding each
// contact. Normalizing the contacts is left out (see BenchmarkPlan100k in
// sync). Reports the process's peak resident memory during the step
// (VmHWM, reset before it) as peak-rss-MB.
func BenchmarkMatch100kAgainst1M(b *testing.B) {
	d := openBigIndex(b)
	ctx := context.Background()
	numbers, held := benchContactNumbers(benchContacts, benchIndexRecords)
	if st, err := d.IndexState(ctx, benchIndexTarget); err != nil || st.RecordCount != benchIndexRecords {
		b.Fatalf("index state %+v, %v", st, err)
	}
	var peak int64
	var alloc uint64
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		debug.FreeOSMemory()
		resetPeakRSS(b)
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		before := ms.TotalAlloc
		b.StartTimer()

		verdicts := matchStep(b, ctx, d, numbers)

		b.StopTimer()
		peak = max(peak, peakRSS(b))
		runtime.ReadMemStats(&ms)
		alloc = ms.TotalAlloc - before
		exists := 0
		for _, v := range verdicts {
			if v.Status == phoneindex.StatusExists {
				exists++
			}
		}
		if exists != held {
			b.Fatalf("%d contacts exist in the CRM, want %d", exists, held)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(peak)/1e6, "peak-rss-MB") // MB of 10^6 bytes, as the target is written
	b.ReportMetric(bigIndex.build.Seconds(), "setup-s")
	b.ReportMetric(float64(alloc)/(1<<20), "alloc-MB")
}

// matchStep looks the contacts' keys up in the index and decides them, as
// a plan with a warm index does.
func matchStep(b *testing.B, ctx context.Context, d *DB, numbers []normalize.Result) []phoneindex.Verdict {
	var keys []string
	for _, n := range numbers {
		if !n.Valid {
			continue
		}
		if !slices.Contains(n.Candidates, n.E164) {
			keys = append(keys, n.E164)
		}
		keys = append(keys, n.Candidates...)
	}
	found, err := d.LookupIndex(ctx, benchIndexTarget, keys)
	if err != nil {
		b.Fatal(err)
	}
	ix := phoneindex.New(len(found))
	for k, hits := range found {
		for _, h := range hits {
			ix.Put(k, h)
		}
	}
	return phoneindex.Decide(ix, numbers)
}

// resetPeakRSS resets the process's VmHWM to its current resident size
// (Linux 4.0 and later).
func resetPeakRSS(b *testing.B) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Skipf("cannot reset the peak resident size: %v", err)
	}
}

// peakRSS reads VmHWM, in bytes.
func peakRSS(b *testing.B) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb << 10
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}

package normalize

import (
	"reflect"
	"runtime"
	"testing"
)

func TestBatchMatchesNumberInOrder(t *testing.T) {
	raws := mixedCorpus(3*batchChunk + 7) // several chunks and a partial one
	got := Batch(raws, "US")
	if len(got) != len(raws) {
		t.Fatalf("Batch returned %d results for %d inputs", len(got), len(raws))
	}
	valid := 0
	for i, raw := range raws {
		want := Number(raw, "US")
		if !reflect.DeepEqual(got[i], want) {
			t.Fatalf("Batch[%d] = %+v, want %+v", i, got[i], want)
		}
		if want.Valid {
			valid++
		}
	}
	if valid == 0 || valid == len(raws) {
		t.Fatalf("corpus has %d valid of %d: want a mix", valid, len(raws))
	}
}

func TestBatchSingleCoreAndEmpty(t *testing.T) {
	if got := Batch(nil, "US"); len(got) != 0 {
		t.Fatalf("Batch(nil) = %v", got)
	}
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	got := Batch([]string{"+14155552671", "x"}, "")
	if !got[0].Valid || got[1].Valid {
		t.Fatalf("Batch = %+v", got)
	}
}

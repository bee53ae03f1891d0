package normalize

import "testing"

func BenchmarkNumber(b *testing.B) {
	raws := mixedCorpus(4096)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Number(raws[i%len(raws)], "US")
		i++
	}
}

func BenchmarkBatch100k(b *testing.B) {
	raws := mixedCorpus(100_000)
	b.ReportAllocs()
	for b.Loop() {
		Batch(raws, "US")
	}
}

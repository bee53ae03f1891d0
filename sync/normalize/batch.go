package normalize

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// batchChunk is how many numbers a worker takes at a time: large enough that
// handing out work costs nothing, small enough that workers finish together.
const batchChunk = 512

// Batch normalizes raws with one region hint, using all cores; the result
// is in input order.
func Batch(raws []string, region string) []Result {
	out := make([]Result, len(raws))
	chunks := (len(raws) + batchChunk - 1) / batchChunk
	workers := min(runtime.GOMAXPROCS(0), chunks)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				start := int(next.Add(1)-1) * batchChunk
				if start >= len(raws) {
					return
				}
				end := min(start+batchChunk, len(raws))
				for i := start; i < end; i++ {
					out[i] = Number(raws[i], region)
				}
			}
		})
	}
	wg.Wait()
	return out
}

package main

import (
	"os"
	"runtime/debug"
)

// limitMemory sets a soft memory limit a little above what a sandbox of
// perNumber contacts per number keeps in use at its peak, the console's
// preview of one number (a headless sync holds less: no preview). The
// plan and preview hold about 400 bytes per contact and the CRM fake it
// matched against about 120, on top of about 25 MB the console and the
// phone metadata keep (measured at 100,000: 60 MB live at the preview,
// 76 MB while the plan is built; the limit is 97 MiB). Without it the Go
// runtime lets the heap grow to twice what is live before collecting,
// nearly doubling the process's peak; with it the collector works harder
// near the peak instead. An explicit GOMEMLIMIT is left alone.
func limitMemory(perNumber int) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(memoryLimit(perNumber))
}

// memoryLimit is limitMemory's limit. Up to smallSandbox contacts a number
// it sits about 10 % above the live heap: a collection of a heap that
// small is cheap, however often it runs. Past that, each contact adds
// headroom too: a collection at a million contacts marks some 500 MB, and
// with 10 % headroom (640 MB) the console collected back to back, its
// index build five times slower than HubSpot's pace.
func memoryLimit(perNumber int) int64 {
	limit := 40<<20 + int64(perNumber)*600
	if past := perNumber - smallSandbox; past > 0 {
		limit += int64(past) * 300
	}
	return limit
}

// smallSandbox is the largest sandbox whose limit keeps 10 % headroom.
const smallSandbox = 100_000

// limitFrom is the smallest sandbox given a limit. Below it the whole
// process stays within a few tens of megabytes whatever the collector
// does, and a limit near the floor would only make it collect more often;
// a process that starts several small sandboxes (the tests) would also be
// held to the limit of the last.
const limitFrom = 10_000

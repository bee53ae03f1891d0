package crmtest

import "time"

// LimitFloor is the least time calls take under a limit of perWindow calls
// per window: the first window's worth go at once, every further window's
// worth waits one window. Benchmarks report wall time against it.
func LimitFloor(calls, perWindow int, window time.Duration) time.Duration {
	if calls <= 0 {
		return 0
	}
	return time.Duration((calls-1)/perWindow) * window
}

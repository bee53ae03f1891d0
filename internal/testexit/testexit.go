// Package testexit ends a test binary without the race detector's pause.
//
// A program built with -race sleeps one second when it exits with 0, so
// that goroutines still running can finish printing a race report
// (GORACE's atexit_sleep_ms). A test binary has nothing left to report by
// then: the testing package fails the test during which a race was
// reported, and the whole run if one was reported between tests. Over the
// two dozen test binaries of `go test -race ./...` the pauses held a
// build slot idle for about a quarter of a minute.
package testexit

import "os"

// Exit ends the test binary with code, the result of testing.M.Run, as
// os.Exit would, minus the pause of a race-enabled binary.
func Exit(code int) {
	if code != 0 {
		os.Exit(code) // no pause: the race runtime only waits on success
	}
	exitNow()
}

package crmtest

import (
	"testing"
	"time"
)

func TestLimitFloor(t *testing.T) {
	w := 10 * time.Second
	for _, c := range []struct {
		calls int
		want  time.Duration
	}{{0, 0}, {1, 0}, {100, 0}, {101, w}, {200, w}, {201, 2 * w}} {
		if got := LimitFloor(c.calls, 100, w); got != c.want {
			t.Errorf("LimitFloor(%d, 100, 10s) = %s, want %s", c.calls, got, c.want)
		}
	}
}

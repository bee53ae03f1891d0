package common

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

func TestSentenceHidesGoInternals(t *testing.T) {
	_, convErr := strconv.Atoi("12a")
	cases := []struct {
		doing string
		err   error
		want  string
	}{
		{"loading numbers", context.Canceled, "Loading numbers: cancelled."},
		{"loading numbers", fmt.Errorf("graph: %w", context.Canceled), "Loading numbers: cancelled."},
		{"reading run #4", fmt.Errorf("run id: %w", convErr), `Reading run #4: run id: "12a" is not a number.`},
		{"building the plan", fmt.Errorf(`Get "https://api.hubapi.com/x": dial tcp 1.2.3.4:443: connection refused`),
			"Building the plan: could not connect: connection refused."},
		{"", fmt.Errorf("unauthorized (HTTP 401)"), "unauthorized (HTTP 401)."},
	}
	for _, c := range cases {
		if got := Sentence(c.doing, c.err); got != c.want {
			t.Errorf("Sentence(%q, %v) = %q, want %q", c.doing, c.err, got, c.want)
		}
		for _, bad := range []string{"context canceled", "strconv", "dial tcp"} {
			if strings.Contains(Sentence(c.doing, c.err), bad) {
				t.Errorf("%q leaks %q", Sentence(c.doing, c.err), bad)
			}
		}
	}
}

package sandbox

import (
	"slices"
	"testing"
)

// State reads each phone value once and remembers it; a value read the
// second time must read as it did the first, for either question asked.
func TestPhoneReadingsAnswerAsTheFirstReading(t *testing.T) {
	var r phoneReadings
	for range 2 {
		got := r.e164s("+1 415-555-2671", "(415) 555 2671", "+14155552671", "not a number", "",
			"+44 20 7946 0958")
		if want := []string{"+14155552671", "+442079460958"}; !slices.Equal(got, want) {
			t.Fatalf("e164s = %q, want %q", got, want)
		}
		if got := r.unlessExtension("+1 415 555 2671 ext. 12", "+14155552671"); got != "" {
			t.Errorf("a desk line with an extension read as %q", got)
		}
		if got := r.unlessExtension("+1 415 555 2671", "+14155552671"); got != "+14155552671" {
			t.Errorf("a plain number read as %q", got)
		}
	}
}

package whatsapptest

import (
	"reflect"
	"strings"
	"testing"
)

func TestSampleContactsDeterministic(t *testing.T) {
	a := SampleContacts(42, 300, "BR")
	b := SampleContacts(42, 300, "BR")
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed gave different contacts")
	}
	if reflect.DeepEqual(a, SampleContacts(43, 300, "BR")) {
		t.Fatal("different seeds gave the same contacts")
	}
	if len(a) != 300 {
		t.Fatalf("got %d contacts", len(a))
	}
}

func TestSampleContactsVariety(t *testing.T) {
	cs := SampleContacts(1, 2000, "BR")
	count := map[string]int{}
	seen := map[string]bool{}
	for _, c := range cs {
		switch {
		case c.Phone == "" && (c.UserID != "" || c.Username != ""):
			count["no phone"]++
		case c.Phone == "":
			t.Errorf("contact with no identifier at all: %+v", c)
		case seen[digitsOf(c.Phone)]:
			count["duplicate"]++
		}
		seen[digitsOf(c.Phone)] = true
		if c.FullName == "" {
			count["no name"]++
		}
		if strings.HasPrefix(c.Phone, "+") {
			count["international typed"]++
		}
		if strings.HasPrefix(c.Phone, "0") && !strings.HasPrefix(c.Phone, "00") {
			count["national"]++
		}
		if strings.ContainsAny(c.Phone, "abcdefghijklmnopqrstuvwxyzN/") || len(digitsOf(c.Phone)) > 15 {
			count["clearly invalid"]++
		}
		for _, p := range []string{"55", "521", "549", "1", "44", "91", "49", "234", "62"} {
			if strings.HasPrefix(c.Phone, p) {
				count["cc "+p]++
			}
		}
		if strings.HasPrefix(c.Phone, "55") && len(c.Phone) == 12 {
			count["BR without ninth digit"]++
		}
	}
	for _, kind := range []string{"no phone", "duplicate", "no name", "international typed", "national",
		"clearly invalid", "cc 55", "cc 521", "cc 549", "cc 1", "cc 44", "cc 91", "cc 49", "cc 234", "cc 62",
		"BR without ninth digit"} {
		if count[kind] < 3 {
			t.Errorf("only %d contacts of kind %q in 2000", count[kind], kind)
		}
	}
	if count["cc 55"] < 600 {
		t.Errorf("home country underrepresented: %d of 2000", count["cc 55"])
	}
}

func TestSampleContactsUnknownRegionFallsBack(t *testing.T) {
	if got := SampleContacts(1, 50, "ZZ"); len(got) != 50 {
		t.Fatalf("got %d", len(got))
	}
	if got := SampleContacts(1, 0, "US"); len(got) != 0 {
		t.Fatalf("got %d for n=0", len(got))
	}
}

func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

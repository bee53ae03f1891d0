package crm

import (
	"strings"
)

// SplitName turns a WhatsApp display name (and the first name WhatsApp
// gave, if any) into first and last name fields for CRMs that keep them
// apart. The last word is the last name; everything before it is the first
// name; a single word is a first name only. A given first name wins when
// the full name starts with it, so "Ana Maria Lima" with first "Ana Maria"
// keeps both given names together.
//
// Names come from outside: control and invisible format characters are
// dropped and runs of spaces folded, so nothing odd reaches the CRM.
func SplitName(full, first string) (string, string) {
	words := strings.Fields(CleanText(full))
	given := strings.Fields(CleanText(first))
	if len(given) > 0 {
		if hasPrefixWords(words, given) {
			return strings.Join(given, " "), strings.Join(words[len(given):], " ")
		}
		last := ""
		if len(words) > 1 {
			last = words[len(words)-1]
		}
		return strings.Join(given, " "), last
	}
	switch len(words) {
	case 0:
		return "", ""
	case 1:
		return words[0], ""
	}
	return strings.Join(words[:len(words)-1], " "), words[len(words)-1]
}

func hasPrefixWords(words, prefix []string) bool {
	if len(prefix) > len(words) {
		return false
	}
	for i, p := range prefix {
		if !strings.EqualFold(words[i], p) {
			return false
		}
	}
	return true
}

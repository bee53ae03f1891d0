package common

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"coexsync/whatsapp"
)

// Sentence is err as an agent reads it, after what was being done: Go's
// internals are replaced by words, and a Graph error carries its hint.
//
//	Sentence("loading numbers", context.Canceled) == "Loading numbers: cancelled."
func Sentence(doing string, err error) string {
	text := ErrorText(err)
	if doing != "" {
		text = upperFirst(doing) + ": " + text
	}
	return text
}

// ErrorText is err in words, ending with a full stop.
func ErrorText(err error) string {
	if err == nil {
		return ""
	}
	var ge *whatsapp.GraphError
	switch {
	case errors.Is(err, context.Canceled):
		return "cancelled."
	case errors.Is(err, context.DeadlineExceeded):
		return "took too long and was stopped; try again."
	case errors.As(err, &ge):
		return sentence(humanize(err.Error())) + " " + ge.Hint()
	}
	return sentence(humanize(err.Error()))
}

// internals are fragments of Go error text and what to say instead.
var internals = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`context canceled`), "cancelled"},
	{regexp.MustCompile(`context deadline exceeded`), "took too long"},
	{regexp.MustCompile(`strconv\.\w+: parsing "([^"]*)": invalid syntax`), `"$1" is not a number`},
	{regexp.MustCompile(`strconv\.\w+: parsing "([^"]*)": value out of range`), `"$1" is too large`},
	{regexp.MustCompile(`dial tcp [^:]*(:\d+)?: `), "could not connect: "},
	{regexp.MustCompile(`(?i)(Get|Post|Put|Patch|Delete) "[^"]*": `), ""},
	{regexp.MustCompile(`\bEOF\b`), "the connection closed early"},
	{regexp.MustCompile(`sql: no rows in result set`), "not found in the local database"},
	{regexp.MustCompile(`open ([^:]*): no such file or directory`), "$1 does not exist"},
	{regexp.MustCompile(`open ([^:]*): permission denied`), "$1 cannot be written (permission denied)"},
	{regexp.MustCompile(`\*?[a-z]+\.[A-Z]\w*(Error)?: `), ""}, // a Go type name as prefix
}

func humanize(s string) string {
	for _, in := range internals {
		s = in.re.ReplaceAllString(s, in.with)
	}
	return strings.TrimSpace(s)
}

func sentence(s string) string {
	if s == "" {
		return "failed."
	}
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!") {
		return s
	}
	return s + "."
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

package intercomtest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"coexsync/crm/intercom"
)

func phoneIn(n int) string {
	vals := make([]string, n)
	for i := range vals {
		vals[i] = fmt.Sprintf("%q", fmt.Sprintf("+1415555%04d", i))
	}
	return `{"field":"phone","operator":"IN","value":[` + strings.Join(vals, ",") + `]}`
}

func group(op string, parts ...string) string {
	return `{"operator":"` + op + `","value":[` + strings.Join(parts, ",") + `]}`
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func TestParseQueryRefusesWhatIntercomRefuses(t *testing.T) {
	eq := `{"field":"phone","operator":"=","value":"+14155550000"}`
	tests := []struct {
		name, query, wantErr string
	}{
		{"three levels", group("OR", group("AND", group("OR", eq))), "nest at most"},
		{"sixteen filters", group("OR", repeat(eq, intercom.MaxFiltersPerGroup+1)...), "at most 15 filters"},
		{"too many IN values", phoneIn(intercom.MaxInValues + 1), "at most 100 values"},
		{"IN without array", `{"field":"phone","operator":"IN","value":"+1"}`, "non-empty array"},
		{"= with array", `{"field":"phone","operator":"=","value":["+1"]}`, "single value"},
		{"unknown field", `{"field":"shoe_size","operator":"=","value":"9"}`, "not searchable"},
		{"bad operator", `{"field":"phone","operator":">","value":"1"}`, "not valid"},
		{"group operator", group("XOR", eq), "AND or OR"},
		{"empty group", group("OR"), "non-empty array"},
		{"not an object", `[1,2]`, "must be an object"},
		{"no operator", `{"field":"phone","value":"1"}`, "operator is required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseQuery(json.RawMessage(tc.query))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("parseQuery error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestParseQueryAcceptsLimitsExactly(t *testing.T) {
	full := group("OR", repeat(phoneIn(intercom.MaxInValues), intercom.MaxFiltersPerGroup)...)
	nested := group("AND", group("OR", phoneIn(2)), group("OR", `{"field":"name","operator":"~","value":"ana"}`))
	for _, q := range []string{full, nested} {
		if _, err := parseQuery(json.RawMessage(q)); err != nil {
			t.Fatalf("parseQuery(%.60s…) = %v, want nil", q, err)
		}
	}
}

func TestMatch(t *testing.T) {
	c := newRecord(Contact{ID: "a1", Name: "Ana Lima", Phone: "+5511987654321", Email: "Ana@Example.com", Role: "lead"}, 0, nil)
	tests := []struct {
		query string
		want  bool
	}{
		{`{"field":"phone","operator":"=","value":"+5511987654321"}`, true},
		{`{"field":"phone","operator":"=","value":"5511987654321"}`, false}, // stored text, no normalizing
		{`{"field":"phone","operator":"IN","value":["x","+5511987654321"]}`, true},
		{`{"field":"phone","operator":"NIN","value":["+5511987654321"]}`, false},
		{`{"field":"email","operator":"=","value":"ana@example.com"}`, true},
		{`{"field":"name","operator":"~","value":"lim"}`, true},
		{`{"field":"name","operator":"!~","value":"lim"}`, false},
		{`{"field":"name","operator":"^","value":"ana"}`, true},
		{`{"field":"name","operator":"$","value":"ana"}`, false},
		{`{"field":"role","operator":"!=","value":"user"}`, true},
		{group("AND", `{"field":"role","operator":"=","value":"lead"}`, `{"field":"name","operator":"=","value":"x"}`), false},
		{group("OR", `{"field":"role","operator":"=","value":"user"}`, `{"field":"id","operator":"=","value":"A1"}`), true},
	}
	for _, tc := range tests {
		q, err := parseQuery(json.RawMessage(tc.query))
		if err != nil {
			t.Fatalf("parseQuery(%s): %v", tc.query, err)
		}
		if got := q.match(c); got != tc.want {
			t.Errorf("match(%s) = %v, want %v", tc.query, got, tc.want)
		}
	}
}

// FuzzParseQuery: any input either parses into a query within the limits
// or is refused with an error; it never panics.
func FuzzParseQuery(f *testing.F) {
	f.Add(`{"field":"phone","operator":"IN","value":["+1","1"]}`)
	f.Add(group("OR", phoneIn(3), `{"field":"name","operator":"=","value":null}`))
	f.Add(group("AND", group("OR", `{"field":"phone","operator":"=","value":1}`)))
	f.Add(`{"operator":"OR","value":[{"operator":"AND","value":[{"operator":"OR","value":[]}]}]}`)
	f.Add(`{"field":"phone","operator":"IN","value":[true, 1.5e3, "x"]}`)
	f.Add(`nul`)
	f.Fuzz(func(t *testing.T, s string) {
		q, err := parseQuery(json.RawMessage(s))
		if err != nil {
			return
		}
		checkLimits(t, q, 0)
		q.match(newRecord(Contact{ID: "1", Phone: s, Name: s}, 0, nil))
	})
}

func checkLimits(t *testing.T, n *node, depth int) {
	if n.filter {
		if len(n.set) > intercom.MaxInValues {
			t.Fatalf("IN with %d values accepted", len(n.set))
		}
		return
	}
	depth++
	if depth > intercom.MaxNesting || len(n.kids) > intercom.MaxFiltersPerGroup || len(n.kids) == 0 {
		t.Fatalf("group at depth %d with %d parts accepted", depth, len(n.kids))
	}
	for _, k := range n.kids {
		checkLimits(t, k, depth)
	}
}

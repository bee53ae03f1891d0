package intercomtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"coexsync/crm/intercom"
)

// node is a parsed search query: a group (AND/OR over kids) or a filter.
type node struct {
	op     string // "AND"/"OR" for a group, the comparison for a filter
	field  string
	value  string          // lower-cased operand of a single-value filter
	set    map[string]bool // lower-cased operands of IN/NIN
	kids   []*node
	filter bool
	date   func(*record, *time.Location) bool // a date filter (list.go)
	tz     *time.Location                     // the workspace's, for date
}

// queryError is a query Intercom would refuse with a 400.
type queryError string

func (e queryError) Error() string { return string(e) }

// searchable are the string fields the fake can search.
var searchable = map[string]func(*record) string{
	"id":          (*record).ID,
	"name":        func(c *record) string { return c.field(fieldName) },
	"phone":       func(c *record) string { return c.field(fieldPhone) },
	"email":       func(c *record) string { return c.field(fieldEmail) },
	"external_id": func(c *record) string { return c.field(fieldExternalID) },
	"role":        func(c *record) string { return c.field(fieldRole) },
}

// stringOperators are the operators Intercom accepts on string fields.
var stringOperators = []string{"=", "!=", "IN", "NIN", "~", "!~", "^", "$"}

type rawNode struct {
	Field    *string         `json:"field"`
	Operator *string         `json:"operator"`
	Value    json.RawMessage `json:"value"`
}

// parseQuery checks a query against Intercom's documented limits
// (MaxNesting, MaxFiltersPerGroup, MaxInValues) and compiles it.
func parseQuery(raw json.RawMessage) (*node, error) {
	return parseNode(raw, 0)
}

func parseNode(raw json.RawMessage, depth int) (*node, error) {
	var rn rawNode
	if len(bytes.TrimSpace(raw)) == 0 || raw[0] != '{' || json.Unmarshal(raw, &rn) != nil {
		return nil, queryError("each query part must be an object with field, operator and value")
	}
	if rn.Operator == nil {
		return nil, queryError("operator is required")
	}
	if rn.Field == nil {
		return parseGroup(rn, depth+1)
	}
	return parseFilter(rn)
}

func parseGroup(rn rawNode, depth int) (*node, error) {
	op := *rn.Operator
	if op != "AND" && op != "OR" {
		return nil, queryError("a group's operator must be AND or OR")
	}
	if depth > intercom.MaxNesting {
		return nil, queryError(fmt.Sprintf("queries may nest at most %d levels", intercom.MaxNesting))
	}
	var parts []json.RawMessage
	if json.Unmarshal(rn.Value, &parts) != nil || len(parts) == 0 {
		return nil, queryError("a group's value must be a non-empty array")
	}
	if len(parts) > intercom.MaxFiltersPerGroup {
		return nil, queryError(fmt.Sprintf("a group may hold at most %d filters", intercom.MaxFiltersPerGroup))
	}
	n := &node{op: op}
	for _, p := range parts {
		kid, err := parseNode(p, depth)
		if err != nil {
			return nil, err
		}
		n.kids = append(n.kids, kid)
	}
	return n, nil
}

func parseFilter(rn rawNode) (*node, error) {
	field, op := *rn.Field, *rn.Operator
	if _, ok := dateFields[field]; ok {
		return parseDateFilter(field, op, rn.Value)
	}
	if _, ok := searchable[field]; !ok {
		return nil, queryError(fmt.Sprintf("field %.40q is not searchable", field))
	}
	if !slices.Contains(stringOperators, op) {
		return nil, queryError(fmt.Sprintf("operator %.10q is not valid for field %s", op, field))
	}
	n := &node{op: op, field: field, filter: true}
	if op != "IN" && op != "NIN" {
		v, ok := scalar(rn.Value)
		if !ok {
			return nil, queryError(fmt.Sprintf("operator %s takes a single value", op))
		}
		n.value = strings.ToLower(v)
		return n, nil
	}
	var items []json.RawMessage
	if json.Unmarshal(rn.Value, &items) != nil || len(items) == 0 {
		return nil, queryError(fmt.Sprintf("operator %s takes a non-empty array", op))
	}
	if len(items) > intercom.MaxInValues {
		return nil, queryError(fmt.Sprintf("operator %s takes at most %d values", op, intercom.MaxInValues))
	}
	n.set = make(map[string]bool, len(items))
	for _, it := range items {
		v, ok := scalar(it)
		if !ok {
			return nil, queryError(fmt.Sprintf("operator %s takes strings or numbers", op))
		}
		n.set[strings.ToLower(v)] = true
	}
	return n, nil
}

// scalar reads a JSON string, number or boolean as text.
func scalar(raw json.RawMessage) (string, bool) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return "", false
	}
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	case bool:
		return fmt.Sprint(t), true
	}
	return "", false
}

// match reports whether c satisfies the query. Text compares without
// regard to case, on the stored value as is.
func (n *node) match(c *record) bool {
	if !n.filter {
		for _, k := range n.kids {
			if k.match(c) != (n.op == "AND") {
				return n.op != "AND"
			}
		}
		return n.op == "AND"
	}
	if n.date != nil {
		return n.date(c, n.tz)
	}
	v := strings.ToLower(searchable[n.field](c))
	switch n.op {
	case "=":
		return v == n.value
	case "!=":
		return v != n.value
	case "IN":
		return n.set[v]
	case "NIN":
		return !n.set[v]
	case "~":
		return strings.Contains(v, n.value)
	case "!~":
		return !strings.Contains(v, n.value)
	case "^":
		return strings.HasPrefix(v, n.value)
	case "$":
		return strings.HasSuffix(v, n.value)
	}
	return false
}

package screens

import (
	"strings"

	"coexsync/store"
	"coexsync/ui/common"
	"coexsync/ui/components"
)

// picker is a small list in a box: the CRM choice.
type picker struct {
	title   string
	options []string
	cursor  int
	number  store.Number
}

func (p *picker) view(c *common.Common) string {
	st := c.Styles
	lines := []string{st.Label.Render(p.title), components.NumberLabel(p.number), ""}
	for i, o := range p.options {
		if i == p.cursor {
			lines = append(lines, st.Selected.Render("> "+o))
		} else {
			lines = append(lines, "  "+o)
		}
	}
	return st.Box.Render(strings.Join(lines, "\n"))
}

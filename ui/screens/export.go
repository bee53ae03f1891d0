package screens

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"coexsync/ui/common"
	"coexsync/ui/components"
)

// exportDialog asks where to write the rows in view: the path is shown
// and editable, and an existing file is only replaced after y.
type exportDialog struct {
	path      string
	overwrite bool // the file exists: asking to replace it
	write     func(path string) tea.Cmd
	cancel    func()
}

func (d *exportDialog) keys(k *common.KeyMap) common.Bindings {
	if d.overwrite {
		no := func() tea.Cmd { d.overwrite = false; return nil }
		return common.Bindings{
			common.Bind(k.Confirm, func() tea.Cmd { return d.write(d.path) }),
			common.Bind(k.Deny, no), common.Bind(k.Back, no),
		}
	}
	return common.Bindings{
		common.Bind(writeFile, func() tea.Cmd {
			if d.path == "" {
				return nil
			}
			if _, err := os.Stat(d.path); err == nil {
				d.overwrite = true
				return nil
			}
			return d.write(d.path)
		}),
		common.Bind(cancelKey, func() tea.Cmd { d.cancel(); return nil }),
	}
}

// typed edits the path.
func (d *exportDialog) typed(msg tea.Msg) {
	if d.overwrite {
		return
	}
	switch msg := msg.(type) {
	case tea.PasteMsg:
		d.path += msg.Content
	case tea.KeyPressMsg:
		switch {
		case msg.String() == "backspace" && d.path != "":
			_, n := utf8.DecodeLastRuneInString(d.path)
			d.path = d.path[:len(d.path)-n]
		case msg.Text != "" && msg.Mod&^tea.ModShift == 0:
			d.path += msg.Text
		}
	}
}

func (d *exportDialog) view(c *common.Common, what string, width int) string {
	st := c.Styles
	lines := []string{st.Label.Render("Export " + what + " as CSV"), "", "Path:",
		components.Fit(d.path+"▏", width-4), ""}
	if d.overwrite {
		lines = append(lines, st.BadgeAlert.Render(components.Fit(
			filepath.Base(d.path)+" exists. Replace it? (y/n)", width-4)))
	} else {
		lines = append(lines, st.Muted.Render("Edit the path, enter to write, esc to cancel."))
	}
	return st.Box.Width(min(width, 100)).Render(strings.Join(lines, "\n"))
}

// writeCSV writes rows (a header first) to path with spreadsheet formulas
// defused.
func writeCSV(path string, rows [][]string) error {
	return writeFileAtomic(path, func(f *os.File) error {
		w := csv.NewWriter(f)
		for _, r := range rows {
			for i, cell := range r {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					r[i] = "'" + cell
				}
			}
			if err := w.Write(r); err != nil {
				return err
			}
		}
		w.Flush()
		return w.Error()
	})
}

// planExportName is the file the preview of a number is exported to.
func planExportName(numberID, crm string) string {
	return fmt.Sprintf("coexsync-plan-%s-%s.csv", numberID, crm)
}

package store

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"
)

// csvHeader is the column order of exported outcomes.
var csvHeader = []string{"run_id", "contact_id", "name", "raw", "e164", "status", "crm_id", "reason", "message", "attempts", "updated_at"}

// WriteCSV writes the outcomes matching f as CSV, paging through the
// database so a large run never sits in memory at once.
func (d *DB) WriteCSV(ctx context.Context, w io.Writer, f OutcomeFilter) error {
	return d.WriteCSVCells(ctx, w, f, nil)
}

// WriteCSVCells is WriteCSV with every text cell passed through cell
// before formulas are defused: a CSV bound for a terminal must lose its
// escape sequences, one bound for a file keeps the text. A nil cell keeps
// the text.
func (d *DB) WriteCSVCells(ctx context.Context, w io.Writer, f OutcomeFilter, cell func(string) string) error {
	if cell == nil {
		cell = func(s string) string { return s }
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	const page = 1000
	// Pages follow the key: each starts after the last row written.
	f.Limit, f.Offset = page, 0
	var key *outcomeKey
	for {
		outs, err := d.outcomesAfter(ctx, f, key)
		if err != nil {
			return err
		}
		for _, o := range outs {
			if err := cw.Write(csvRow(o, cell)); err != nil {
				return err
			}
		}
		if len(outs) < page {
			break
		}
		last := outs[len(outs)-1]
		key = &outcomeKey{last.RunID, last.ContactID}
	}
	cw.Flush()
	return cw.Error()
}

func csvRow(o Outcome, cell func(string) string) []string {
	text := func(s string) string { return csvCell(cell(s)) }
	return []string{
		strconv.FormatInt(o.RunID, 10), strconv.FormatInt(o.ContactID, 10),
		text(o.Name), text(o.Raw), text(o.E164), string(o.Status), text(o.CRMID),
		cell(o.Reason), text(o.ReasonText), strconv.Itoa(o.Attempts), o.UpdatedAt.UTC().Format(time.RFC3339),
	}
}

// csvCell defuses spreadsheet formulas: names and numbers come from
// outside, and a cell starting with = + - @ (or a tab/CR) would be run by
// the spreadsheet that opens the export. A plain phone number such as
// "+5511987654321" is no formula and stays as it is, so the E.164 column
// remains usable by scripts.
func csvCell(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if (s[0] == '+' || s[0] == '-') && len(s) > 1 && strings.Trim(s[1:], "0123456789 ()-.") == "" {
		return s
	}
	return "'" + s
}

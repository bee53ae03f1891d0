package store

import (
	"context"
	"fmt"
	"strings"
)

// NameFilledText is the sentence the sync engine appends to the reason
// text of an exists outcome whose empty CRM name it filled from WhatsApp.
// It is the only record of a fill, so it is matched here as written there.
const NameFilledText = " Its empty name was filled from WhatsApp."

// NamesFilled counts, per run of runIDs, the skipped outcomes whose CRM
// record got its empty name filled. Runs with none are absent.
func (d *DB) NamesFilled(ctx context.Context, runIDs ...int64) (map[int64]int, error) {
	out := make(map[int64]int, len(runIDs))
	if len(runIDs) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(runIDs)+2)
	args = append(args, OutcomeSkipped, "%"+likeEscape(strings.TrimSpace(NameFilledText))+"%")
	for _, id := range runIDs {
		args = append(args, id)
	}
	q := `SELECT run_id, COUNT(*) FROM outcomes
		WHERE status = ? AND reason_text LIKE ? ESCAPE '\'
		AND run_id IN (?` + strings.Repeat(",?", len(runIDs)-1) + `)
		GROUP BY run_id`
	rows, err := d.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: names filled: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("store: names filled: %w", err)
		}
		out[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: names filled: %w", err)
	}
	return out, nil
}

// likeEscape escapes the LIKE wildcards of s (with \ as the escape).
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

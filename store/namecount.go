package store

import (
	"context"
	"fmt"
)

// NameFilledText is the sentence the sync engine appends to the reason
// text of an exists outcome whose empty CRM name it filled from WhatsApp,
// for people to read. Counts read Outcome.NameFilled instead; before that
// column existed this sentence was the only record of a fill, and
// migration 0005 matched it once to fill the column in.
const NameFilledText = " Its empty name was filled from WhatsApp."

// NamesFilled counts, per run of runIDs, the skipped outcomes whose CRM
// record got its empty name filled (NameFilled). Runs with none are absent.
func (d *DB) NamesFilled(ctx context.Context, runIDs ...int64) (map[int64]int, error) {
	out := make(map[int64]int, len(runIDs))
	err := forEachChunk(runIDs, inChunk, func(part []int64) error {
		q, args := inList([]any{OutcomeSkipped}, part)
		counts, err := queryAll(ctx, d.sql, scanKeyCount[int64], `SELECT run_id, count(*) FROM outcomes
			INDEXED BY outcomes_name_filled
			WHERE name_filled = 1 AND status = ? AND run_id IN (`+q+`)
			GROUP BY run_id`, args...)
		for _, c := range counts {
			out[c.key] = c.n
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: names filled: %w", err)
	}
	return out, nil
}

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"coexsync/crm"
	"coexsync/store"
	engine "coexsync/sync"
	"coexsync/ui/safe"
)

// followJob drains the job's events, drawing a progress line on a
// terminal, and returns the summary.
func followJob(job *engine.Job, stderr io.Writer, progress bool) engine.RunSummary {
	for ev := range job.Events() {
		if !progress {
			continue
		}
		switch e := ev.(type) {
		case engine.Progress:
			eta := "—"
			if e.ETA > 0 {
				eta = e.ETA.Round(time.Second).String()
			}
			fmt.Fprintf(stderr, "\r%d/%d  created %d  skipped %d  failed %d  %.1f/s  ETA %s   ",
				e.Done, e.Total, e.Created, e.Skipped, e.Failed, e.Rate, eta)
		case engine.RateLimited:
			fmt.Fprintf(stderr, "\rrate limit: waiting %s on %s   ", e.Wait.Round(time.Millisecond), e.Endpoint)
		case engine.Phase:
			fmt.Fprintf(stderr, "\r%s\n", safe.Text(e.Name))
		}
	}
	if progress {
		fmt.Fprintln(stderr)
	}
	return job.Wait()
}

// failureJSON is one failed contact in the JSON summary.
type failureJSON struct {
	ContactID int64  `json:"contact_id"`
	Name      string `json:"name"`
	Raw       string `json:"raw"`
	E164      string `json:"e164,omitempty"`
	Reason    string `json:"reason"`
	Message   string `json:"message"`
}

// runJSON is the --json summary; its fields are stable for scripts.
type runJSON struct {
	// Sandbox: the run went to the built-in fake servers, not a real CRM.
	Sandbox  bool          `json:"sandbox"`
	RunID    int64         `json:"run_id"`
	Status   string        `json:"status"`
	Total    int           `json:"total"`
	Created  int           `json:"created"`
	Skipped  int           `json:"skipped"`
	Failed   int           `json:"failed"`
	Seconds  float64       `json:"seconds"`
	Error    string        `json:"error,omitempty"`
	Failures []failureJSON `json:"failures"`
}

func summaryJSON(s engine.RunSummary, sandboxed bool) runJSON {
	out := runJSON{
		Sandbox: sandboxed, RunID: s.RunID, Status: string(s.Status), Total: s.Total, Created: s.Created,
		Skipped: s.Skipped, Failed: s.Failed, Seconds: s.Elapsed.Seconds(), Failures: []failureJSON{},
	}
	if s.Err != nil {
		out.Error = shownText(s.Err.Error())
	}
	for _, o := range s.Failures {
		out.Failures = append(out.Failures, failureJSON{
			ContactID: o.ContactID, Name: o.Name, Raw: o.Raw, E164: o.E164, Reason: o.Reason, Message: shownText(o.ReasonText),
		})
	}
	return out
}

// sandboxWord starts every line of sandbox output, so a log or a pasted
// result can never be taken for a real CRM's.
func sandboxWord(sandboxed bool) string {
	if sandboxed {
		return "SANDBOX "
	}
	return ""
}

// shownText is outside text (a CRM message, an error quoting one) as the
// summaries print it, on a terminal or in JSON: no escape sequences or
// invisible characters, no bearer credentials or URL userinfo.
func shownText(s string) string { return crm.RedactCredentials(crm.CleanText(safe.Text(s))) }

func printSummary(w io.Writer, s engine.RunSummary, sandboxed bool) {
	fmt.Fprintf(w, sandboxWord(sandboxed)+"run %d %s in %s: %d created, %d skipped, %d failed (of %d)\n",
		s.RunID, s.Status, s.Elapsed.Round(time.Millisecond), s.Created, s.Skipped, s.Failed, s.Total)
	printStopAndFailures(w, s)
	if left := s.Total - s.Created - s.Skipped - s.Failed; left > 0 && s.Status != store.RunFinished && s.RunID != 0 {
		fmt.Fprintf(w, "%d contacts not processed yet: continue with coexsync sync --resume %d\n", left, s.RunID)
	}
}

// printStopAndFailures prints why a run stopped early, if it did, and a
// line per failure with its reason: the part of every summary an agent
// acts on.
func printStopAndFailures(w io.Writer, s engine.RunSummary) {
	if s.Err != nil {
		fmt.Fprintf(w, "stopped: %s\n", shownText(s.Err.Error()))
	}
	for _, o := range s.Failures {
		fmt.Fprintf(w, "  failed  %-20s %-18s %s: %s\n", safe.Text(o.Name), safe.Text(o.Raw), o.Reason, shownText(o.ReasonText))
	}
}

// planJSON is the --dry-run output: the counts and every row.
type planJSON struct {
	Sandbox  bool   `json:"sandbox"`
	NumberID string `json:"number_id"`
	CRM      string `json:"crm"`
	Region   string `json:"region"`
	// Lookup is how existing records were found: "index" (the local index
	// of the CRM's phone values, fresh as of IndexWatermark) or "search".
	Lookup         string         `json:"lookup"`
	CRMRegion      string         `json:"crm_region"`
	IndexRecords   int            `json:"index_records,omitempty"`
	IndexWatermark string         `json:"index_watermark,omitempty"`
	Counts         map[string]int `json:"counts"`
	Rows           []planRowJSON  `json:"rows"`
}

type planRowJSON struct {
	ContactID int64  `json:"contact_id"`
	Name      string `json:"name"`
	Raw       string `json:"raw"`
	E164      string `json:"e164,omitempty"`
	Status    string `json:"status"`
	RecordID  string `json:"record_id,omitempty"`
	// MatchProperty and MatchValue: which stored value matched the record.
	MatchProperty string `json:"match_property,omitempty"`
	MatchValue    string `json:"match_value,omitempty"`
	FillName      bool   `json:"fill_name,omitempty"`
	Reason        string `json:"reason,omitempty"`
}

func printPlan(w io.Writer, p *engine.Plan, asJSON, sandboxed bool) error {
	counts := map[string]int{}
	for st, n := range p.Counts {
		counts[string(st)] = n
	}
	if !asJSON {
		fmt.Fprintf(w, sandboxWord(sandboxed)+"plan for number %s into %s (region %s, matched by %s): %d create, %d exists, %d ambiguous, %d invalid, %d duplicate\n",
			p.NumberID, p.CRM, p.Region, p.Lookup, counts["create"], counts["exists"], counts["ambiguous"], counts["invalid"], counts["duplicate"])
		return nil
	}
	out := planJSON{Sandbox: sandboxed, NumberID: p.NumberID, CRM: p.CRM, Region: p.Region,
		Lookup: string(p.Lookup), CRMRegion: p.CRMRegion, IndexRecords: p.Index.RecordCount,
		Counts: counts, Rows: make([]planRowJSON, len(p.Rows))}
	if !p.Index.Watermark.IsZero() {
		out.IndexWatermark = p.Index.Watermark.UTC().Format(time.RFC3339)
	}
	for i := range p.Rows {
		r := &p.Rows[i]
		reason, _ := r.Why()
		property, value := r.MatchedBy()
		out.Rows[i] = planRowJSON{
			ContactID: r.Contact.ID, Name: r.Contact.FullName, Raw: r.Raw(), E164: r.Number.E164,
			Status: string(r.Status), RecordID: r.RecordID, FillName: r.FillName, Reason: reason,
			MatchProperty: property, MatchValue: value,
		}
	}
	return json.NewEncoder(w).Encode(out)
}

// runHeader names the columns of runLine.
const runHeader = "  run  started           crm       mode     status      created/archived  skipped  named  failed  number"

// line is one run as `coexsync runs` lists it: an undo counts what it
// archived where a sync counts what it created.
func (r listedRun) line() string {
	number := r.Number
	if number == "" {
		number = "(number not in the database)"
	} else if r.Business != "" {
		number += " " + r.Business
	}
	made := "created "
	if r.Mode == string(store.ModeUndo) {
		made = "archived"
	}
	return fmt.Sprintf("%5d  %s  %-9s %-8s %-11s %s %-7d %-8d %-6d %-7d %s",
		r.ID, r.Started, r.CRM, r.Mode, r.Status, made, r.Created, r.Skipped, r.NamesFilled, r.Failed, number)
}

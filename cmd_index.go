package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	engine "coexsync/sync"
	"coexsync/ui/safe"
)

// maxUnreadableShown bounds the unreadable values index --json lists.
const maxUnreadableShown = 50

type indexFlags struct {
	number  string
	rebuild bool
	asJSON  bool
}

func newIndexCommand(cfg *config) *cobra.Command {
	var f indexFlags
	cmd := &cobra.Command{
		Use:   "index [--crm hubspot|intercom] [--rebuild] [--json]",
		Short: "Build or refresh the local index of the CRM's phone values",
		Long: "Reads every contact record of the CRM account once (later runs read only the\n" +
			"records changed since) and files each phone value under the numbers it can be,\n" +
			"so a sync matches numbers stored in any spelling. Progress goes to standard\n" +
			"error; the summary (or --json) to standard output. It writes only the local\n" +
			"database, never the CRM. Exit status: 0 built, 2 could not build.",
		Example: "  coexsync index --sandbox --crm hubspot\n  coexsync index --crm intercom --rebuild --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := runIndex(cmd.Context(), cfg, f, cmd.OutOrStdout(), cmd.ErrOrStderr()); err != nil {
				return exitCode{code: 2, err: err}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.number, "number", "", "phone number `id` you will sync: national CRM values are read in its country (default: --crm-region, else the numbers' shared country)")
	fl.BoolVar(&f.rebuild, "rebuild", false, "list every record again instead of reading only the changes")
	fl.BoolVar(&f.asJSON, "json", false, "print the index state and up to 50 unreadable values as JSON")
	return cmd
}

// indexJSON is index --json; its fields are stable for scripts.
type indexJSON struct {
	Sandbox          bool             `json:"sandbox"`
	CRM              string           `json:"crm"`
	Target           string           `json:"target"`
	Region           string           `json:"region"`
	Complete         bool             `json:"complete"`
	Records          int              `json:"records"`
	Unreadable       int              `json:"unreadable"`
	BuiltAt          time.Time        `json:"built_at"`
	Watermark        time.Time        `json:"watermark"`
	ElapsedMS        int64            `json:"elapsed_ms"`
	UnreadableValues []unreadableJSON `json:"unreadable_values"`
}

type unreadableJSON struct {
	RecordID   string `json:"record_id"`
	RecordName string `json:"record_name"`
	Property   string `json:"property"`
	Raw        string `json:"raw"`
	Reason     string `json:"reason"`
}

func runIndex(ctx context.Context, cfg *config, f indexFlags, stdout, stderr io.Writer) error {
	if cfg.offline {
		return errors.New("index reads the CRM: drop --offline")
	}
	if !cfg.sandbox && !cfg.hasCRMCredentials() {
		return errors.New("no CRM token is set: add --sandbox to index the built-in fake CRMs, or set HUBSPOT_TOKEN or INTERCOM_TOKEN")
	}
	b, closeAll, err := cfg.openBackend(ctx, stderr)
	if err != nil {
		return err
	}
	defer closeAll()
	name := pickCRM(cfg, b)
	region, why, err := b.IndexRegion(ctx, name, f.number)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "coexsync: national phone values without a record country are read as %s (%s)\n", region, why)
	tty := !f.asJSON && isatty.IsTerminal(os.Stderr.Fd())
	pr := &indexProgress{w: stderr, tty: tty}
	start := time.Now()
	st, err := b.RefreshIndex(ctx, name, region, f.rebuild, pr.report)
	pr.done()
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	values, err := b.UnreadableValues(ctx, name, maxUnreadableShown)
	if err != nil {
		return err
	}
	out := indexJSON{Sandbox: cfg.sandbox, CRM: name, Target: st.Target, Region: st.DefaultRegion,
		Complete: st.Complete, Records: st.RecordCount, Unreadable: st.Unreadable,
		BuiltAt: st.BuiltAt, Watermark: st.Watermark, ElapsedMS: elapsed.Milliseconds(),
		UnreadableValues: make([]unreadableJSON, 0, len(values))}
	for _, v := range values {
		out.UnreadableValues = append(out.UnreadableValues, unreadableJSON{RecordID: v.RecordID,
			RecordName: v.RecordName, Property: v.Property, Raw: v.Raw, Reason: string(v.Reason)})
	}
	if f.asJSON {
		return json.NewEncoder(stdout).Encode(out)
	}
	printIndexSummary(stdout, out, elapsed)
	return nil
}

func printIndexSummary(w io.Writer, o indexJSON, elapsed time.Duration) {
	if o.Sandbox {
		fmt.Fprintln(w, "SANDBOX: the index of a built-in fake CRM")
	}
	fmt.Fprintf(w, "%s index: %d records, %d unreadable phone values (region %s)\n",
		o.CRM, o.Records, o.Unreadable, orDash(o.Region))
	fmt.Fprintf(w, "built at %s, changes read up to %s, took %s\n",
		stamp(o.BuiltAt), stamp(o.Watermark), elapsed.Round(time.Millisecond))
	for _, v := range o.UnreadableValues {
		fmt.Fprintf(w, "  unreadable: record %s %s: %s %q (%s)\n", safe.Text(v.RecordID),
			safe.Text(v.RecordName), safe.Text(v.Property), safe.Text(v.Raw), safe.Text(v.Reason))
	}
	if o.Unreadable > len(o.UnreadableValues) {
		fmt.Fprintf(w, "  … and %d more (coexsync index --json lists %d)\n", o.Unreadable-len(o.UnreadableValues), maxUnreadableShown)
	}
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format(time.DateTime)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// indexProgress prints the engine's index progress on stderr: one line
// redrawn on a terminal, else a line every few seconds (and the last).
type indexProgress struct {
	w       io.Writer
	tty     bool
	last    time.Time
	pending string
	drawn   bool
}

const indexProgressEvery = 2 * time.Second

func (p *indexProgress) report(e engine.IndexProgress) {
	line := progressLine(e)
	if p.tty {
		fmt.Fprintf(p.w, "\r%s   ", line)
		p.drawn = true
		return
	}
	if !p.last.IsZero() && time.Since(p.last) < indexProgressEvery {
		p.pending = line
		return
	}
	p.last, p.pending = time.Now(), ""
	fmt.Fprintln(p.w, line)
}

func (p *indexProgress) done() {
	switch {
	case p.tty && p.drawn:
		fmt.Fprintln(p.w)
	case p.pending != "":
		fmt.Fprintln(p.w, p.pending)
	}
}

// progressLine is "listing every record: 1200/5000 records, 350/s, ETA 11s".
func progressLine(e engine.IndexProgress) string {
	total := "?"
	if e.Total > 0 {
		total = fmt.Sprint(e.Total)
	}
	rate := 0.0
	if secs := e.Elapsed.Seconds(); secs > 0 {
		rate = float64(e.Read) / secs
	}
	eta := "—"
	if e.Total > e.Read && rate > 0 {
		eta = time.Duration(float64(e.Total-e.Read) / rate * float64(time.Second)).Round(time.Second).String()
	}
	return fmt.Sprintf("%s: %d/%s records, %.0f/s, ETA %s", e.Phase, e.Read, total, rate, eta)
}

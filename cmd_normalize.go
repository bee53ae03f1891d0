package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"coexsync/sync/normalize"
)

func newNormalizeCommand() *cobra.Command {
	var region string
	cmd := &cobra.Command{
		Use:   "normalize [NUMBER…]",
		Short: "Normalize phone numbers to E.164 as the sync would (JSON lines)",
		Long: "Prints one JSON object per number: raw, e164, valid, reason, message and the\n" +
			"candidates the sync matches CRM records by. Numbers come from the arguments,\n" +
			"or one per line on standard input.",
		Example: "  coexsync normalize --region BR 11987654321 '+52 1 55 1234 5678'\n  cut -d, -f2 contacts.csv | coexsync normalize --region US",
		RunE: func(cmd *cobra.Command, args []string) error {
			region = strings.ToUpper(region)
			if region != "" && len(region) != 2 {
				return fmt.Errorf("--region %q: want an ISO 3166 alpha-2 code such as BR", region)
			}
			out := bufio.NewWriter(cmd.OutOrStdout())
			defer out.Flush()
			if len(args) > 0 {
				return normalizeAll(out, args, region)
			}
			return normalizeLines(out, cmd.InOrStdin(), region)
		},
	}
	cmd.Flags().StringVar(&region, "region", "", "region hint for numbers without a country code (ISO 3166 alpha-2)")
	return cmd
}

func normalizeAll(w io.Writer, raws []string, region string) error {
	for _, r := range normalize.Batch(raws, region) {
		if err := normalize.WriteJSON(w, r); err != nil {
			return err
		}
	}
	return nil
}

// normalizeLines streams stdin in chunks so a large file neither waits for
// EOF nor loses the parallel batch.
func normalizeLines(w io.Writer, r io.Reader, region string) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var chunk []string
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			chunk = append(chunk, line)
		}
		if len(chunk) == 4096 {
			if err := normalizeAll(w, chunk, region); err != nil {
				return err
			}
			chunk = chunk[:0]
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading numbers: %w", err)
	}
	return normalizeAll(w, chunk, region)
}

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"coexsync/sandbox"
)

// Files `sandbox serve` writes into --dir.
const (
	serveEnvFile      = "sandbox.env"
	serveContactsFile = "contacts.json"
	servePIDFile      = "pid"
	// serveControlEnv names the control API's URL in sandbox.env.
	serveControlEnv = "COEXSYNC_SANDBOX_CONTROL"
)

func newSandboxCommand(cfg *config) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run the fake Meta, HubSpot and Intercom servers on their own",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newSandboxServeCommand(cfg))
	return cmd
}

// serveFlags are `sandbox serve`'s options.
type serveFlags struct {
	dir       string
	contacts  int
	faults    string
	listen    string
	window    time.Duration
	searchLag time.Duration
	timeout   time.Duration
	webhook   string
}

func newSandboxServeCommand(cfg *config) *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve --dir DIR",
		Short: "Serve the fakes as one long-lived process, for tests that restart coexsync",
		Long: "Runs the fake Graph, HubSpot and Intercom servers on loopback until stopped\n" +
			"(Ctrl-C or SIGTERM); their state outlives every coexsync process pointed at\n" +
			"them. Writes into DIR:\n" +
			"  sandbox.env    KEY=VALUE lines that point plain coexsync at the fakes\n" +
			"                 (URLs, fake tokens, COEXSYNC_DB=DIR/coexsync.db, control URL,\n" +
			"                 COEXSYNC_CRM_SEARCH_LAG=--search-lag and, with --crm-timeout,\n" +
			"                 COEXSYNC_CRM_TIMEOUT: rehearsal overrides of the clients' timings)\n" +
			"  contacts.json  the generated contacts as webhook bodies, for coexsync import\n" +
			"  pid            this process's id\n" +
			"The control API (URL in sandbox.env as " + serveControlEnv + "):\n" +
			"  GET /state, POST /faults (JSON), POST /down and /up [?service=graph|hubspot|intercom],\n" +
			"  POST /release (commit held slow creates now).\n" +
			"--faults takes key=value pairs: rate_limited, server_error, garbage, timeout,\n" +
			"truncated (fractions of requests), slow_create, search_lag (durations), crm.",
		Example: "  coexsync sandbox serve --dir /tmp/sbx --contacts 300 --window 1s &\n" +
			"  set -a; . /tmp/sbx/sandbox.env; set +a\n" +
			"  coexsync import /tmp/sbx/contacts.json\n" +
			"  coexsync sync --number 100000000000004 --crm hubspot",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSandboxServe(cmd.Context(), cfg, f, cmd.OutOrStdout())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.dir, "dir", "", "directory for sandbox.env, contacts.json and pid (created 0700)")
	fl.IntVar(&f.contacts, "contacts", 0, "contacts per Business App number (default: the console sandbox's 1,200 / 800 / 300)")
	fl.StringVar(&f.faults, "faults", "", "faults injected from the start, e.g. server_error=0.05,slow_create=2s")
	fl.StringVar(&f.listen, "listen", "127.0.0.1:0", "loopback address of the control API; the fakes listen on its host")
	fl.DurationVar(&f.window, "window", 0, "shrink both CRMs' rate-limit windows to this, budgets unchanged (tests; default the vendors' 10 s)")
	fl.DurationVar(&f.searchLag, "search-lag", 3*time.Second, "how long a new CRM record stays out of search")
	fl.DurationVar(&f.timeout, "crm-timeout", 0, "write COEXSYNC_CRM_TIMEOUT into sandbox.env: the time limit of one CRM request of coexsync runs against these fakes (rehearsals; default the clients' 30 s)")
	fl.StringVar(&f.webhook, "webhook", "", "where the fake Meta delivers contacts after a sync request (e.g. a coexsync webhook URL)")
	return cmd
}

// loopbackHost refuses addresses other machines could reach: the fakes
// take their published tokens from anyone.
func loopbackHost(addr string) (string, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("--listen %q: %w", addr, err)
	}
	if host == "localhost" {
		return "127.0.0.1", nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return "", fmt.Errorf("--listen %q: want a loopback address such as 127.0.0.1:0 (the fakes accept their tokens from anyone who reaches them)", addr)
	}
	return host, nil
}

func (f serveFlags) check() error {
	switch {
	case f.dir == "":
		return errors.New("--dir is required: the directory to write sandbox.env, contacts.json and pid into")
	case f.contacts < 0:
		return fmt.Errorf("--contacts %d: want 0 (the default sizes) or more", f.contacts)
	case f.window < 0 || f.searchLag < 0 || f.timeout < 0:
		return errors.New("--window, --search-lag and --crm-timeout cannot be negative")
	}
	return nil
}

func runSandboxServe(ctx context.Context, cfg *config, f serveFlags, stdout io.Writer) error {
	if err := f.check(); err != nil {
		return exitCode{code: 2, err: err}
	}
	faults, err := sandbox.ParseFaults(f.faults)
	if err != nil {
		return exitCode{code: 2, err: fmt.Errorf("--faults: %w", err)}
	}
	host, err := loopbackHost(f.listen)
	if err != nil {
		return exitCode{code: 2, err: err}
	}
	if err := os.MkdirAll(f.dir, 0o700); err != nil {
		return err
	}
	// A stale env file would send a waiting test to a dead server.
	envPath := filepath.Join(f.dir, serveEnvFile)
	os.Remove(envPath)

	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return fmt.Errorf("sandbox serve: %w", err)
	}
	sv, err := sandbox.Serve(sandbox.ServeOptions{
		Seed: cfg.seed, Contacts: f.contacts, SearchLag: f.searchLag, Window: f.window,
		Host: host, Faults: faults, Webhook: f.webhook,
	})
	if err != nil {
		ln.Close()
		return err
	}
	defer sv.Close()
	control := &http.Server{Handler: sv.ControlHandler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- control.Serve(ln) }()
	controlURL := "http://" + ln.Addr().String()

	pidPath := filepath.Join(f.dir, servePIDFile)
	defer os.Remove(pidPath)
	defer os.Remove(envPath)
	if err := writeServeFiles(f.dir, sv, controlURL, f.clientEnv()); err != nil {
		return err
	}
	printServe(stdout, f, sv, controlURL, cfg.seed)

	select {
	case <-ctx.Done():
	case err := <-served:
		return fmt.Errorf("sandbox serve: control API: %w", err)
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	control.Shutdown(shutdown)
	fmt.Fprintln(stdout, "sandbox serve: stopped")
	return nil
}

// clientEnv are the rehearsal overrides sandbox.env hands every coexsync
// run: the engine judges creates in doubt after the fakes' search lag (not
// the vendors' 10 s and 3 min), and --crm-timeout when given. A search lag
// raised later through POST /faults must stay within the one written here.
func (f serveFlags) clientEnv() [][2]string {
	var env [][2]string
	if f.searchLag > 0 {
		env = append(env, [2]string{"COEXSYNC_CRM_SEARCH_LAG", f.searchLag.String()})
	}
	if f.timeout > 0 {
		env = append(env, [2]string{"COEXSYNC_CRM_TIMEOUT", f.timeout.String()})
	}
	return env
}

// writeServeFiles writes contacts.json and pid, then sandbox.env last and
// by rename: a test waiting for the env file finds the server ready.
func writeServeFiles(dir string, sv *sandbox.Served, controlURL string, extra [][2]string) error {
	var contacts bytes.Buffer
	if err := sv.WriteContacts(&contacts); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, serveContactsFile), contacts.Bytes(), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, servePIDFile), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600); err != nil {
		return err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	var env strings.Builder
	for _, kv := range sv.Env() {
		fmt.Fprintf(&env, "%s=%s\n", kv[0], kv[1])
	}
	// Runs against the fakes keep their history apart from real ones.
	fmt.Fprintf(&env, "COEXSYNC_DB=%s\n", filepath.Join(abs, "coexsync.db"))
	for _, kv := range extra {
		fmt.Fprintf(&env, "%s=%s\n", kv[0], kv[1])
	}
	fmt.Fprintf(&env, "%s=%s\n", serveControlEnv, controlURL)
	tmp := filepath.Join(dir, "."+serveEnvFile+".tmp")
	if err := os.WriteFile(tmp, []byte(env.String()), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, serveEnvFile))
}

// printServe shows where everything is; never a token.
func printServe(w io.Writer, f serveFlags, sv *sandbox.Served, controlURL string, seed int64) {
	fmt.Fprintf(w, "coexsync sandbox serve: seed %d, search lag %s", seed, f.searchLag)
	if f.window > 0 {
		fmt.Fprintf(w, ", rate-limit windows %s", f.window)
	}
	fmt.Fprintln(w)
	for _, row := range [][2]string{
		{"graph", sv.URL(sandbox.ServiceGraph)},
		{"hubspot", sv.URL(sandbox.ServiceHubSpot)},
		{"intercom", sv.URL(sandbox.ServiceIntercom)},
		{"control", controlURL + "/state"},
		{"env", filepath.Join(f.dir, serveEnvFile) + "   (set -a; . " + filepath.Join(f.dir, serveEnvFile) + "; set +a)"},
		{"contacts", filepath.Join(f.dir, serveContactsFile) + "   (coexsync import " + filepath.Join(f.dir, serveContactsFile) + ")"},
	} {
		fmt.Fprintf(w, "  %-9s %s\n", row[0], row[1])
	}
	fmt.Fprintln(w, "numbers:")
	for _, n := range sv.Numbers() {
		note := fmt.Sprintf("%d contacts", n.Contacts)
		if !n.Number.IsOnBizApp {
			note = "not on the Business App"
		}
		fmt.Fprintf(w, "  %s  %-16s %-18s %s\n", n.Number.ID, n.Number.DisplayPhoneNumber, n.Number.VerifiedName, note)
	}
	fmt.Fprintln(w, "stop with Ctrl-C or SIGTERM")
}

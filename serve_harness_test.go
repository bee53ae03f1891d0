package main

// Harness for out-of-process tests: build the coexsync binary once, start
// `coexsync sandbox serve` as a child process, run coexsync commands
// against it with its sandbox.env, and read or change the fakes' state
// through the control API. Kill/resume trials build on these helpers.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"coexsync/internal/testexit"
	"coexsync/sandbox"
)

var (
	buildOnce sync.Once
	buildDir  string // removed by TestMain
	builtBin  string
	buildErr  error
)

func TestMain(m *testing.M) {
	flag.Parse()
	// TestTrials holds a parallel slot for half a minute while it mostly
	// waits on its child processes; the other tests get the CPUs.
	if !flagSet("test.parallel") {
		flag.Set("test.parallel", strconv.Itoa(runtime.GOMAXPROCS(0)+1))
	}
	if flag.Lookup("test.run").Value.String() == "" {
		// The whole package: the out-of-process tests are parallel, so
		// they start last; build their binary while the others run.
		go buildOnce.Do(build)
	}
	code := m.Run()
	buildOnce.Do(func() {}) // waits for a build under way
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	testexit.Exit(code)
}

// flagSet reports whether the command line set the flag name.
func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// buildBinary builds this package's command once per test process.
func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(build)
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

func build() {
	buildDir, buildErr = os.MkdirTemp("", "coexsync-bin-")
	if buildErr != nil {
		return
	}
	builtBin = filepath.Join(buildDir, "coexsync")
	out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
	if err != nil {
		buildErr = errors.New("go build: " + err.Error() + "\n" + string(out))
	}
}

// lockedBuffer collects a child's output while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serveProc is a running `coexsync sandbox serve` child.
type serveProc struct {
	Bin     string
	Dir     string            // --dir: sandbox.env, contacts.json, pid
	Env     map[string]string // sandbox.env
	Control string            // control API base URL
	Output  *lockedBuffer     // the child's stdout and stderr
	home    string            // HOME and XDG_DATA_HOME of every child
	cmd     *exec.Cmd
	done    chan struct{}
	waitErr error
}

// startServe starts `coexsync sandbox serve --dir DIR args…` and waits
// until sandbox.env is written (the server is ready then). It is stopped
// with SIGTERM when the test ends.
func startServe(t *testing.T, bin string, args ...string) *serveProc {
	t.Helper()
	p := &serveProc{Bin: bin, Dir: t.TempDir(), home: t.TempDir(), Output: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"sandbox", "serve", "--dir", p.Dir}, args...)...)
	p.cmd.Env = p.childEnv(nil)
	p.cmd.Stdout, p.cmd.Stderr = p.Output, p.Output
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.waitErr = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.stop() })
	envPath := filepath.Join(p.Dir, serveEnvFile)
	deadline := time.Now().Add(60 * time.Second)
	for !fileExists(envPath) {
		select {
		case <-p.done:
			t.Fatalf("sandbox serve exited early: %v\n%s", p.waitErr, p.Output.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("sandbox serve not ready after 60 s:\n%s", p.Output.String())
		}
	}
	p.Env = readEnvFile(t, envPath)
	p.Control = p.Env[serveControlEnv]
	return p
}

// childEnv is a clean environment (no developer credentials) with the
// served env and extra on top.
func (p *serveProc) childEnv(extra map[string]string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + p.home, "XDG_DATA_HOME=" + p.home}
	for _, m := range []map[string]string{p.Env, extra} {
		for k, v := range m {
			env = append(env, k+"="+v)
		}
	}
	return env
}

func readEnvFile(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			env[k] = v
		}
	}
	return env
}

// Command is coexsync args… with the served environment, not started:
// trials start it and kill it as they please.
func (p *serveProc) Command(args ...string) *exec.Cmd {
	cmd := exec.Command(p.Bin, args...)
	cmd.Env = p.childEnv(nil)
	return cmd
}

// Run runs coexsync args… against the server and waits for it.
func (p *serveProc) Run(t *testing.T, args ...string) cliResult {
	t.Helper()
	cmd := p.Command(args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := cliResult{out: out.String(), errOut: errOut.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code, r.err = exit.ExitCode(), strings.TrimSpace(errOut.String())
	case err != nil:
		t.Fatalf("coexsync %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// Stop sends SIGTERM and returns how the server exited.
func (p *serveProc) Stop(t *testing.T) error {
	t.Helper()
	if err := p.stop(); err != nil {
		return err
	}
	return p.waitErr
}

func (p *serveProc) stop() error {
	select {
	case <-p.done:
		return nil
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
		return errors.New("sandbox serve ignored SIGTERM for 30 s")
	}
}

// State is GET /state.
func (p *serveProc) State(t *testing.T) sandbox.State {
	t.Helper()
	resp, err := http.Get(p.Control + "/state")
	if err != nil {
		t.Fatal(err)
	}
	return decodeState(t, resp)
}

// post calls a control endpoint (body nil: none) and returns the State.
func (p *serveProc) post(t *testing.T, path string, body any) sandbox.State {
	t.Helper()
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	resp, err := http.Post(p.Control+path, "application/json", r)
	if err != nil {
		t.Fatal(err)
	}
	return decodeState(t, resp)
}

// SetFaults replaces the faults (POST /faults).
func (p *serveProc) SetFaults(t *testing.T, req sandbox.FaultsRequest) sandbox.State {
	t.Helper()
	return p.post(t, "/faults", req)
}

// Down takes services off the network (all three when none is named).
func (p *serveProc) Down(t *testing.T, services ...string) sandbox.State {
	t.Helper()
	return p.post(t, "/down"+serviceQuery(services), nil)
}

// Up puts services back on their addresses.
func (p *serveProc) Up(t *testing.T, services ...string) sandbox.State {
	t.Helper()
	return p.post(t, "/up"+serviceQuery(services), nil)
}

// Release commits every held slow create and waits until they landed.
func (p *serveProc) Release(t *testing.T) sandbox.State {
	t.Helper()
	return p.post(t, "/release", nil)
}

func serviceQuery(services []string) string {
	if len(services) == 0 {
		return ""
	}
	return "?service=" + strings.Join(services, "&service=")
}

func decodeState(t *testing.T, resp *http.Response) sandbox.State {
	t.Helper()
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("control API: %d %s", resp.StatusCode, raw)
	}
	var st sandbox.State
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatalf("control API: %v: %s", err, raw)
	}
	return st
}

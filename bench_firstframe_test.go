package main

import (
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// BenchmarkBinaryFirstFrame is what an agent waits for after typing
// `coexsync`: the real binary starts on a fresh database in the sandbox
// (migrations, fakes, dataset) and draws. script gives it a terminal, so
// the figures include that wrapper's own start. frame-ms: start → the
// first frame (every frame has the sandbox label); numbers-ms: start →
// the numbers listed.
func BenchmarkBinaryFirstFrame(b *testing.B) {
	if _, err := exec.LookPath("script"); err != nil {
		b.Skip("no script command (util-linux) to give the console a terminal")
	}
	buildOnce.Do(build)
	if buildErr != nil {
		b.Fatal(buildErr)
	}
	var frame, numbers time.Duration
	for i := 0; b.Loop(); i++ {
		f, n := firstFrame(b, filepath.Join(b.TempDir(), "s"+strconv.Itoa(i)))
		frame += f
		numbers += n
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 / float64(b.N) }
	b.ReportMetric(ms(frame), "frame-ms")
	b.ReportMetric(ms(numbers), "numbers-ms")
}

// firstFrame starts the console binary with its data under dir and returns
// how long it took to draw its first frame, and then the numbers.
func firstFrame(b *testing.B, dir string) (frame, numbers time.Duration) {
	b.Helper()
	// The shell says its pid, which exec hands to the console: script
	// starts it in a session of its own, beyond the group killed below,
	// and a console whose SIGHUP is ignored (nohup) outlives its terminal.
	shell := "stty rows 24 cols 80; echo console-pid $$; exec " + builtBin + " --db " + filepath.Join(dir, "sandbox.db")
	cmd := exec.Command("script", "-qfec", shell, "/dev/null")
	cmd.Env = append(cmd.Environ(), "XDG_DATA_HOME="+dir, "NO_COLOR=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdin, err := cmd.StdinPipe() // held open: the console reads keys from it
	if err != nil {
		b.Fatal(err)
	}
	defer stdin.Close()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	var seen []byte
	defer func() {
		if i := bytes.Index(seen, []byte("console-pid ")); i >= 0 {
			var pid int
			if _, err := fmt.Sscanf(string(seen[i:]), "console-pid %d", &pid); err == nil && pid > 0 {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	}()
	buf := make([]byte, 64<<10)
	for !bytes.Contains(seen, []byte("Coexistence")) {
		n, err := out.Read(buf)
		seen = append(seen, buf[:n]...)
		if frame == 0 && bytes.Contains(seen, []byte("[SANDBOX]")) {
			frame = time.Since(start)
		}
		if err == io.EOF {
			b.Fatalf("the console ended before it listed the numbers:\n%s", seen)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	return frame, time.Since(start)
}

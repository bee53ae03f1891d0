package testexit

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// exitEnv makes this test binary call Exit with its value instead of
// running the tests.
const exitEnv = "TESTEXIT_CODE"

func TestMain(m *testing.M) {
	if v, ok := os.LookupEnv(exitEnv); ok {
		code, _ := strconv.Atoi(v)
		os.Stdout.WriteString("before exit\n")
		Exit(code)
	}
	Exit(m.Run())
}

// The exit code is the binary's result for go test: a failing run that
// exited 0 would pass. Checked in a child, with and without -race.
func TestExitKeepsTheCode(t *testing.T) {
	for _, code := range []int{0, 1, 3} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), exitEnv+"="+strconv.Itoa(code))
		out, err := cmd.Output()
		got := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			got = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if got != code || string(out) != "before exit\n" {
			t.Errorf("Exit(%d): exit code %d, output %q", code, got, out)
		}
	}
}

package cli_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/internal/e2etest"
)

// tfdrift is the binary under test, built once for the package by
// TestMain from ./cmd/tfdrift.
var tfdrift string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tfdrift-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		if tfdrift, err = e2etest.Build(dir, "v0.0.0-e2e"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

// runCmd runs the built tfdrift with args and stdin, in the test's
// environment (t.Setenv included), and returns its exit status and output.
func runCmd(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(tfdrift, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Dir = t.TempDir()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run %s: %v", filepath.Base(tfdrift), err)
	}
	return result{code, out.String(), errb.String()}
}

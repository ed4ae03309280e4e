package main

import (
	"bufio"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run this binary as tfdrift itself (see tfdrift):
// signal handling and broken pipes need a real process.
func TestMain(m *testing.M) {
	if os.Getenv("TFDRIFT_TEST_AS_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// tfdrift returns a command that runs the test binary as tfdrift args.
func tfdrift(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "TFDRIFT_TEST_AS_MAIN=1")
	return cmd
}

// waitExit waits for cmd with a deadline and returns its exit status.
func waitExit(t *testing.T, cmd *exec.Cmd, within time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return cmd.ProcessState.ExitCode()
	case <-time.After(within):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%v did not exit within %s", cmd.Args, within)
		return -1
	}
}

// demo left its temporary folder behind when its output pipe closed
// (tfdrift demo | head -1): SIGPIPE killed it before its cleanup. Writes
// now fail with EPIPE, demo cleans up, and the status is still 141
// (issue 14, item 19).
func TestDemoCleansUpWhenItsOutputCloses(t *testing.T) {
	tmp := t.TempDir()
	cmd := tfdrift(t, "demo", "--replay-only")
	cmd.Env = append(cmd.Env, "TMPDIR="+tmp)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out.Close() // the reader goes away before the first drift is written
	if code := waitExit(t, cmd, 30*time.Second); code != exitBrokenPipe {
		t.Errorf("exit %d, want %d", code, exitBrokenPipe)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("demo left %s behind in its temporary folder", left[0].Name())
	}
}

// The real binary stops replaying on SIGTERM and on SIGINT, on input with
// no records (issue 14, item 3).
func TestReplayStopsOnSignal(t *testing.T) {
	sc := extract(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		cmd := tfdrift(t, "replay", "--state", sc.State, "/dev/zero")
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond) // into the read (a signal earlier passes too)
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		msg, _ := bufio.NewReader(stderr).ReadString('\n')
		if code := waitExit(t, cmd, 10*time.Second); code != 1 {
			t.Errorf("%v: exit %d, want 1; stderr %q", sig, code, msg)
		}
	}
}

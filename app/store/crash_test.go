package store_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/app/store"
)

// The crash tests run this test binary again as a child (TestMain sees
// envCrashChild), let it work on the store, and kill -9 it: nothing the
// child committed may be lost, and nothing half-done may be visible.
const (
	envCrashChild = "TFDRIFT_STORE_CRASH_CHILD"
	envCrashDSN   = "TFDRIFT_STORE_CRASH_DSN"
)

// crashChild is the child's side. It reports progress on stdout, one line
// per committed step, and then waits to be killed.
func crashChild(mode, dsn string) int {
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	switch mode {
	case "claim":
		ns, err := st.ClaimNotices(ctx, "doomed-worker", 10, time.Minute)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
		for _, n := range ns {
			fmt.Printf("claimed %d\n", n.ID)
		}
		fmt.Println("done")
	case "record":
		for i := 0; ; i++ {
			d := sampleDrift("r"+strconv.Itoa(i), "v")
			if _, _, err := st.RecordDrift(ctx, d, noticesFor(d, "slack", "jira")); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 3
			}
			fmt.Printf("recorded %s\n", d.Fingerprint)
		}
	case "storm":
		// Drifts of one actor, under storm control: the first passes, the
		// rest are held in a window that outlives this process.
		rule := store.StormRule{Key: "storm_crash", Threshold: 2, Window: time.Hour}
		for i := range 20 {
			d := sampleDrift("s"+strconv.Itoa(i), "v")
			res, err := st.RecordDrifts(ctx, []store.DriftWrite{{Drift: d, Notices: []store.NewNotice{
				{Sink: "pagerduty", Key: d.Fingerprint + "/pagerduty", Payload: []byte(d.Fingerprint), Storm: &rule}}}})
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 3
			}
			fmt.Printf("recorded %s held %d\n", d.Fingerprint, res[0].Held)
		}
		fmt.Println("done")
	case "storm-claim":
		ws, err := st.ClaimStorms(ctx, "doomed-flusher", 10, time.Minute)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
		for _, w := range ws {
			fmt.Printf("claimed %d\n", w.ID)
		}
		fmt.Println("done")
	default:
		fmt.Fprintf(os.Stderr, "unknown crash mode %q\n", mode)
		return 3
	}
	// Never close the store: wait for the kill (or for the parent to go
	// away, which closes stdin).
	io.Copy(io.Discard, os.Stdin) //nolint:errcheck
	return 0
}

// startChild runs the child and returns its stdout lines as they come.
func startChild(t *testing.T, mode, dsn string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envCrashChild+"="+mode, envCrashDSN+"="+dsn)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill() //nolint:errcheck // usually already dead
		cmd.Wait()         //nolint:errcheck
	})
	return cmd, bufio.NewScanner(out)
}

func kill9(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Kill(); err != nil {
		t.Fatalf("kill child: %v", err)
	}
	cmd.Wait() //nolint:errcheck // "signal: killed" is the point
}

// TestCrashDuringDelivery: a worker claims notices and dies before marking
// them. After its lease they are claimable again and get delivered once.
func TestCrashDuringDelivery(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		// The child uses the real clock; so does the setup, so the notices
		// are due for it.
		setup := open(t, dsn, nil)
		standalone(t, setup, "pagerduty", 3)
		setup.Close()

		cmd, lines := startChild(t, "claim", dsn)
		var claimed []int64
		for lines.Scan() && lines.Text() != "done" {
			id, err := strconv.ParseInt(strings.TrimPrefix(lines.Text(), "claimed "), 10, 64)
			if err != nil {
				t.Fatalf("child said %q", lines.Text())
			}
			claimed = append(claimed, id)
		}
		if len(claimed) != 3 {
			t.Fatalf("child claimed %d notices, want 3", len(claimed))
		}
		kill9(t, cmd)

		// Restart, with a clock that can pass the child's lease.
		clk := &clock{t: time.Now()}
		st := open(t, dsn, clk)
		if ns := claim(t, st, "survivor", 10); len(ns) != 0 {
			t.Fatalf("claimed %v while the dead worker's lease runs", keysOf(ns))
		}
		clk.Advance(2 * time.Minute)
		ns := claim(t, st, "survivor", 10)
		if len(ns) != 3 {
			t.Fatalf("after the lease, claimed %d, want 3", len(ns))
		}
		for i, n := range ns {
			if n.ID != claimed[i] || n.Attempts != 2 {
				t.Errorf("re-claimed notice %d attempt %d, want %d attempt 2", n.ID, n.Attempts, claimed[i])
			}
		}
		settleAll(t, st, "survivor", ns)
		clk.Advance(time.Hour)
		if ns := claim(t, st, "survivor", 10); len(ns) != 0 {
			t.Errorf("delivered notices came back: %v", keysOf(ns))
		}
		if n := len(noticesByStatus(t, st, store.NoticeDelivered)); n != 3 {
			t.Errorf("%d delivered, want 3", n)
		}
	})
}

// TestCrashDuringRecording: kill -9 in the middle of a stream of
// RecordDrift calls. Every drift the child reported is there, and every
// stored drift has all its notices: the transaction is all or nothing.
func TestCrashDuringRecording(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		open(t, dsn, nil).Close() // migrate before the child races us
		cmd, lines := startChild(t, "record", dsn)
		var reported []string
		for len(reported) < 40 && lines.Scan() {
			reported = append(reported, strings.TrimPrefix(lines.Text(), "recorded "))
		}
		kill9(t, cmd)
		if len(reported) < 40 {
			t.Fatalf("child recorded only %d drifts before it ended", len(reported))
		}

		st := open(t, dsn, nil)
		ctx := context.Background()
		for _, fp := range reported {
			if _, err := st.Get(ctx, fp); err != nil {
				t.Errorf("reported drift %s lost: %v", fp, err)
			}
		}
		var records int
		for f := (store.Filter{Limit: 1000}); ; {
			p, err := st.List(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range p.Records {
				records++
				ns, err := st.ListNotices(ctx, store.NoticeFilter{Fingerprint: r.Fingerprint})
				if err != nil {
					t.Fatal(err)
				}
				if len(ns) != 2 {
					t.Errorf("drift %s has %d notices, want 2", r.Fingerprint, len(ns))
				}
			}
			if p.Next == "" {
				break
			}
			f.Cursor = p.Next
		}
		if records < len(reported) {
			t.Errorf("%d records, fewer than the %d reported", records, len(reported))
		}
	})
}

// TestCrashInsideStormWindow: kill -9 while a storm window collects. The
// held drifts are in the store, not in the dead process: after the
// restart the window falls due and is announced once, with every held
// drift once.
func TestCrashInsideStormWindow(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		open(t, dsn, nil).Close()
		cmd, lines := startChild(t, "storm", dsn)
		var passed, held []string
		for lines.Scan() && lines.Text() != "done" {
			var fp string
			var n int
			if _, err := fmt.Sscanf(lines.Text(), "recorded %s held %d", &fp, &n); err != nil {
				t.Fatalf("child said %q", lines.Text())
			}
			if n == 1 {
				held = append(held, fp)
			} else {
				passed = append(passed, fp)
			}
		}
		kill9(t, cmd)
		if len(passed) != 1 || len(held) != 19 {
			t.Fatalf("child passed %d and held %d drifts, want 1 and 19", len(passed), len(held))
		}

		// The restarted process, its clock past the window's end.
		clk := &clock{t: time.Now()}
		st := open(t, dsn, clk)
		ctx := context.Background()
		if ws := claimStorms(t, st, "restarted"); len(ws) != 0 {
			t.Fatalf("a window fell due before its end: %+v", ws)
		}
		clk.Advance(time.Hour)
		ws := claimStorms(t, st, "restarted")
		if len(ws) != 1 {
			t.Fatalf("after the restart %d windows are due, want 1", len(ws))
		}
		if diff := cmp.Diff(held, memberFPs(ws[0])); diff != "" {
			t.Errorf("the window after kill -9 (-want +got):\n%s", diff)
		}
		if err := st.FlushStorm(ctx, ws[0].ID, "restarted", groupOf(ws[0])); err != nil {
			t.Fatal(err)
		}
		ns := claim(t, st, "worker", 100)
		if len(ns) != 2 {
			t.Fatalf("%d notices to deliver, want the first drift's and one group: %v", len(ns), keysOf(ns))
		}
		settleAll(t, st, "worker", ns)
		clk.Advance(2 * time.Hour)
		if ws := claimStorms(t, st, "restarted"); len(ws) != 0 {
			t.Errorf("the window came back after its flush: %+v", ws)
		}
		if ns := claim(t, st, "worker", 100); len(ns) != 0 {
			t.Errorf("delivered notices came back: %v", keysOf(ns))
		}
	})
}

// TestCrashWhileFlushingStorm: a flusher claims a due window and is killed
// before flushing it. After its lease another flusher announces the
// window, once.
func TestCrashWhileFlushingStorm(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		// Record the storm an hour in the past, so it is due for the
		// child, which reads the real clock.
		clk := &clock{t: time.Now().Add(-time.Hour)}
		setup := open(t, dsn, clk)
		for i := range 4 {
			record(t, setup, sampleDrift("f"+strconv.Itoa(i), "v"))
		}
		setup.Close()

		cmd, lines := startChild(t, "storm-claim", dsn)
		var claimed []string
		for lines.Scan() && lines.Text() != "done" {
			claimed = append(claimed, lines.Text())
		}
		kill9(t, cmd)
		if len(claimed) != 1 {
			t.Fatalf("child claimed %q, want one window", claimed)
		}

		clk = &clock{t: time.Now()}
		st := open(t, dsn, clk)
		if ws := claimStorms(t, st, "survivor"); len(ws) != 0 {
			t.Fatalf("claimed a window the dead flusher's lease still covers")
		}
		clk.Advance(2 * time.Minute)
		ws := claimStorms(t, st, "survivor")
		if len(ws) != 1 || ws[0].Attempts != 2 || len(ws[0].Members) != 2 {
			t.Fatalf("after the lease: %+v", ws)
		}
		if err := st.FlushStorm(context.Background(), ws[0].ID, "survivor", groupOf(ws[0])); err != nil {
			t.Fatal(err)
		}
		groups := 0
		for _, n := range noticesByStatus(t, st, store.NoticePending) {
			if strings.HasPrefix(n.Key, "group/") {
				groups++
			}
		}
		if groups != 1 {
			t.Errorf("%d group notices, want 1", groups)
		}
	})
}

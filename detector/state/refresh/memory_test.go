package refresh

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/detector/state"
	"github.com/tfdrift/tfdrift/detector/state/internal/benchstate"
)

// reloadChildEnv, when set, makes the test binary a reload-memory child
// (see TestMain): it loads the state file the variable names, reloads it
// reloadCount times and prints a reloadReport as JSON on stdout.
const reloadChildEnv = "TFDRIFT_RELOAD_MEMORY_CHILD"

const reloadCount = 10

// reloadBytesEnv, when set in a reload-memory child, hides the local
// backend's stream, so that every load reads the whole file and then
// parses it: the baseline BenchmarkReloadMemory100kBytes measures.
const reloadBytesEnv = "TFDRIFT_RELOAD_MEMORY_BYTES"

// bytesOnly is a Backend without Open.
type bytesOnly struct{ state.Backend }

func TestMain(m *testing.M) {
	if path := os.Getenv(reloadChildEnv); path != "" {
		if err := reloadChild(path); err != nil {
			fmt.Fprintln(os.Stderr, "reload child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// reloadReport is what a reload-memory child measured, in bytes.
type reloadReport struct {
	File      int64   `json:"file"`
	Resources int     `json:"resources"`
	PeakRSS   []int64 `json:"peak_rss"` // VmHWM after the first load and after each reload
	Settled   int64   `json:"settled"`  // VmRSS after the last reload
	Live      int64   `json:"live"`     // heap in use after a GC, after the last reload
}

// reloadChild loads path through a Refresher, as serve does, then makes
// the file look new reloadCount times and checks it again each time.
func reloadChild(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	ix := state.NewIndex(state.KeySpec{
		ByType:  map[string][]string{"aws_iam_role_policy": {"role:name"}, "aws_s3_bucket": {"bucket"}},
		Default: []string{"id", "arn"},
	})
	var b state.Backend = state.NewLocal(path, state.Source{Account: "123456789012"})
	if os.Getenv(reloadBytesEnv) != "" {
		b = bytesOnly{b}
	}
	r, err := New(ix, []state.Backend{b})
	if err != nil {
		return err
	}
	ctx := context.Background()
	rep := reloadReport{File: fi.Size()}
	mtime := fi.ModTime()
	for i := 0; i <= reloadCount; i++ {
		if i > 0 {
			// A new modification time is a new version to the local
			// backend: the next check fetches, parses and swaps.
			mtime = mtime.Add(time.Second)
			if err := os.Chtimes(path, mtime, mtime); err != nil {
				return err
			}
		}
		if err := r.LoadAll(ctx); err != nil {
			return err
		}
		if got := r.Status()[0].Loads; got != uint64(i+1) {
			return fmt.Errorf("after check %d the source was loaded %d times", i+1, got)
		}
		hwm, err := procStatus("VmHWM")
		if err != nil {
			return err
		}
		rep.PeakRSS = append(rep.PeakRSS, hwm)
	}
	rep.Resources = ix.Len()
	if rep.Settled, err = procStatus("VmRSS"); err != nil {
		return err
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rep.Live = int64(ms.HeapAlloc)
	runtime.KeepAlive(ix)
	return json.NewEncoder(os.Stdout).Encode(rep)
}

// procStatus reads one "kB" field of /proc/self/status, in bytes.
func procStatus(field string) (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/self/status: %s: %w", field, err)
		}
		return kb << 10, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("/proc/self/status has no %s", field)
}

// runReloadChild writes an n-instance state, runs a fresh copy of the
// test binary on it with env added, and returns its report. A child process
// measures the reload alone: nothing the parent allocated counts.
func runReloadChild(tb testing.TB, n int, env ...string) reloadReport {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "big.tfstate")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := benchstate.Write(f, n); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), reloadChildEnv+"="+path), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("reload child: %v\n%s", err, stderr.String())
	}
	var rep reloadReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		tb.Fatalf("reload child printed %q: %v", stdout.String(), err)
	}
	if rep.Resources != n || len(rep.PeakRSS) != reloadCount+1 {
		tb.Fatalf("reload child loaded %d resources and measured %d times, want %d and %d",
			rep.Resources, len(rep.PeakRSS), n, reloadCount+1)
	}
	return rep
}

// BenchmarkReloadMemory100k loads a generated 100,000-instance state
// (311 MB) through a Refresher in a fresh process, reloads it ten
// times, and reports the process's peak RSS as a multiple of the file
// size. Target: under 2×. The child runs without GOMEMLIMIT, the worst
// case; the Helm chart sets one (deploy.md).
//
//	peakRSS_MB    VmHWM after the tenth reload
//	x_file        peakRSS_MB / fileMB: the target
//	first_x_file  VmHWM after the first load / fileMB
//	settled_MB    VmRSS after the tenth reload
//
// make bench-memory runs it. Each op is one whole child run.
func BenchmarkReloadMemory100k(b *testing.B) {
	benchReloadMemory100k(b, true)
}

// BenchmarkReloadMemory100kBytes is BenchmarkReloadMemory100k with a
// backend that cannot stream, so every load holds the whole file before
// parsing it (backends outside this module, and the path before
// streaming): the baseline, with no target.
func BenchmarkReloadMemory100kBytes(b *testing.B) {
	benchReloadMemory100k(b, false)
}

func benchReloadMemory100k(b *testing.B, stream bool) {
	var env []string
	if !stream {
		env = append(env, reloadBytesEnv+"=1")
	}
	var rep reloadReport
	for b.Loop() {
		rep = runReloadChild(b, 100_000, env...)
	}
	file := float64(rep.File)
	peak := float64(rep.PeakRSS[len(rep.PeakRSS)-1])
	b.ReportMetric(file/(1<<20), "fileMB")
	b.ReportMetric(peak/(1<<20), "peakRSS_MB")
	b.ReportMetric(peak/file, "x_file")
	b.ReportMetric(float64(rep.PeakRSS[0])/file, "first_x_file")
	b.ReportMetric(float64(rep.Settled)/(1<<20), "settled_MB")
	b.ReportMetric(float64(rep.Live)/(1<<20), "liveHeap_MB")
	if stream && peak >= 2*file {
		b.Errorf("peak RSS %.0f MB is %.2f× the %.0f MB state (target under 2×); after each load: %v; live heap: %v",
			peak/(1<<20), peak/file, file/(1<<20), rep.PeakRSS, rep.Live)
	}
}

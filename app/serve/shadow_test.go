package serve

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/demo/scenario"
	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/internal/eventually"
)

// The successive-edit records (testdata/sg_edits.json) are three console
// edits of one security group whose state (testdata/sg.tfstate) allows
// 443 from 10.0.0.0/8: open 22 to the world, revoke the 443 rule, open
// 8080 to 10.1.0.0/16. After each, the cloud holds:
var sgCloudAfter = [][]string{
	{"tcp/22 0.0.0.0/0", "tcp/443 10.0.0.0/8"},
	{"tcp/22 0.0.0.0/0"},
	{"tcp/22 0.0.0.0/0", "tcp/8080 10.1.0.0/16"},
}

// sgEdits returns the three edits as Falco alerts and a copy of the state.
func sgEdits(t *testing.T) (alerts [][]byte, statePath string) {
	t.Helper()
	data, err := os.ReadFile("testdata/sg_edits.json")
	if err != nil {
		t.Fatal(err)
	}
	if alerts, err = scenario.FalcoAlertsOf(data); err != nil || len(alerts) != 3 {
		t.Fatalf("alerts: %d, %v", len(alerts), err)
	}
	st, err := os.ReadFile("testdata/sg.tfstate")
	if err != nil {
		t.Fatal(err)
	}
	statePath = filepath.Join(t.TempDir(), "sg.tfstate")
	if err := os.WriteFile(statePath, st, 0o644); err != nil {
		t.Fatal(err)
	}
	return alerts, statePath
}

// server is one serve run in the test process.
type server struct {
	addr   string
	out    *lockedBuffer
	errb   *lockedBuffer
	cancel context.CancelFunc
	done   chan int
	reload chan struct{}
}

func startServe(t *testing.T, args ...string) *server {
	t.Helper()
	started := make(chan string, 1)
	s := &server{out: &lockedBuffer{}, errb: &lockedBuffer{}, done: make(chan int, 1), reload: make(chan struct{})}
	env := job.Env{Stdout: s.out, Stderr: s.errb}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() {
		s.done <- runArgs(ctx, env, append([]string{"--listen", "127.0.0.1:0", "--format", "json"}, args...),
			func(a *Args) { a.Started, a.Reload = func(addr string) { started <- addr }, s.reload })
	}()
	select {
	case s.addr = <-started:
	case code := <-s.done:
		t.Fatalf("serve exited %d: %s", code, s.errb.String())
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not start")
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

func (s *server) stop(t *testing.T) {
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	if code := <-s.done; code != 0 {
		t.Errorf("serve exited %d: %s", code, s.errb.String())
	}
}

func (s *server) post(t *testing.T, alert []byte) {
	t.Helper()
	resp, err := http.Post("http://"+s.addr+"/falco", "application/json", bytes.NewReader(alert))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /falco: %d", resp.StatusCode)
	}
}

// nextDrift waits for the n-th drift (0-based) serve printed and returns
// the security group's ingress as it expected and found it.
func (s *server) nextDrift(t *testing.T, n int) (expected, actual []string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var lines []string
		sc := bufio.NewScanner(strings.NewReader(s.out.String()))
		for sc.Scan() {
			if l := strings.TrimSpace(sc.Text()); l != "" {
				lines = append(lines, l)
			}
		}
		if len(lines) > n {
			var rec struct {
				ResourceAddress string `json:"resource_address"`
				Changes         map[string]struct {
					Expected []rule `json:"expected"`
					Actual   []rule `json:"actual"`
				} `json:"changes"`
			}
			if err := json.Unmarshal([]byte(lines[n]), &rec); err != nil {
				t.Fatalf("drift %d: %v\n%s", n, err, lines[n])
			}
			if rec.ResourceAddress != "aws_security_group.web" {
				t.Fatalf("drift %d on %s", n, rec.ResourceAddress)
			}
			in := rec.Changes["ingress"]
			return atoms(in.Expected), atoms(in.Actual)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no drift %d; stderr:\n%s", n, s.errb.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type rule struct {
	Protocol    string   `json:"protocol"`
	FromPort    int      `json:"from_port"`
	CIDRBlocks  []string `json:"cidr_blocks"`
	Description string   `json:"description"`
}

// atoms renders rules as sorted "protocol/port cidr" strings.
func atoms(rules []rule) []string {
	var out []string
	for _, r := range rules {
		for _, c := range r.CIDRBlocks {
			out = append(out, fmt.Sprintf("%s/%d %s", r.Protocol, r.FromPort, c))
		}
	}
	slices.Sort(out)
	return out
}

func checkEdit(t *testing.T, s *server, drift, edit int) {
	t.Helper()
	expected, actual := s.nextDrift(t, drift)
	if !slices.Equal(actual, sgCloudAfter[edit]) {
		t.Errorf("edit %d: actual ingress %q, want %q (the cloud after every edit so far)", edit+1, actual, sgCloudAfter[edit])
	}
	if !slices.Equal(expected, []string{"tcp/443 10.0.0.0/8"}) {
		t.Errorf("edit %d: expected ingress %q, want state's", edit+1, expected)
	}
}

// TestServeEditsAccumulateAcrossARestart is issue 13's case "three edits
// to one resource … across a restart of serve": the first edit, a
// restart, then the second and third; each drift's actual holds every
// edit so far, because the shadow lives in the store.
func TestServeEditsAccumulateAcrossARestart(t *testing.T) {
	alerts, state := sgEdits(t)
	db := "sqlite://" + filepath.Join(t.TempDir(), "tfdrift.db")
	args := []string{"--state", state, "--database", db}

	first := startServe(t, args...)
	first.post(t, alerts[0])
	checkEdit(t, first, 0, 0)
	first.stop(t)

	again := startServe(t, args...)
	again.post(t, alerts[1])
	checkEdit(t, again, 0, 1)
	again.post(t, alerts[2])
	checkEdit(t, again, 1, 2)
}

// TestServeWithoutStoreKeepsEditsForTheRun: without a database
// (--database memory) the shadow is in memory, for the process's life,
// and a configuration reload (which builds a new engine) keeps it: edits
// still accumulate.
func TestServeWithoutStoreKeepsEditsForTheRun(t *testing.T) {
	alerts, state := sgEdits(t)
	s := startServe(t, "--state", state, "--database", "memory")
	s.post(t, alerts[0])
	checkEdit(t, s, 0, 0)
	s.reload <- struct{}{}
	if !eventually.Poll(eventually.Timeout, func() bool { return strings.Contains(s.errb.String(), "configuration reloaded") }) {
		t.Fatalf("no reload: %s", s.errb.String())
	}
	for i := 1; i < len(alerts); i++ {
		s.post(t, alerts[i])
		checkEdit(t, s, i, i)
	}
}

package serve

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/internal/eventually"
)

func TestServeRefusesPublicListenerWithoutSecret(t *testing.T) {
	sc := extract(t)
	r := runServe(t, "--listen", "0.0.0.0:0", "--state", sc.State)
	if r.code != 1 || !strings.Contains(r.stderr, "refusing to serve /falco on 0.0.0.0:0 without a secret") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runServe(t, "--listen", "nonsense", "--state", sc.State); r.code != 1 || !strings.Contains(r.stderr, "--listen") {
		t.Errorf("bad --listen: %+v", r)
	}
	if r := runServe(t, "--queue-size", "0", "--state", sc.State); r.code != 1 || !strings.Contains(r.stderr, "--queue-size 0: want at least 1") {
		t.Errorf("bad --queue-size: %+v", r)
	}
	if r := runServe(t); r.code != 1 || !strings.Contains(r.stderr, "no Terraform state") {
		t.Errorf("no state: %+v", r)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// TestServeQuickStart is the README's quick start: no config, loopback,
// a state and a repo; an alert posted to /falco comes out as a JSON drift,
// with a secret required once one is configured.
func TestServeQuickStart(t *testing.T) {
	sc := extract(t)
	for _, withSecret := range []bool{false, true} {
		t.Run(map[bool]string{false: "loopback without secret", true: "with secret"}[withSecret], func(t *testing.T) {
			started := make(chan string, 1)
			hook := func(a *Args) { a.Started = func(addr string) { started <- addr } }
			out, errb := &lockedBuffer{}, &lockedBuffer{}
			env := job.Env{Stdout: out, Stderr: errb}
			ctx, cancel := context.WithCancel(context.Background())
			args := []string{"--listen", "127.0.0.1:0", "--state", sc.State, "--repo", sc.Repo, "--format", "json",
				"--database", filepath.Join(t.TempDir(), "tfdrift.db")}
			if withSecret {
				args = append(args, "--falco-secret", "0123456789abcdef-secret")
			}
			done := make(chan int, 1)
			go func() { done <- runArgs(ctx, env, args, hook) }()
			var addr string
			select {
			case addr = <-started:
			case code := <-done:
				t.Fatalf("serve exited %d: %s", code, errb.String())
			case <-time.After(10 * time.Second):
				t.Fatal("serve did not start")
			}
			alert, err := os.ReadFile(filepath.Join(sc.Dir, "events", "falco-alerts.ndjson"))
			if err != nil {
				t.Fatal(err)
			}
			post := func(path string) int {
				resp, err := http.Post("http://"+addr+path, "application/json", bytes.NewReader(alert))
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			if withSecret {
				if code := post("/falco"); code != http.StatusUnauthorized {
					t.Errorf("no secret: %d, want 401", code)
				}
				if code := post("/falco/0123456789abcdef-secret"); code != http.StatusAccepted {
					t.Errorf("with secret: %d", code)
				}
			} else if code := post("/falco"); code != http.StatusAccepted {
				t.Errorf("POST /falco: %d", code)
			}
			if !eventually.Poll(eventually.Timeout, func() bool {
				return strings.Contains(out.String(), `"resource_address":"aws_instance.workers[1]"`)
			}) {
				t.Fatalf("no drift on stdout; stderr:\n%s", errb.String())
			}
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("serve exited %d after SIGTERM-equivalent, want 0", code)
			}
		})
	}
}

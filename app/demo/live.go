package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/app/daemon"
	"github.com/tfdrift/tfdrift/app/demo/scenario"
	"github.com/tfdrift/tfdrift/app/ingest/falcohttp"
	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/detector"
	"github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/state"
)

// live runs the daemon in-process on a loopback port and posts the
// scenario's writes to it as Falco alerts.
func live(ctx context.Context, env job.Env, sc *scenario.Scenario, cfg *config.Config) error {
	alerts, err := sc.FalcoAlerts()
	if err != nil {
		return err
	}
	cat := catalog.Default()
	ix := wiring.NewIndex(cat)
	backends, err := wiring.LocalBackends(nil, []string{sc.State})
	if err != nil {
		return err
	}
	seen := &liveOutput{start: time.Now(), w: env.Stderr}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	started := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- daemon.Run(ctx, daemon.Options{
			Listen: "127.0.0.1:0", Index: ix, Backends: backends, Output: seen,
			Falco: falcohttp.Config{AllowUnauthenticated: true},
			Build: func(ctx context.Context, ix *state.Index, nudge func(*change.Change)) (*detector.Engine, error) {
				return wiring.NewEngine(ctx, wiring.DetectorOptions{Config: cfg, Index: ix, Backends: backends, RepoDir: sc.Repo, Catalog: cat, OnTrustedWrite: nudge})
			},
			Started: func(a string) { started <- a },
		})
	}()
	var addr string
	select {
	case addr = <-started:
	case err := <-done:
		return err
	}
	fmt.Fprintf(env.Stderr, "\ntfdrift demo: live — tfdrift serve on http://%s, posting %d Falco alerts to /falco\n\n", addr, len(alerts))
	client := &http.Client{Timeout: 5 * time.Second}
	for _, a := range alerts {
		seen.mark()
		resp, err := client.Post("http://"+addr+"/falco", "application/json", bytes.NewReader(a))
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("POST /falco: %s", resp.Status)
		}
		time.Sleep(150 * time.Millisecond) // pace it so each drift is seen arriving
	}
	time.Sleep(200 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "tfdrift demo: live — %d alerts posted, %d drifts streamed\n", len(alerts), seen.count())
	return nil
}

// liveOutput prints one line per drift with its latency from the alert's
// POST; the full alerts were printed by the replay half.
type liveOutput struct {
	mu    sync.Mutex
	start time.Time
	sent  time.Time
	n     int
	w     io.Writer
}

func (l *liveOutput) mark() { l.mu.Lock(); l.sent = time.Now(); l.mu.Unlock() }

func (l *liveOutput) count() int { l.mu.Lock(); defer l.mu.Unlock(); return l.n }

func (l *liveOutput) Write(d *drift.Drift) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	lat := time.Since(l.sent)
	fmt.Fprintf(l.w, "  ← drift %s %s in %s\n", strings.ToUpper(string(d.Severity)), d.Title(), lat.Round(10*time.Microsecond))
	return nil
}

func (l *liveOutput) Flush() error { return nil }

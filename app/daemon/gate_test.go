package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/app/demo/scenario"
	"github.com/tfdrift/tfdrift/app/ingest"
	"github.com/tfdrift/tfdrift/app/ingest/spool"
)

// outcomes reads tfdrift_events_processed_total by outcome.
func outcomes(t *testing.T, m *Metrics) map[string]float64 {
	t.Helper()
	fams, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range fams {
		if f.GetName() != "tfdrift_events_processed_total" {
			continue
		}
		for _, mm := range f.GetMetric() {
			// Every outcome's series exists from the start at 0; only a
			// counted one is a decision.
			if v := mm.GetCounter().GetValue(); v != 0 {
				out[mm.GetLabel()[0].GetValue()] = v
			}
		}
	}
	return out
}

// driftLines are the drifts a daemon printed (one JSON line each) as
// "change_type resource_type resource_id resource_address", sorted.
func driftLines(t *testing.T, out string) []string {
	t.Helper()
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var d struct{ ChangeType, ResourceType, ResourceID, ResourceAddress string }
		if err := json.Unmarshal([]byte(l), &struct {
			C *string `json:"change_type"`
			T *string `json:"resource_type"`
			I *string `json:"resource_id"`
			A *string `json:"resource_address"`
		}{&d.ChangeType, &d.ResourceType, &d.ResourceID, &d.ResourceAddress}); err != nil {
			t.Fatalf("drift line %q: %v", l, err)
		}
		lines = append(lines, strings.Join([]string{d.ChangeType, d.ResourceType, d.ResourceID, d.ResourceAddress}, " "))
	}
	slices.Sort(lines)
	return lines
}

// TestNothingDecidedBeforeStateLoads is issue 14's first finding: a
// daemon started before its state could be loaded took alerts and decided
// them against an empty index, counting the managed ones not_in_state and
// reporting others as unmanaged creations, and the spool marked them
// settled. Now alerts posted then are journaled and held, and decided
// once the state loads exactly as a daemon that had the state from the
// start decides them; the daemon is not ready meanwhile, says why every
// few seconds, and does not start its pulling inputs.
func TestNothingDecidedBeforeStateLoads(t *testing.T) {
	was := notLoadedLogEvery
	t.Cleanup(func() { notLoadedLogEvery = was }) // after the daemons stop
	notLoadedLogEvery = 20 * time.Millisecond
	sc, err := scenario.Extract(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	alerts, err := sc.FalcoAlerts()
	if err != nil {
		t.Fatal(err)
	}

	// What a daemon with the state decides for the scenario's alerts.
	// (A 200 is a duplicate the handler absorbed: not journaled.)
	run := func(t *testing.T, h *harness, sp *spool.Spool) {
		for i, a := range alerts {
			if resp := h.post(t, a); resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusOK {
				t.Fatalf("alert %d: %d", i, resp.StatusCode)
			}
		}
		waitFor(t, "every alert decided", func() bool { st := sp.Stats(); return st.Done+st.Failed == st.Appended })
	}
	ctlSpool, err := spool.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctl := startOn(t, sc, func(o *Options) { o.Spool = ctlSpool })
	run(t, ctl, ctlSpool)
	ctl.stop(t)
	want, wantDrifts := outcomes(t, ctl.m), driftLines(t, ctl.out.String())
	if want["drift"] == 0 || len(wantDrifts) == 0 {
		t.Fatalf("the control run found no drift: %v", want)
	}

	hidden := sc.State + ".hidden"
	if err := os.Rename(sc.State, hidden); err != nil {
		t.Fatal(err)
	}
	sp, err := spool.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	pull := &sendingInput{msgs: [][]byte{[]byte(`{}`)}, sent: make(chan struct{})}
	h := startOn(t, sc, func(o *Options) {
		o.Spool = sp
		o.Logger = slog.New(slog.NewJSONHandler(logs, nil))
		o.Inputs = []ingest.Input{pull}
	})
	if code, body := h.get(t, "/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "no such file") {
		t.Errorf("/readyz before the state loads: %d %q", code, body)
	}
	for i, a := range alerts {
		if resp := h.post(t, a); resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusOK {
			t.Fatalf("alert %d before the state loads: %d, want 202 (journaled)", i, resp.StatusCode)
		}
	}
	if got, want := sp.Stats().Appended, ctlSpool.Stats().Appended; got != want {
		t.Errorf("journaled %d alerts before the state loaded, the control %d", got, want)
	}
	waitFor(t, "the not-loaded error, repeated", func() bool {
		return strings.Count(logs.String(), `"msg":"state not loaded`) >= 3
	})
	if !strings.Contains(logs.String(), `"source":"`+sc.State+`"`) {
		t.Errorf("the log does not name the state:\n%s", logs.String())
	}
	if got := outcomes(t, h.m); len(got) != 0 {
		t.Errorf("decided before the state loaded: %v", got)
	}
	heldLine := fmt.Sprintf("\ntfdrift_events_held %d\n", sp.Stats().Appended)
	waitFor(t, "the held alerts counted:"+heldLine, func() bool { _, m := h.get(t, "/metrics"); return strings.Contains(m, heldLine) })
	if h.out.String() != "" {
		t.Errorf("drifts before the state loaded:\n%s", h.out.String())
	}
	select {
	case <-pull.sent:
		t.Error("a pulling input ran before the state loaded")
	default:
	}

	if err := os.Rename(hidden, sc.State); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "every held alert decided", func() bool { st := sp.Stats(); return st.Done+st.Failed == st.Appended })
	waitFor(t, "no alert held", func() bool { _, m := h.get(t, "/metrics"); return strings.Contains(m, "\ntfdrift_events_held 0\n") })
	if code, body := h.get(t, "/readyz"); code != http.StatusOK {
		t.Errorf("/readyz after the state loaded: %d %q", code, body)
	}
	select {
	case <-pull.sent:
	case <-time.After(10 * time.Second):
		t.Error("the pulling input did not start once the state loaded")
	}
	got := outcomes(t, h.m)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outcomes of the held alerts differ from a daemon that had the state (-want +got):\n%s", diff)
	}
	if got["not_in_state"] != 0 {
		t.Errorf("%v alerts counted not_in_state", got["not_in_state"])
	}
	if diff := cmp.Diff(wantDrifts, driftLines(t, h.out.String())); diff != "" {
		t.Errorf("drifts differ from a daemon that had the state (-want +got):\n%s", diff)
	}
}

// Without a spool there is nowhere to keep an alert: /falco answers 503
// with Retry-After until the state loads, then 202.
func TestNotLoadedWithoutSpoolAnswers503(t *testing.T) {
	sc, err := scenario.Extract(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	hidden := sc.State + ".hidden"
	if err := os.Rename(sc.State, hidden); err != nil {
		t.Fatal(err)
	}
	h := startOn(t, sc, nil)
	alert := falcoAlert(t, sc)
	resp, err := http.Post("http://"+h.addr+"/falco", "application/json", bytes.NewReader(alert))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("before the state loads: %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if got := outcomes(t, h.m); len(got) != 0 {
		t.Errorf("decided before the state loaded: %v", got)
	}
	if err := os.Rename(hidden, sc.State); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "ready", func() bool { code, _ := h.get(t, "/readyz"); return code == http.StatusOK })
	if resp := h.post(t, alert); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("after the state loaded: %d", resp.StatusCode)
	}
	waitFor(t, "the drift", func() bool { return strings.Contains(h.out.String(), "aws_instance.workers[1]") })
}

// The gate keeps the order of arrival, holds at most its limit (then
// refuses as overloaded), and stops handing over when the pipeline shuts
// down, leaving the rest journaled.
func TestGateOrderAndLimit(t *testing.T) {
	g := newGate(3)
	var got []string
	next := func(_ context.Context, m ingest.Message) error { got = append(got, m.ID); return nil }
	h := g.handler(next, true)
	for _, id := range []string{"a", "b", "c"} {
		if err := h(context.Background(), ingest.Message{ID: id}); err != nil {
			t.Fatal(err)
		}
	}
	if err := h(context.Background(), ingest.Message{ID: "d"}); !errors.Is(err, ingest.ErrOverloaded) {
		t.Errorf("past the limit: %v, want ErrOverloaded", err)
	}
	if len(got) != 0 {
		t.Fatalf("delivered before the gate opened: %v", got)
	}
	g.open(context.Background(), next)
	if err := h(context.Background(), ingest.Message{ID: "e"}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "b", "c", "e"}, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	big := newGate(10)
	if err := big.handler(next, true)(context.Background(), ingest.Message{Body: make([]byte, maxHeldBytes+1)}); !errors.Is(err, ingest.ErrOverloaded) {
		t.Errorf("past the byte bound: %v, want ErrOverloaded", err)
	}
	if err := newGate(1).handler(next, false)(context.Background(), ingest.Message{}); !errors.Is(err, ErrNotLoaded) {
		t.Errorf("without hold: %v, want ErrNotLoaded", err)
	}
	shut := newGate(2)
	shut.handler(next, true)(context.Background(), ingest.Message{ID: "x"})
	shut.open(context.Background(), func(context.Context, ingest.Message) error { return errShuttingDown })
	if shut.isOpen.Load() {
		t.Error("the gate opened although the pipeline shut down")
	}
}

// A failing ReadyCheck makes /readyz 503, names the check, and is logged
// once; passing again makes the daemon ready.
func TestReadyChecks(t *testing.T) {
	was := readyCheckEvery
	t.Cleanup(func() { readyCheckEvery = was }) // after the daemon stops
	readyCheckEvery = 0
	var broken atomic.Bool
	logs := &syncBuffer{}
	h := start(t, func(o *Options) {
		o.Logger = slog.New(slog.NewJSONHandler(logs, nil))
		o.ReadyChecks = []ReadyCheck{{Name: "store", Check: func(context.Context) error {
			if broken.Load() {
				return errors.New("the database file is damaged")
			}
			return nil
		}}}
	})
	if code, body := h.get(t, "/readyz"); code != http.StatusOK || !strings.Contains(body, "store: ok") {
		t.Errorf("/readyz: %d %q", code, body)
	}
	broken.Store(true)
	code, body := h.get(t, "/readyz")
	if code != http.StatusServiceUnavailable || !strings.HasPrefix(body, "not ready\n") || !strings.Contains(body, "store: the database file is damaged") {
		t.Errorf("/readyz with a failing check: %d %q", code, body)
	}
	h.get(t, "/readyz")
	if n := strings.Count(logs.String(), `"msg":"readiness check failed: not ready","check":"store"`); n != 1 {
		t.Errorf("logged the failure %d times, want once:\n%s", n, logs.String())
	}
	broken.Store(false)
	if code, _ := h.get(t, "/readyz"); code != http.StatusOK {
		t.Errorf("/readyz after the check passes again: %d", code)
	}
}

// A damaged spool record is skipped at start, logged with its segment and
// offset, and counted; the intact alerts around it are replayed.
func TestSpoolDamageSkippedAndCounted(t *testing.T) {
	sc, err := scenario.Extract(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sp, err := spool.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	journal := sp.Wrap(func(context.Context, ingest.Message) error { return nil }) // never settled
	for i := range 3 {
		if err := journal(context.Background(), ingest.Message{Source: "falco-http", ID: string(rune('a' + i)), Body: distinctAlert(t, sc, i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sp.Close(); err != nil {
		t.Fatal(err)
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
	if len(segs) != 1 {
		t.Fatalf("segments %v", segs)
	}
	data, err := os.ReadFile(segs[0])
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x20 // inside the second alert's body
	if err := os.WriteFile(segs[0], data, 0o600); err != nil {
		t.Fatal(err)
	}
	sp, err = spool.Open(dir)
	if err != nil {
		t.Fatalf("a damaged byte stops the spool: %v", err)
	}
	logs := &syncBuffer{}
	h := startOn(t, sc, func(o *Options) { o.Spool = sp; o.Logger = slog.New(slog.NewJSONHandler(logs, nil)) })
	if got := sp.Stats().Replayed; got != 2 {
		t.Errorf("replayed %d alerts, want the 2 intact ones", got)
	}
	if !strings.Contains(logs.String(), `"msg":"spool: skipped a damaged record`) || !strings.Contains(logs.String(), segs[0]) {
		t.Errorf("the damage is not logged with its segment:\n%s", logs.String())
	}
	if _, m := h.get(t, "/metrics"); !strings.Contains(m, "tfdrift_spool_damaged_records_total 1") {
		t.Errorf("metrics:\n%s", grep(m, "tfdrift_spool"))
	}
	waitFor(t, "the replayed drift", func() bool { return strings.Contains(h.out.String(), "aws_instance.workers[1]") })
}

// Alerts held for a state that never loaded are not lost when the daemon
// stops: they stay journaled, unsettled, and the next start decides them
// once its state loads.
func TestHeldAlertsSurviveARestart(t *testing.T) {
	sc, err := scenario.Extract(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	hidden := sc.State + ".hidden"
	if err := os.Rename(sc.State, hidden); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sp, err := spool.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	first := startOn(t, sc, func(o *Options) { o.Spool = sp })
	if resp := first.post(t, falcoAlert(t, sc)); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /falco: %d", resp.StatusCode)
	}
	first.stop(t)
	if got := outcomes(t, first.m); len(got) != 0 {
		t.Fatalf("decided without the state: %v", got)
	}

	if err := os.Rename(hidden, sc.State); err != nil {
		t.Fatal(err)
	}
	if sp, err = spool.Open(dir); err != nil {
		t.Fatal(err)
	}
	second := startOn(t, sc, func(o *Options) { o.Spool = sp })
	waitFor(t, "the held alert's drift", func() bool { return strings.Contains(second.out.String(), "aws_instance.workers[1]") })
	if got := sp.Stats().Replayed; got != 1 {
		t.Errorf("replayed %d, want 1", got)
	}
}

package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tfdrift/tfdrift/app/demo/scenario"
	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/detector"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/state"
)

// alertFor is the demo's Falco alert rewritten as another CloudTrail call.
func alertFor(t *testing.T, sc *scenario.Scenario, id, service, event string, readOnly bool) []byte {
	t.Helper()
	var a map[string]any
	if err := json.Unmarshal(falcoAlert(t, sc), &a); err != nil {
		t.Fatal(err)
	}
	a["uuid"] = id
	f := a["output_fields"].(map[string]any)
	f["ct.id"], f["ct.src"], f["ct.name"], f["ct.readonly"] = id, service, event, fmt.Sprint(readOnly)
	f["ct.request"], f["ct.response"] = `{"autoScalingGroupName":"web"}`, `{}`
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// metricLine returns the value text of one series in /metrics, or "".
func metricLine(metrics, series string) string {
	for _, l := range strings.Split(metrics, "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			return v
		}
	}
	return ""
}

// TestUnmappedWritesAreCounted: a write no catalog entry maps is counted
// by provider, service and event, and logged once; a read is not counted,
// and once one of its records has been seen it is skipped before
// decoding; mapped writes are not counted.
func TestUnmappedWritesAreCounted(t *testing.T) {
	logs := &syncBuffer{}
	h := start(t, func(o *Options) {
		o.Workers = 1 // one worker: alerts are processed in the order posted
		o.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	})
	const (
		write = `tfdrift_events_unmapped_total{event="StartInstanceRefresh",provider="aws",service="autoscaling.amazonaws.com"}`
		reads = `tfdrift_events_processed_total{outcome="read_only"}`
	)
	post := func(id, event string, readOnly bool) {
		t.Helper()
		if resp := h.post(t, alertFor(t, h.sc, id, "autoscaling.amazonaws.com", event, readOnly)); resp.StatusCode != 202 {
			t.Fatalf("POST %s: %d", event, resp.StatusCode)
		}
	}
	until := func(series, want string) {
		t.Helper()
		waitFor(t, series+" = "+want, func() bool { _, m := h.get(t, "/metrics"); return metricLine(m, series) == want })
	}
	post("w1", "StartInstanceRefresh", false)
	until(write, "1")
	post("r1", "DescribeInstanceRefreshes", true)
	until(reads, "1")
	post("r2", "DescribeInstanceRefreshes", true) // now skipped undecoded
	post("w2", "StartInstanceRefresh", false)
	until(write, "2")
	h.post(t, falcoAlert(t, h.sc)) // mapped: a drift, not counted
	waitFor(t, "the drift", func() bool { return strings.Contains(h.out.String(), "aws_instance.workers[1]") })

	_, m := h.get(t, "/metrics")
	if got := metricLine(m, reads); got != "1" {
		t.Errorf("read-only outcomes %q, want 1: the second read of a known read name must be skipped", got)
	}
	// One series for the write, besides the overflow series (service
	// "other") that exist at 0 from the start.
	if n := strings.Count(grep(m, "tfdrift_events_unmapped_total{"), "\n") + 1 - 2; n != 1 ||
		metricLine(m, `tfdrift_events_unmapped_total{event="other",provider="aws",service="other"}`) != "0" {
		t.Errorf("unmapped series:\n%s", grep(m, "tfdrift_events_unmapped_total"))
	}
	if n := strings.Count(logs.String(), `"event":"StartInstanceRefresh"`); n != 1 {
		t.Errorf("the unmapped write was logged %d times, want once:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), "DescribeInstanceRefreshes") {
		t.Errorf("a read was logged as unmapped:\n%s", logs.String())
	}
}

// TestUnmappedLabelsAreBounded: past the series cap new names share one
// "other" series, logged once; label values are valid UTF-8 of bounded
// length whatever the record held.
func TestUnmappedLabelsAreBounded(t *testing.T) {
	var logs bytes.Buffer
	reg := prometheus.NewRegistry()
	u := newUnmappedWatch(reg, slog.New(slog.NewTextHandler(&logs, nil)))
	for i := range maxUnmappedSeries + 5 {
		u.observe(&change.Change{Provider: change.AWS, Service: "svc.amazonaws.com", EventName: fmt.Sprintf("Write%03d", i)},
			detector.OutcomeUnmapped, false)
	}
	bad := &change.Change{Provider: change.GCP, Service: "x\xffy", EventName: strings.Repeat("é", 200)}
	u.observe(bad, detector.OutcomeUnmapped, false)
	families, err := reg.Gather()
	if err != nil || len(families) != 1 {
		t.Fatalf("Gather: %d families, %v", len(families), err)
	}
	if got := len(families[0].GetMetric()); got != maxUnmappedSeries+2 {
		t.Errorf("%d series, want %d plus \"other\" for aws and gcp", got, maxUnmappedSeries)
	}
	if got := counter(u.count.WithLabelValues("aws", "other", "other")); got != 5 {
		t.Errorf("other(aws) = %v, want 5", got)
	}
	if got := counter(u.count.WithLabelValues("gcp", "other", "other")); got != 1 {
		t.Errorf("other(gcp) = %v, want 1", got)
	}
	if n := strings.Count(logs.String(), "more distinct unmapped write events"); n != 1 {
		t.Errorf("the cap was announced %d times:\n%s", n, logs.String())
	}
	if got := label(bad.EventName); len(got) > maxLabelLen+2 || !utf8.ValidString(got) || !strings.HasPrefix(got, "éé") {
		t.Errorf("label(%d bytes) = %q", len(bad.EventName), got)
	}
	if got := label(bad.Service); got != "x\uFFFDy" {
		t.Errorf("label(%q) = %q", bad.Service, got)
	}
}

// failingShadow fails every call.
type failingShadow struct{}

var errShadowDown = errors.New("store unreachable")

func (failingShadow) Get(context.Context, detector.ShadowRef, int64) (map[string]json.RawMessage, error) {
	return nil, errShadowDown
}
func (failingShadow) Put(context.Context, detector.ShadowRef, int64, map[string]json.RawMessage) error {
	return errShadowDown
}
func (failingShadow) Drop(context.Context, string, string, int64) error { return errShadowDown }

// countingShadow counts the calls that reach a shadow.
type countingShadow struct {
	detector.Shadow
	mu              sync.Mutex
	gets, puts, dps int
}

func (c *countingShadow) Get(ctx context.Context, r detector.ShadowRef, serial int64) (map[string]json.RawMessage, error) {
	c.mu.Lock()
	c.gets++
	c.mu.Unlock()
	return c.Shadow.Get(ctx, r, serial)
}

func (c *countingShadow) Put(ctx context.Context, r detector.ShadowRef, serial int64, v map[string]json.RawMessage) error {
	c.mu.Lock()
	c.puts++
	c.mu.Unlock()
	return c.Shadow.Put(ctx, r, serial, v)
}

func (c *countingShadow) Drop(ctx context.Context, source, workspace string, before int64) error {
	c.mu.Lock()
	c.dps++
	c.mu.Unlock()
	return c.Shadow.Drop(ctx, source, workspace, before)
}

func (c *countingShadow) counts() (gets, puts, drops int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gets, c.puts, c.dps
}

// withShadow makes the daemon's engines, and its refresher, use sh.
func withShadow(sh detector.Shadow) func(*Options) {
	return func(o *Options) {
		o.Shadow = sh
		backends := o.Backends
		o.Build = func(ctx context.Context, ix *state.Index, nudge func(*change.Change)) (*detector.Engine, error) {
			return wiring.NewEngine(ctx, wiring.DetectorOptions{Index: ix, Backends: backends, OnTrustedWrite: nudge, Shadow: sh})
		}
	}
}

// TestShadowErrorsAreExported: a shadow that fails costs the write its
// earlier edits, never the drift; each failure is counted in
// tfdrift_shadow_errors_total, the refresher's failed Drop too, and a
// reload does not reset the count.
func TestShadowErrorsAreExported(t *testing.T) {
	h := start(t, withShadow(failingShadow{}))
	const series = "tfdrift_shadow_errors_total"
	_, m := h.get(t, "/metrics")
	if got := metricLine(m, series); got != "1" { // the start-up load's Drop
		t.Errorf("%s after start = %q, want 1", series, got)
	}
	h.post(t, falcoAlert(t, h.sc))
	waitFor(t, "the drift", func() bool { return strings.Contains(h.out.String(), "aws_instance.workers[1]") })
	// The write's Get failed, and so did the Put of what it learnt.
	waitFor(t, "the Get and Put failures counted", func() bool { _, m := h.get(t, "/metrics"); return metricLine(m, series) == "3" })
	h.reload <- struct{}{}
	h.post(t, distinctAlert(t, h.sc, 1))
	waitFor(t, "the count to go on after a reload", func() bool { _, m := h.get(t, "/metrics"); return metricLine(m, series) == "5" })
}

// TestNoShadowRoundTripOffManagedResources: reads, unmapped calls and
// writes to resources no state manages never reach the shadow; a write
// to a managed resource reads it once.
func TestNoShadowRoundTripOffManagedResources(t *testing.T) {
	sh := &countingShadow{Shadow: detector.NewMemoryShadow(0)}
	h := start(t, func(o *Options) { o.Workers = 1; withShadow(sh)(o) })
	_, _, drops := sh.counts()
	post := func(body []byte) {
		t.Helper()
		if resp := h.post(t, body); resp.StatusCode != 202 {
			t.Fatalf("POST: %d", resp.StatusCode)
		}
	}
	post(alertFor(t, h.sc, "a1", "autoscaling.amazonaws.com", "DescribeAutoScalingGroups", true))
	post(alertFor(t, h.sc, "a2", "autoscaling.amazonaws.com", "StartInstanceRefresh", false))
	unmanaged := bytes.ReplaceAll(distinctAlert(t, h.sc, 2), []byte("i-0aaaaaaaaaaaaaaa1"), []byte("i-0ffffffffffffffff"))
	post(unmanaged)
	waitFor(t, "the unmanaged write", func() bool {
		_, m := h.get(t, "/metrics")
		return metricLine(m, `tfdrift_events_processed_total{outcome="not_in_state"}`) == "1"
	})
	if gets, puts, d := sh.counts(); gets != 0 || puts != 0 || d != drops {
		t.Errorf("shadow calls off managed resources: %d gets, %d puts, %d drops", gets, puts, d-drops)
	}
	post(falcoAlert(t, h.sc))
	waitFor(t, "the drift", func() bool { return strings.Contains(h.out.String(), "aws_instance.workers[1]") })
	if gets, _, _ := sh.counts(); gets != 1 {
		t.Errorf("%d shadow reads for one managed write, want 1", gets)
	}
}

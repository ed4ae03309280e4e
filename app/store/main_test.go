package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/app/store/storetest"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
)

func TestMain(m *testing.M) {
	// The crash tests re-run this binary as the process that gets killed.
	if mode := os.Getenv(envCrashChild); mode != "" {
		os.Exit(crashChild(mode, os.Getenv(envCrashDSN)))
	}
	os.Exit(storetest.Main(m))
}

// engine is one database the contract suite runs against.
type engine struct {
	name string
	dsn  func(testing.TB) string
}

// engines: SQLite always; Postgres for real (its own throwaway server, or
// TFDRIFT_TEST_POSTGRES) under -tags e2e, as make test runs (see
// storetest.Engines). There, without Postgres binaries the postgres half
// fails, saying how to install them.
var engines = func() []engine {
	var out []engine
	for _, e := range storetest.Engines() {
		out = append(out, engine{e.Name, e.DSN})
	}
	return out
}()

// forEachEngine runs fn as a subtest per engine, each on a fresh database.
func forEachEngine(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) { fn(t, e.dsn(t)) })
	}
}

// clock is a settable clock shared by the stores of one test, so lease
// and retry times are tested without sleeping.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	// Microseconds only: both engines keep microseconds, so times round-trip.
	return &clock{t: time.Date(2026, 3, 14, 15, 9, 26, 535897000, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// open opens a store on dsn with clk and closes it at the end of the test.
func open(t testing.TB, dsn string, clk *clock) store.Store {
	t.Helper()
	var opts []store.Option
	if clk != nil {
		opts = append(opts, store.WithClock(clk.Now))
	}
	st, err := store.Open(context.Background(), dsn, opts...)
	if err != nil {
		t.Fatalf("Open(%s): %v", store.RedactDSN(dsn), err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return st
}

// sampleDrift is a security-group drift on resource name; value varies
// the actual value, and so the fingerprint.
func sampleDrift(name, value string) *drift.Drift {
	raw := fmt.Sprintf(`{"eventID":"ev-%s-%s","eventName":"AuthorizeSecurityGroupIngress"}`, name, value)
	d := &drift.Drift{
		DetectedAt:      time.Date(2026, 3, 14, 15, 0, 0, 0, time.UTC),
		ChangeType:      drift.Modified,
		ResourceType:    "aws_security_group",
		ResourceID:      "sg-" + name,
		ResourceAddress: "aws_security_group." + name,
		Changes: map[string]drift.AttrChange{
			"description": {Expected: "managed", Actual: value, Diff: "~ description"},
		},
		Severity: drift.High,
		Rules:    []string{"sg-open"},
		Tags:     []string{"security"},
		Event: &change.Change{
			Provider:  change.AWS,
			Account:   "123456789012",
			Region:    "eu-west-1",
			EventName: "AuthorizeSecurityGroupIngress",
			EventID:   "ev-" + name,
			Actor:     change.Actor{Type: "IAMUser", UserName: "alice"},
			SourceIP:  "198.51.100.7",
			UserAgent: "console.amazonaws.com",
			Raw:       json.RawMessage(raw),
		},
		Terraform: drift.Location{State: "prod.tfstate", File: "sg.tf", Line: 3},
	}
	d.ComputeEventID()
	d.ComputeFingerprint()
	return d
}

// noticesFor are the notices the ticket router would enqueue for d.
func noticesFor(d *drift.Drift, sinks ...string) []store.NewNotice {
	var ns []store.NewNotice
	for _, s := range sinks {
		ns = append(ns, store.NewNotice{Sink: s, Key: d.Fingerprint + "/" + s, Payload: []byte(`{"sink":"` + s + `"}`)})
	}
	return ns
}

// standalone enqueues n notices for sink with no drift record and
// returns them in id order.
func standalone(t testing.TB, st store.Store, sink string, n int) {
	t.Helper()
	ns := make([]store.NewNotice, n)
	for i := range ns {
		ns[i] = store.NewNotice{Sink: sink, Key: fmt.Sprintf("%s/%d", sink, i), Payload: []byte("p")}
	}
	added, err := st.EnqueueNotices(context.Background(), "", ns)
	if err != nil {
		t.Fatalf("EnqueueNotices: %v", err)
	}
	if added != n {
		t.Fatalf("EnqueueNotices added %d, want %d", added, n)
	}
}

// noticesByStatus lists every notice in one status.
func noticesByStatus(t testing.TB, st store.Store, status store.NoticeStatus) []store.Notice {
	t.Helper()
	ns, err := st.ListNotices(context.Background(), store.NoticeFilter{Status: []store.NoticeStatus{status}, Limit: 1000})
	if err != nil {
		t.Fatalf("ListNotices(%s): %v", status, err)
	}
	return ns
}

package output_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/internal/golden"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/internal/sample"
	"github.com/tfdrift/tfdrift/ticket/output"
)

func notices() []*ticket.Notice {
	sg := sample.SecurityGroup()
	return []*ticket.Notice{
		{Sink: "output", Kind: ticket.KindDrift, Drift: sg, Fingerprint: sg.Fingerprint},
		{Sink: "output", Kind: ticket.KindResolved, Drift: sg, Fingerprint: sg.Fingerprint},
		{Sink: "output", Kind: ticket.KindGroup, Fingerprint: "grp", Group: &ticket.Group{
			Actor: "developer@example.com", First: sample.When, Last: sample.When, Window: time.Minute,
			Drifts: []*drift.Drift{sample.IAMPolicy(), sample.Hostile()},
		}},
	}
}

func TestNDJSON(t *testing.T) {
	var buf bytes.Buffer
	s := output.New("", &buf)
	for _, n := range notices() {
		rc, err := s.Send(context.Background(), n)
		if err != nil {
			t.Fatal(err)
		}
		if !rc.IsZero() {
			t.Errorf("a line in a file has no identity, yet the receipt is %+v", rc)
		}
	}
	out := bytes.Clone(buf.Bytes())
	golden.Check(t, filepath.Join("testdata", "audit.ndjson"), out)
	var types []string
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec drift.Record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		types = append(types, rec.EventType)
	}
	want := []string{drift.EventType, output.EventTypeResolved, drift.EventType, drift.EventType}
	if len(types) != len(want) {
		t.Fatalf("event types %v, want %v", types, want)
	}
	for i := range want {
		if types[i] != want[i] {
			t.Errorf("line %d: event_type %q, want %q", i, types[i], want[i])
		}
	}
	// A drift line is exactly drift.AppendNDJSON's.
	var one bytes.Buffer
	sample.SecurityGroup().AppendNDJSON(&one)
	if !bytes.HasPrefix(out, one.Bytes()) {
		t.Error("the first line differs from drift.AppendNDJSON")
	}
}

func TestFileAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "drifts.ndjson")
	for range 2 { // a restart appends; it never truncates
		s, err := output.Open("audit", path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Send(context.Background(), notices()[0]); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(b, []byte("\n")); n != 2 {
		t.Errorf("%d lines, want 2", n)
	}
	if _, err := output.Open("x", filepath.Join(t.TempDir(), "missing", "dir", "f")); err == nil {
		t.Error("Open in a missing directory succeeded")
	}
}

type brokenWriter struct{}

func (brokenWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrorsAreTransient(t *testing.T) {
	s := output.New("out", brokenWriter{})
	_, err := s.Send(context.Background(), notices()[0])
	if err == nil || ticket.IsPermanent(err) {
		t.Errorf("write error: %v; want transient", err)
	}
	if _, err := s.Send(context.Background(), &ticket.Notice{Kind: ticket.KindDrift}); !ticket.IsPermanent(err) {
		t.Errorf("empty notice: %v; want permanent", err)
	}
}

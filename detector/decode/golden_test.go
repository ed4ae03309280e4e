package decode

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/internal/golden"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/change"
)

// goldenChange is a Change as written to golden files: Raw is replaced by
// its length so that the golden file does not repeat the input.
type goldenChange struct {
	Provider     change.Provider `json:"provider"`
	Account      string          `json:"account"`
	Region       string          `json:"region"`
	Service      string          `json:"service"`
	EventName    string          `json:"event_name"`
	RawEventName string          `json:"raw_event_name"`
	EventID      string          `json:"event_id"`
	Time         time.Time       `json:"time"`
	Actor        change.Actor    `json:"actor"`
	SourceIP     string          `json:"source_ip"`
	UserAgent    string          `json:"user_agent"`
	ReadOnly     bool            `json:"read_only"`
	ErrorCode    string          `json:"error_code,omitempty"`
	ErrorMessage string          `json:"error_message,omitempty"`
	Request      json.RawMessage `json:"request"`
	Response     json.RawMessage `json:"response"`
	ResourceName string          `json:"resource_name,omitempty"`
	ResourceARNs []string        `json:"resource_arns,omitempty"`
	Source       string          `json:"source"`
	Origin       string          `json:"origin"`
	RawBytes     int             `json:"raw_bytes"`
}

type goldenRecord struct {
	Index  int           `json:"index"`
	Error  string        `json:"error,omitempty"`
	Change *goldenChange `json:"change,omitempty"`
}

type goldenFile struct {
	Stats   Stats          `json:"stats"`
	Error   string         `json:"error,omitempty"`
	Records []goldenRecord `json:"records"`
}

func toGolden(ch *change.Change) *goldenChange {
	return &goldenChange{
		Provider: ch.Provider, Account: ch.Account, Region: ch.Region, Service: ch.Service,
		EventName: ch.EventName, RawEventName: ch.RawEventName, EventID: ch.EventID, Time: ch.Time,
		Actor: ch.Actor, SourceIP: ch.SourceIP, UserAgent: ch.UserAgent, ReadOnly: ch.ReadOnly,
		ErrorCode: ch.ErrorCode, ErrorMessage: ch.ErrorMessage, Request: ch.Request, Response: ch.Response,
		ResourceName: ch.ResourceName, ResourceARNs: ch.ResourceARNs, Source: ch.Source, Origin: ch.Origin,
		RawBytes: len(ch.Raw),
	}
}

// testdataInputs lists the input files in testdata (not the golden files).
func testdataInputs(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		t.Fatal("no inputs in testdata")
	}
	return names
}

// TestGolden streams every testdata input and compares the decoded
// changes and errors with testdata/golden/<input>.golden.json.
func TestGolden(t *testing.T) {
	for _, name := range testdataInputs(t) {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var got goldenFile
			stats, err := Stream(f, Options{Name: name}, func(r Record) error {
				g := goldenRecord{Index: r.Index}
				if r.Err != nil {
					g.Error = r.Err.Error()
				} else {
					g.Change = toGolden(r.Change)
				}
				got.Records = append(got.Records, g)
				return nil
			})
			got.Stats = stats
			if err != nil {
				got.Error = err.Error()
			}
			rendered, err := json.MarshalIndent(got, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			rendered = append(rendered, '\n')
			path := filepath.Join("testdata", "golden", name+".golden.json")
			if golden.Update() {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, rendered, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(rendered, want) {
				t.Errorf("decoded %s differs from %s (-want +got):\n%s", name, path, cmp.Diff(string(want), string(rendered)))
			}
		})
	}
}

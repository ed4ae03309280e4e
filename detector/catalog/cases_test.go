package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/internal/golden"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/normalize"
)

// A case is one realistic audit record, the state it meets, and what the
// catalog must resolve it to. Files: testdata/cases/<provider>/<service>/<Event>[_variant].json.
type catalogCase struct {
	Name string `json:"name"`
	// Source names where the record's shape comes from: the provider's
	// documentation, AWS's CloudTrail examples or a public detection
	// rule's fixture (see sources_test.go for the cases that need one).
	Source string `json:"source,omitempty"`
	// Record is a raw CloudTrail record or a GCP audit LogEntry.
	Record json.RawMessage `json:"record"`
	// State holds the resources the record meets, as in Terraform state.
	State []caseResource `json:"state,omitempty"`
	// NoDrift marks a case whose derived values equal state (a re-grant).
	NoDrift bool `json:"no_drift,omitempty"`
	// TakesEffect is when the cloud applies the write, as the entry's
	// Target.Pending words it; "" means at once. Checked for every case
	// of an entry with Pending.
	TakesEffect string     `json:"takes_effect,omitempty"`
	Want        []caseWant `json:"want"`
}

type caseResource struct {
	Type       string         `json:"type"`
	Attributes map[string]any `json:"attributes"`
}

type caseWant struct {
	Type  string         `json:"type"`
	Op    string         `json:"op"`
	ID    string         `json:"id"`
	Found bool           `json:"found"`
	Attrs map[string]any `json:"attrs,omitempty"`
}

func loadCases(t *testing.T) map[string]*catalogCase {
	t.Helper()
	files, err := filepath.Glob("testdata/cases/*/*/*.json")
	if err != nil {
		t.Fatal(err)
	}
	// Work in progress lives behind a build tag with its cases elsewhere,
	// so that several people can extend the catalog at once.
	if extra := os.Getenv("TFDRIFT_EXTRA_CASES"); extra != "" {
		more, err := filepath.Glob(filepath.Join(extra, "*/*/*.json"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, more...)
	}
	out := map[string]*catalogCase{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		dec.DisallowUnknownFields()
		var c catalogCase
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[f] = &c
	}
	return out
}

// changeFromRecord is a deliberately small record reader: the catalog's
// tests must not depend on the decoders, which have their own tests.
func changeFromRecord(t *testing.T, raw json.RawMessage) *change.Change {
	t.Helper()
	var r struct {
		EventName         string          `json:"eventName"`
		EventSource       string          `json:"eventSource"`
		RecipientAccount  string          `json:"recipientAccountId"`
		Region            string          `json:"awsRegion"`
		RequestParameters json.RawMessage `json:"requestParameters"`
		ResponseElements  json.RawMessage `json:"responseElements"`
		Resources         []struct {
			ARN string `json:"ARN"`
		} `json:"resources"`
		ProtoPayload *struct {
			MethodName   string          `json:"methodName"`
			ServiceName  string          `json:"serviceName"`
			ResourceName string          `json:"resourceName"`
			Request      json.RawMessage `json:"request"`
			Response     json.RawMessage `json:"response"`
		} `json:"protoPayload"`
		Resource struct {
			Labels map[string]string `json:"labels"`
		} `json:"resource"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("record: %v", err)
	}
	if p := r.ProtoPayload; p != nil {
		return &change.Change{
			Provider: change.GCP, Account: r.Resource.Labels["project_id"],
			Service: p.ServiceName, EventName: change.NormalizeGCPMethodName(p.MethodName),
			RawEventName: p.MethodName, ResourceName: p.ResourceName,
			Request: nullToNil(p.Request), Response: nullToNil(p.Response),
			Raw: raw,
		}
	}
	c := &change.Change{
		Provider: change.AWS, Account: r.RecipientAccount, Region: r.Region,
		Service: r.EventSource, EventName: change.NormalizeAWSEventName(r.EventName),
		RawEventName: r.EventName,
		Request:      nullToNil(r.RequestParameters), Response: nullToNil(r.ResponseElements),
	}
	for _, res := range r.Resources {
		c.ResourceARNs = append(c.ResourceARNs, res.ARN)
	}
	return c
}

func nullToNil(r json.RawMessage) json.RawMessage {
	if len(r) == 0 || string(r) == "null" {
		return nil
	}
	return r
}

// keyValue renders a state resource's identifying value for key, the way
// the state index does.
func keyValue(attrs map[string]any, key string) string {
	parts := strings.Split(key, ":")
	vals := make([]string, len(parts))
	for i, p := range parts {
		switch v := attrs[p].(type) {
		case string:
			vals[i] = v
		case json.Number:
			vals[i] = v.String()
		case nil:
			return ""
		default:
			vals[i] = fmt.Sprint(v)
		}
	}
	return strings.Join(vals, ":")
}

func resolveCase(t *testing.T, cat *Catalog, c *catalogCase) (*Entry, []caseWant) {
	t.Helper()
	ch := changeFromRecord(t, c.Record)
	entry := cat.LookupService(ch.Provider, ch.Service, ch.EventName)
	if entry == nil {
		t.Fatalf("event %s %s %s is not in the catalog", ch.Provider, ch.Service, ch.EventName)
	}
	ev := NewEvent(ch)
	var got []caseWant
	for _, r := range entry.Resolve(ev) {
		w := caseWant{Type: r.Target.Type, Op: r.Target.Op.String(), ID: r.ID}
		var current map[string]any
		for _, s := range c.State {
			if s.Type == r.Target.Type && keyValue(s.Attributes, r.Target.Key) == r.ID &&
				(r.Target.Match == nil || r.Target.Match.Func(ev, s.Attributes)) {
				current, w.Found = s.Attributes, true
				break
			}
		}
		if len(r.Target.Attrs) > 0 {
			w.Attrs = r.Target.DeriveFor(ev, r.ID, current)
			if len(w.Attrs) == 0 {
				w.Attrs = nil
			}
		}
		got = append(got, w)
	}
	return entry, got
}

// pendingOf is what the first target with Pending says of the case's
// record: when its write takes effect ("" = at once).
func pendingOf(t *testing.T, cat *Catalog, c *catalogCase) string {
	t.Helper()
	ch := changeFromRecord(t, c.Record)
	entry := cat.LookupService(ch.Provider, ch.Service, ch.EventName)
	ev := NewEvent(ch)
	for i := range entry.Targets {
		if p := entry.Targets[i].Pending; p != nil {
			return p(ev)
		}
	}
	return ""
}

// TestCatalogCases proves every entry against realistic records: each
// resolves to the expected resources and derives the expected attributes.
func TestCatalogCases(t *testing.T) {
	cat := Default()
	cases := loadCases(t)
	if len(cases) == 0 {
		t.Fatal("no cases under testdata/cases")
	}
	names := make([]string, 0, len(cases))
	for f := range cases {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		c := cases[f]
		t.Run(strings.TrimPrefix(f, "testdata/cases/"), func(t *testing.T) {
			_, got := resolveCase(t, cat, c)
			takesEffect := pendingOf(t, cat, c)
			if golden.Update() {
				c.Want, c.TakesEffect = got, takesEffect
				writeCase(t, f, c)
				return
			}
			if takesEffect != c.TakesEffect {
				t.Errorf("takes effect %q, want %q", takesEffect, c.TakesEffect)
			}
			opt := cmp.Comparer(func(a, b map[string]any) bool {
				if len(a) != len(b) {
					return false
				}
				for k := range a {
					if _, ok := b[k]; !ok || !sameValue(a[k], b[k]) {
						return false
					}
				}
				return true
			})
			if diff := cmp.Diff(c.Want, got, opt); diff != "" {
				t.Errorf("resolution mismatch (-want +got):\n%s", diff)
			}
			// A modify case must show drift unless it says otherwise.
			for _, w := range got {
				if w.Op != "modify" || !w.Found {
					continue
				}
				var current map[string]any
				for _, s := range c.State {
					if s.Type == w.Type {
						current = s.Attributes
					}
				}
				drifted := false
				for name, v := range w.Attrs {
					if v == Unknown || !normalize.Equal(current[name], v) {
						drifted = true
					}
				}
				if drifted == c.NoDrift {
					t.Errorf("%s %s: drifted=%v but no_drift=%v", w.Type, w.ID, drifted, c.NoDrift)
				}
			}
		})
	}
}

func sameValue(a, b any) bool {
	if a == Unknown || b == Unknown {
		return a == b || fmt.Sprint(a) == fmt.Sprint(b)
	}
	return normalize.Text(normalize.Canonical(a)) == normalize.Text(normalize.Canonical(b))
}

func writeCase(t *testing.T, f string, c *catalogCase) {
	t.Helper()
	for i := range c.Want {
		for k, v := range c.Want[i].Attrs {
			if v == Unknown {
				c.Want[i].Attrs[k] = Unknown.String()
			}
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestEveryEntryIsProven fails for an entry that no case exercises fully:
// every target must resolve an identifier in some case, and every attribute
// a target declares must be derived in some case. This keeps placeholders
// out of the catalog.
func TestEveryEntryIsProven(t *testing.T) {
	cat := Default()
	cases := loadCases(t)
	type tk struct {
		entry *Entry
		typ   string
	}
	resolved := map[tk]bool{}
	derived := map[tk]map[string]bool{}
	for _, c := range cases {
		ch := changeFromRecord(t, c.Record)
		entry := cat.LookupService(ch.Provider, ch.Service, ch.EventName)
		if entry == nil {
			continue // reported by TestCatalogCases
		}
		_, got := resolveCase(t, cat, c)
		for _, w := range got {
			k := tk{entry, w.Type}
			resolved[k] = true
			if derived[k] == nil {
				derived[k] = map[string]bool{}
			}
			for a := range w.Attrs {
				derived[k][a] = true
			}
		}
	}
	for _, e := range cat.Entries() {
		for _, tg := range e.Targets {
			k := tk{e, tg.Type}
			if !resolved[k] {
				t.Errorf("%s %s: no case resolves a %s identifier", e.Provider, e.Event, tg.Type)
				continue
			}
			for _, a := range tg.Attrs {
				if !derived[k][a.Name] {
					t.Errorf("%s %s: no case derives %s.%s", e.Provider, e.Event, tg.Type, a.Name)
				}
			}
		}
	}
}

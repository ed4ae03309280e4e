package webhook_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/internal/golden"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/internal/sample"
	"github.com/tfdrift/tfdrift/ticket/webhook"
)

// configTestdata holds the seed's configuration snippets, character for
// character (app/config/testdata/seed/README.md). The templates are read
// from there so that every seed payload_template is covered, including
// ones added later.
const configTestdata = "../../app/config/testdata"

type seedTemplate struct {
	name string // file-index, for golden names
	text string
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// seedTemplates returns every payload_template in the configuration
// testdata, with ${NAME} expanded as the configuration loader does.
func seedTemplates(t testing.TB) []seedTemplate {
	t.Helper()
	var files []string
	err := filepath.WalkDir(configTestdata, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".yaml") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	var out []seedTemplate
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// A yaml.Node tree, not a map: uc09's seed text repeats the
		// webhook key, which a map decode refuses.
		var root yaml.Node
		if err := yaml.Unmarshal(src, &root); err != nil {
			continue // broken on purpose (broken.yaml); app/config tests it
		}
		i := 0
		var walk func(n *yaml.Node)
		walk = func(n *yaml.Node) {
			for j := 0; j < len(n.Content); j++ {
				c := n.Content[j]
				if n.Kind == yaml.MappingNode && j%2 == 0 && c.Value == "payload_template" && j+1 < len(n.Content) {
					text := envRef.ReplaceAllString(n.Content[j+1].Value, "env-$1")
					out = append(out, seedTemplate{name: fmt.Sprintf("%s-%d", strings.TrimSuffix(filepath.Base(f), ".yaml"), i), text: text})
					i++
				}
				walk(c)
			}
		}
		walk(&root)
	}
	if len(out) < 5 {
		t.Fatalf("found %d payload templates under %s, want the seed's (at least 5)", len(out), configTestdata)
	}
	return out
}

func notice(d *drift.Drift) *ticket.Notice {
	return &ticket.Notice{Sink: "webhook", Kind: ticket.KindDrift, Drift: d, Fingerprint: d.Fingerprint}
}

// Every seed payload_template renders valid JSON for every sample drift,
// including one whose user name, resource ID and tags hold quotes,
// backslashes and control characters; the values survive unmangled.
func TestSeedTemplatesRenderValidJSON(t *testing.T) {
	for _, st := range seedTemplates(t) {
		s, err := webhook.New(webhook.Options{URL: "https://siem.example.com/x", PayloadTemplate: st.text})
		if err != nil {
			t.Fatalf("%s: New: %v", st.name, err)
		}
		for _, sm := range sample.All() {
			body, err := s.Render(notice(sm.Drift))
			if err != nil {
				t.Errorf("%s with %s: %v", st.name, sm.Name, err)
				continue
			}
			var doc any
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Errorf("%s with %s: invalid JSON: %v\n%s", st.name, sm.Name, err, body)
				continue
			}
			checkValuesSurvive(t, st.name+" with "+sm.Name, st.text, doc, sm.Drift)
			if sm.Name == "security-group" || sm.Name == "hostile" || sm.Name == "instance-type" {
				golden.Check(t, filepath.Join("testdata", "seed", golden.Name(st.name, sm.Name)+".json"), body)
			}
		}
	}
}

// checkValuesSurvive finds, in the decoded payload, the fields the seed
// templates fill from the drift and compares them with the drift's values.
func checkValuesSurvive(t *testing.T, label, text string, doc any, d *drift.Drift) {
	t.Helper()
	want := map[string]any{}
	if strings.Contains(text, `"user": "{{ .User }}"`) {
		want["user"] = d.User()
	}
	if strings.Contains(text, `"resource": "{{ .ResourceID }}"`) {
		want["resource"] = d.ResourceID
	}
	if strings.Contains(text, `"scope": "{{ .ResourceID }}"`) {
		want["scope"] = d.ResourceID
	}
	if strings.Contains(text, `"source_ip": "{{ .SourceIP }}"`) {
		want["source_ip"] = d.SourceIP()
	}
	if strings.Contains(text, `"tags": {{ .Tags }}`) {
		tags := []any{}
		for _, tg := range d.Tags {
			tags = append(tags, tg)
		}
		want["tags"] = tags
	}
	got := map[string]any{}
	var find func(v any)
	find = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, e := range t {
				if _, ok := want[k]; ok {
					if _, isObj := e.(map[string]any); !isObj {
						got[k] = e
					}
				}
				find(e)
			}
		case []any:
			for _, e := range t {
				find(e)
			}
		}
	}
	find(doc)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: values did not survive (-want +got):\n%s", label, diff)
	}
}

func TestDefaultPayloads(t *testing.T) {
	s, err := webhook.New(webhook.Options{URL: "https://audit-logs.example.com/api/events"})
	if err != nil {
		t.Fatal(err)
	}
	sg := sample.SecurityGroup()
	resolved := notice(sg)
	resolved.Kind = ticket.KindResolved
	group := &ticket.Notice{Sink: "webhook", Kind: ticket.KindGroup, Fingerprint: "grp_0001", Group: &ticket.Group{
		Actor: "developer@example.com", First: sample.When, Last: sample.When, Window: 300e9,
		Drifts: []*drift.Drift{sample.SecurityGroup(), sample.IAMPolicy()},
	}}
	for name, n := range map[string]*ticket.Notice{"drift": notice(sg), "resolved": resolved, "group": group} {
		body, err := s.Render(n)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		golden.Check(t, filepath.Join("testdata", "default-"+name+".json"), body)
	}
	// The drift payload is exactly the --format json record.
	body, _ := s.Render(notice(sg))
	var line bytes.Buffer
	if err := sg.AppendNDJSON(&line); err != nil {
		t.Fatal(err)
	}
	if string(body)+"\n" != line.String() {
		t.Errorf("default payload differs from the NDJSON record:\n%s\n%s", body, line.String())
	}
}

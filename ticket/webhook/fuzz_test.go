package webhook_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/internal/sample"
	"github.com/tfdrift/tfdrift/ticket/webhook"
)

// FuzzSeedTemplates: whatever the drift's strings hold, every seed
// template renders valid JSON in which the user name survives.
func FuzzSeedTemplates(f *testing.F) {
	f.Add(`O'Brien "x" \`, `sg-"1"`, "1.2.3.4", "tag")
	f.Add("\x00\x1f\u2028\u2029", "</script>", "\"}", `\u0000`)
	f.Add("\xff\xfe", "{{ .User }}", "", "")
	f.Add("", "", "", "")
	var sinks []*webhook.Sink
	for _, st := range seedTemplates(f) {
		s, err := webhook.New(webhook.Options{URL: "https://x.example", PayloadTemplate: st.text})
		if err != nil {
			f.Fatal(err)
		}
		sinks = append(sinks, s)
	}
	f.Fuzz(func(t *testing.T, user, id, ip, tag string) {
		d := sample.SecurityGroup()
		ev := *d.Event
		ev.Actor.UserName, ev.SourceIP, ev.RawEventName = user, ip, tag
		d.Event, d.ResourceID, d.Tags = &ev, id, []string{tag, user}
		n := &ticket.Notice{Sink: "w", Kind: ticket.KindDrift, Drift: d}
		for _, s := range sinks {
			body, err := s.Render(n)
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			if !json.Valid(body) {
				t.Fatalf("invalid JSON:\n%s", body)
			}
			if !strings.Contains(string(body), `"user"`) {
				continue
			}
			var doc any
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Fatal(err)
			}
			if u, ok := findKey(doc, "user"); ok && d.User() != "" && utf8.ValidString(d.User()) && u != d.User() {
				t.Fatalf("user %q came back as %q", d.User(), u)
			}
		}
	})
}

func findKey(v any, key string) (any, bool) {
	switch t := v.(type) {
	case map[string]any:
		if x, ok := t[key]; ok {
			return x, true
		}
		for _, e := range t {
			if x, ok := findKey(e, key); ok {
				return x, true
			}
		}
	case []any:
		for _, e := range t {
			if x, ok := findKey(e, key); ok {
				return x, true
			}
		}
	}
	return nil, false
}

// FuzzTemplate: any template text either fails to parse, fails to render
// with a clean error, or renders valid JSON. Never a panic, never invalid
// JSON returned as success.
func FuzzTemplate(f *testing.F) {
	f.Add(`{"u": "{{ .User }}", "t": {{ .Tags }}}`, `a"b\c`)
	f.Add(`{"u": "\{{ .User }}"}`, "x")
	f.Add(`[{{ range .Tags }}"{{ . }}",{{ end }}0]`, "y")
	f.Add(`{{ if .User }}{"a":1}{{ else }}{"b":"{{ .SourceIP }}"}{{ end }}`, "")
	f.Add(`{"c": {{ .CostImpact }}, "d": {{ .Drift }}}`, "z")
	f.Add(`{"x": "{{ printf "%v" .Changes }}"}`, "\x00")
	f.Fuzz(func(t *testing.T, text, user string) {
		tm, err := webhook.ParseTemplate("fuzz", text)
		if err != nil {
			return
		}
		d := sample.InstanceType()
		ev := *d.Event
		ev.Actor.UserName = user
		d.Event, d.Tags = &ev, []string{user}
		out, err := tm.Render(ticket.NewTemplateData(&ticket.Notice{Kind: ticket.KindDrift, Drift: d}, ticket.CodeLink{}))
		if err == nil && !json.Valid(out) {
			t.Fatalf("Render returned invalid JSON without an error:\n%s", out)
		}
	})
}

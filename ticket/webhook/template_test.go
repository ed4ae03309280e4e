package webhook_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/internal/sample"
	"github.com/tfdrift/tfdrift/ticket/webhook"
)

func TestTemplateContexts(t *testing.T) {
	d := sample.InstanceType() // tags: none; cost impact set
	d.Tags = []string{"a", `b"c`}
	data := ticket.NewTemplateData(notice(d), ticket.CodeLink{})
	tests := []struct {
		name, tmpl, want string
	}{
		{"bare list is an array", `{"t": {{ .Tags }}}`, `{"t": ["a","b\"c"]}`},
		{"list in a string is joined", `{"t": "{{ .Tags }}"}`, `{"t": "a, b\"c"}`},
		{"json is not encoded twice", `{"t": {{ .Tags | json }}}`, `{"t": ["a","b\"c"]}`},
		{"json inside a string is text", `{"t": "{{ .Tags | json }}"}`, `{"t": "[\"a\",\"b\\\"c\"]"}`},
		{"bare string is quoted", `{"u": {{ .User }}}`, `{"u": "devops-team@example.com"}`},
		{"number", `{"n": {{ .Count }}}`, `{"n": 1}`},
		{"typed string", `{"s": {{ .Severity }}, "c": "{{ .ChangeType }}"}`, `{"s": "critical", "c": "modified"}`},
		{"stringer in a string", `{"c": "{{ .CostImpact }}"}`, `{"c": "+$1,113.69/month (+14,669%)"}`},
		{"struct as value", `{"c": {{ .CostImpact.DeltaMonthly }}}`, `{"c": 1113.69}`},
		{"key from a value", `{"{{ .ResourceType }}": 1}`, `{"aws_instance": 1}`},
		{"variables", `{{ $u := .User }}{"u": "{{ $u }}"}`, `{"u": "devops-team@example.com"}`},
		{"printf", `{"u": "{{ printf "%s!" .User }}"}`, `{"u": "devops-team@example.com!"}`},
		{"escaped quote before action", `{"u": "say \"{{ .User }}\""}`, `{"u": "say \"devops-team@example.com\""}`},
		{"unicode escape before action", `{"u": "\u00e9{{ .User }}"}`, `{"u": "\u00e9devops-team@example.com"}`},
		{"range building an array", `[{{ range $i, $t := .Tags }}{{ if $i }},{{ end }}"{{ $t }}"{{ end }}]`, `["a","b\"c"]`},
		{"if with matching arms", `{"x": {{ if .CostImpact }}"{{ .CostImpact.After }}"{{ else }}null{{ end }}}`, `{"x": "m5.8xlarge"}`},
		{"change map lookup", `{"was": "{{ (index .Changes "instance_type").Expected }}"}`, `{"was": "t3.micro"}`},
		{"nil pointer as value", `{"g": {{ .Group }}}`, `{"g": null}`},
		{"nil pointer in a string", `{"g": "{{ .Group }}"}`, `{"g": ""}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm, err := webhook.ParseTemplate("t", tt.tmpl)
			if err != nil {
				t.Fatalf("ParseTemplate: %v", err)
			}
			got, err := tm.Render(data)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestTemplateRefused(t *testing.T) {
	tests := []struct {
		name, tmpl, msg string
	}{
		{"action after backslash", `{"u": "\{{ .User }}"}`, "escape sequence"},
		{"action inside \\u", `{"u": "\u00{{ .User }}"}`, "escape sequence"},
		{"if arms differ", `{"u": {{ if .User }}"{{ end }}x"}`, "branches of {{if}}"},
		{"range body leaves a string open", `{"u": [{{ range .Tags }}"{{ end }}]}`, "body of {{range}}"},
		{"template call", `{{ define "x" }}{}{{ end }}{{ template "x" }}`, "not supported"},
		{"syntax", `{"u": "{{ .User "}`, "unterminated"},
		{"unknown function", `{"u": {{ nope .User }}}`, "not defined"},
	}
	for _, tt := range tests {
		_, err := webhook.ParseTemplate("t", tt.tmpl)
		if err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: ParseTemplate(%q) = %v, want an error mentioning %q", tt.name, tt.tmpl, err, tt.msg)
		}
	}
}

func TestRenderRejectsInvalidJSON(t *testing.T) {
	data := ticket.NewTemplateData(notice(sample.SecurityGroup()), ticket.CodeLink{})
	for _, tmpl := range []string{`{"a": 1,}`, `{"a": "{{ .User }}"`, `not json {{ .User }}`, ``, `{"a": 1}{"b": 2}`} {
		tm, err := webhook.ParseTemplate("t", tmpl)
		if err != nil {
			t.Fatalf("ParseTemplate(%q): %v", tmpl, err)
		}
		out, err := tm.Render(data)
		var ije *webhook.InvalidJSONError
		if !errors.As(err, &ije) || out != nil {
			t.Errorf("Render(%q) = %q, %v; want no output and an *InvalidJSONError", tmpl, out, err)
			continue
		}
		if strings.Contains(err.Error(), "developer@example.com") {
			t.Errorf("the error quotes the payload: %v", err)
		}
	}
}

// A template that cannot render JSON is refused at start-up; one that
// renders invalid JSON only for some drifts is caught at send time.
func TestNewTestRunsTheTemplate(t *testing.T) {
	if _, err := webhook.New(webhook.Options{URL: "https://x.example", PayloadTemplate: `{"a": 1,}`}); err == nil {
		t.Error("New accepted a template that never renders JSON")
	}
	if _, err := webhook.New(webhook.Options{URL: "https://x.example", PayloadTemplate: `{"a": "{{ .Nope }}"}`}); err == nil {
		t.Error("New accepted a template with an unknown field")
	}
	for _, o := range []webhook.Options{
		{URL: "ftp://x.example"},
		{URL: "https://x.example", Method: "DELETE"},
		{URL: "://nope"},
	} {
		if _, err := webhook.New(o); err == nil {
			t.Errorf("New(%+v) accepted it", o)
		}
	}
}

func TestRenderBoundsSize(t *testing.T) {
	tm, err := webhook.ParseTemplate("t", `[{{ range 2000000 }}"{{ $.User }}",{{ end }}0]`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := tm.Render(ticket.NewTemplateData(notice(sample.SecurityGroup()), ticket.CodeLink{}))
	if err == nil || out != nil || !strings.Contains(err.Error(), "exceeds") {
		t.Errorf("Render = %d bytes, %v; want a size error", len(out), err)
	}
}

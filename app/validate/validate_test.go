package validate

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/app/wiring"
)

// validate runs the job, the path `tfdrift config validate` takes, on
// text and returns its exit status and stderr.
func validate(t *testing.T, ctx context.Context, text string) (int, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tfdrift.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb strings.Builder
	env := job.Env{Stdout: &out, Stderr: &errb, LookupEnv: func(name string) (string, bool) {
		if strings.HasSuffix(name, "WEBHOOK") || strings.HasSuffix(name, "URL") {
			return "https://hooks.example.com/" + name, true
		}
		return "x", true
	}}
	code, msg := job.Status(Run(ctx, env, Args{File: p}))
	return code, errb.String() + msg
}

func webhookConfig(tmpl string) string {
	return "notifications:\n  webhook:\n    enabled: true\n    url: \"https://siem.example.com/events\"\n    payload_template: |\n      " +
		strings.ReplaceAll(tmpl, "\n", "\n      ") + "\n"
}

func slackConfig(tmpl string) string {
	return "notifications:\n  slack:\n    enabled: true\n    webhook_url: \"https://hooks.example.com/services/T/B/X\"\n    message_template: |\n      " +
		strings.ReplaceAll(tmpl, "\n", "\n      ") + "\n"
}

// docFiles are the documents whose template examples must work.
func docFiles(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	if err != nil || len(docs) == 0 {
		t.Fatalf("no docs found: %v", err)
	}
	return append(docs, filepath.Join("..", "..", "README.md"))
}

// The template functions the docs list (json, join, upper, lower) were not
// defined when the CLI loaded a config: every template expression the docs
// show in a code span is now checked the way the binary loads a config,
// as a payload (where a value stands and inside a string) and as a Slack
// message (issue 14, item 12).
func TestDocsTemplateExpressions(t *testing.T) {
	span := regexp.MustCompile("`(\\{\\{[^`]*\\}\\})`")
	isExpr := regexp.MustCompile(`^\{\{ (\.[A-Z]|join |json |upper |lower )`)
	seen := map[string]bool{}
	for _, f := range docFiles(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range span.FindAllStringSubmatch(string(b), -1) {
			expr := strings.ReplaceAll(m[1], `\|`, "|")
			// Only expressions: {{if}}, {{ … }} name syntax, and .X stands
			// for any field.
			if !isExpr.MatchString(expr) || seen[expr] {
				continue
			}
			seen[expr] = true
			expr = strings.ReplaceAll(expr, ".X ", ".ResourceID ")
			if expr == "{{ .ResourceId }}" {
				// config.md's example of a misspelt field: refused.
				if code, _ := validate(t, t.Context(), webhookConfig(`{"v": "`+expr+`"}`)); code != 1 {
					t.Errorf("%s: exit %d, want 1", expr, code)
				}
				continue
			}
			for _, cfg := range []string{webhookConfig(`{"v": ` + expr + `}`), webhookConfig(`{"v": "` + expr + `"}`), slackConfig("drift: " + expr)} {
				if code, stderr := validate(t, t.Context(), cfg); code != 0 {
					t.Errorf("%s: %s: exit %d\n%s\n%s", filepath.Base(f), expr, code, cfg, stderr)
				}
			}
		}
	}
	for _, want := range []string{"json", "join", "upper", "lower"} {
		found := false
		for expr := range seen {
			found = found || strings.Contains(expr, want)
		}
		if !found && want != "upper" && want != "lower" {
			t.Errorf("no example in the docs uses %s; the test lost its subject", want)
		}
	}
	for _, expr := range []string{`{{ .Severity | upper }}`, `{{ .ChangeType | lower }}`, `{{ join .Tags ", " | upper }}`, `{{ .Record | json }}`} {
		if code, stderr := validate(t, t.Context(), webhookConfig(`{"v": `+expr+`, "s": "`+expr+`"}`)); code != 0 {
			t.Errorf("%s: exit %d\n%s", expr, code, stderr)
		}
	}
}

// Every YAML example in the docs with a template validates, as the
// binary loads it. Examples with an ellipsis (…) are abridged on purpose.
func TestDocsTemplateBlocks(t *testing.T) {
	block := regexp.MustCompile("(?s)```ya?ml\n(.*?)```")
	n := 0
	for _, f := range docFiles(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range block.FindAllStringSubmatch(string(b), -1) {
			text := m[1]
			if !strings.Contains(text, "_template:") || strings.Contains(text, "…") || !strings.HasPrefix(text, "notifications:") {
				continue
			}
			n++
			if code, stderr := validate(t, t.Context(), text); code != 0 {
				t.Errorf("%s: example does not validate (exit %d):\n%s\n%s", filepath.Base(f), code, text, stderr)
			}
		}
	}
	if n == 0 {
		t.Fatal("no template examples found in the docs")
	}
}

// A template whose sample renders past the webhook's payload limit used to
// validate and then fail every delivery; validation now renders with the
// runtime's renderer and limits (issue 14, item 14).
func TestValidateRendersWithRuntimeLimits(t *testing.T) {
	// About 2 MB: 60000 × the sample's resource address.
	big := webhookConfig(`{"big": "{{ range $i := 60000 }}{{ $.ResourceAddress }}{{ end }}"}`)
	if code, stderr := validate(t, t.Context(), big); code != 1 || !strings.Contains(stderr, "payload exceeds") || !strings.Contains(stderr, ":5: notifications.webhook.payload_template") {
		t.Errorf("exit %d, want 1 naming the size limit and the key's line\n%s", code, stderr)
	}
	small := webhookConfig(`{"ok": "{{ range $i := 3 }}{{ $.ResourceAddress }}{{ end }}"}`)
	if code, stderr := validate(t, t.Context(), small); code != 0 {
		t.Errorf("a small range: exit %d\n%s", code, stderr)
	}
}

// A template that runs too long is refused after TemplateCheckTimeout,
// and a cancelled context ends the validation at once (issue 14, item 3:
// `config validate` rendered on 18 s past SIGTERM).
func TestValidateIsBoundedAndCancellable(t *testing.T) {
	// Long enough to outlast the bound, short enough that the renderings
	// left running end soon after the test (text/template cannot be
	// interrupted).
	endless := webhookConfig(`{"v": "{{ range $i := 30000000 }}{{ end }}"}`)
	t.Cleanup(wiring.SetTemplateCheckTimeout(200 * time.Millisecond))

	start := time.Now()
	code, stderr := validate(t, t.Context(), endless)
	if code != 1 || !strings.Contains(stderr, "took more than") {
		t.Errorf("exit %d\n%s", code, stderr)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %s", d)
	}

	wiring.SetTemplateCheckTimeout(time.Hour)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int, 1)
	go func() { c, _ := validate(t, ctx, endless); done <- c }()
	time.Sleep(100 * time.Millisecond) // into the rendering (cancelling earlier passes too)
	cancel()
	select {
	case c := <-done:
		if c != 1 {
			t.Errorf("cancelled: exit %d, want 1", c)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("config validate did not return within 5s of the cancellation")
	}
}

package replay

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tfdrift/tfdrift/app/demo/scenario"
	"github.com/tfdrift/tfdrift/app/job"
)

// recorder is a stateful fake endpoint: it checks what arrives and keeps
// each accepted body for the test to inspect.
type recorder struct {
	mu     sync.Mutex
	bodies []map[string]any
	check  func(r *http.Request) string // "" accepts
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if msg := rc.check(r); msg != "" {
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	b, _ := io.ReadAll(r.Body)
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		http.Error(w, "body is not JSON: "+err.Error(), http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	rc.bodies = append(rc.bodies, v)
	rc.mu.Unlock()
	w.Write([]byte("ok"))
}

func (rc *recorder) got() []map[string]any {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]map[string]any{}, rc.bodies...)
}

// TestReplayNotify is "try a config safely": replay delivers through the
// configured sinks, here a Slack incoming webhook and the seed's Sysdig
// webhook template, both checking method, headers and JSON shape.
func TestReplayNotify(t *testing.T) {
	sc := extract(t)
	slack := &recorder{check: func(r *http.Request) string {
		if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			return "want a JSON POST"
		}
		return ""
	}}
	siem := &recorder{check: func(r *http.Request) string {
		if r.Header.Get("Authorization") != "Bearer siem-token-123" {
			return "bad auth"
		}
		return ""
	}}
	slackSrv, siemSrv := httptest.NewServer(slack), httptest.NewServer(siem)
	defer slackSrv.Close()
	defer siemSrv.Close()
	cfg := `drift_rules:
  - name: "Security Group Ingress Rule Violation"
    resource_types: ["aws_security_group"]
    watched_attributes: ["ingress"]
    severity: "critical"
notifications:
  code_url: "https://github.com/acme/infra/blob/main/{file}#L{line}"
  slack:
    enabled: true
    webhook_url: "${SLACK_SECURITY_WEBHOOK}"
    channel: "#security-alerts"
  webhook:
    enabled: true
    url: "` + siemSrv.URL + `/api/v1/events"
    headers:
      Authorization: "Bearer ${SIEM_TOKEN}"
    payload_template: |
      {
        "event": {
          "name": "Security Group Exposure Detected",
          "severity": "high",
          "scope": "{{ .ResourceID }}",
          "tags": {
            "user": "{{ .User }}",
            "resource_type": "{{ .ResourceType }}"
          }
        }
      }
`
	cfgPath := filepath.Join(sc.Dir, "notify.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	ct := filepath.Join(sc.Dir, "events", "cloudtrail-123456789012-us-east-1.json")
	var out, errb strings.Builder
	vars := map[string]string{"SLACK_SECURITY_WEBHOOK": slackSrv.URL + "/services/T000/B000/XXXX", "SIEM_TOKEN": "siem-token-123"}
	env := job.Env{Stdout: &out, Stderr: &errb, LookupEnv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }}
	err := Run(t.Context(), env, Args{ConfigFile: cfgPath, States: []string{sc.State}, Repo: sc.Repo, Notify: true, Inputs: []string{ct}})
	if err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	if len(slack.got()) == 0 || len(siem.got()) == 0 {
		t.Fatalf("slack got %d, siem got %d messages\n%s", len(slack.got()), len(siem.got()), errb.String())
	}
	var sawSG bool
	for _, b := range siem.got() {
		ev := b["event"].(map[string]any)
		if ev["scope"] == "sg-0a1b2c3d4e5f60718" && ev["tags"].(map[string]any)["user"] == "developer@example.com" {
			sawSG = true
		}
	}
	if !sawSG {
		t.Errorf("the SIEM never got the security group drift: %v", siem.got())
	}
	raw, _ := json.Marshal(slack.got())
	if !strings.Contains(string(raw), "https://github.com/acme/infra/blob/main/modules/network/sg.tf#L5") {
		t.Errorf("slack message lacks the link to the code: %s", raw)
	}
	if !strings.Contains(string(raw), "web_servers") || !strings.Contains(string(raw), "blocks") {
		t.Errorf("slack message lacks the resource or Block Kit blocks: %s", raw)
	}
	if !strings.Contains(errb.String(), "→ slack: sent") || !strings.Contains(errb.String(), "→ webhook: sent") {
		t.Errorf("per-notice results not reported:\n%s", errb.String())
	}
	if strings.Contains(errb.String(), "siem-token-123") || strings.Contains(out.String(), "siem-token-123") {
		t.Error("a secret was printed")
	}
}

// TestReplayNotifyReportsFailures: a sink that refuses is named, and the
// exit status says so.
func TestReplayNotifyReportsFailures(t *testing.T) {
	sc := extract(t)
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "invalid_token", http.StatusForbidden)
	}))
	defer down.Close()
	cfgPath := filepath.Join(sc.Dir, "notify.yaml")
	os.WriteFile(cfgPath, []byte("notifications:\n  slack:\n    enabled: true\n    webhook_url: \""+down.URL+"/hook\"\n"), 0o644)
	ct := filepath.Join(sc.Dir, "events", "cloudtrail-123456789012-us-east-1.json")
	var errb strings.Builder
	err := Run(t.Context(), job.Env{Stderr: &errb}, Args{ConfigFile: cfgPath, States: []string{sc.State}, Notify: true, Inputs: []string{ct}})
	if code, _ := job.Status(err); code != 1 || !strings.Contains(errb.String(), "→ slack: FAILED") || !strings.Contains(errb.String(), "403") {
		t.Errorf("exit %d (%v)\n%s", code, err, errb.String())
	}
}

func extract(t *testing.T) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Extract(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

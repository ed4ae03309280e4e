package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/app/catalog"
	"github.com/tfdrift/tfdrift/app/demo/scenario"
	"github.com/tfdrift/tfdrift/app/job"
	dcatalog "github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/internal/golden"
)

type result struct {
	code           int
	stdout, stderr string
}

func runCmd(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	env := job.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb}
	code := run(context.Background(), env, args)
	return result{code, out.String(), errb.String()}
}

func extract(t *testing.T) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Extract(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.CheckString(t, filepath.Join("testdata", name), got)
}

// scrub removes what differs between runs: temp paths and wall-clock times.
func scrub(s, dir string) string {
	s = strings.ReplaceAll(s, dir, "$SCENARIO")
	s = regexp.MustCompile(`"detected_at":"[^"]*"`).ReplaceAllString(s, `"detected_at":"$$NOW"`)
	// The fingerprint hashes the state source's name, here a temp path.
	s = regexp.MustCompile(`"fingerprint":"[0-9a-f]*"`).ReplaceAllString(s, `"fingerprint":"$$FP"`)
	return s
}

func TestHelpAndUnknownCommand(t *testing.T) {
	if r := runCmd(t, "", "help"); r.code != 0 || !strings.Contains(r.stdout, "replay") || !strings.Contains(r.stdout, "catalog") {
		t.Errorf("help: %+v", r)
	}
	if r := runCmd(t, "", "replay", "--help"); r.code != 0 || !strings.Contains(r.stdout, "--detailed-exitcode") || !strings.Contains(r.stdout, "Examples:") {
		t.Errorf("replay --help: code %d\n%s", r.code, r.stdout)
	}
	if r := runCmd(t, "", "frobnicate"); r.code != 1 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %+v", r)
	}
	if r := runCmd(t, "", "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "tfdrift ") {
		t.Errorf("version: %+v", r)
	}
}

// TestDemoScenario is the end-to-end proof of the detector: the embedded
// scenario's events, state, code and rules produce exactly these drifts.
func TestDemoScenario(t *testing.T) {
	sc := extract(t)
	for _, format := range []string{"json", "text"} {
		t.Run(format, func(t *testing.T) {
			args := []string{"replay", "--config", sc.Config, "--state", sc.State, "--repo", sc.Repo, "--format", format}
			r := runCmd(t, "", append(args, sc.Events...)...)
			if r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			checkGolden(t, "demo."+format, scrub(r.stdout, sc.Dir))
			if format == "json" {
				for i, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
					if !json.Valid([]byte(line)) {
						t.Errorf("line %d is not JSON: %s", i+1, line)
					}
				}
			}
		})
	}
}

func TestDemoCommand(t *testing.T) {
	r := runCmd(t, "", "demo")
	if r.code != 0 || !strings.Contains(r.stdout, "CRITICAL DRIFT DETECTED") || !strings.Contains(r.stderr, "drifts") {
		t.Errorf("demo: code %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

func TestReplayExitCodes(t *testing.T) {
	sc := extract(t)
	ct := filepath.Join(sc.Dir, "events", "cloudtrail-123456789012-us-east-1.json")
	base := []string{"replay", "--state", sc.State}
	if r := runCmd(t, "", append(base, "--detailed-exitcode", ct)...); r.code != 2 {
		t.Errorf("drift with --detailed-exitcode: exit %d, want 2\n%s", r.code, r.stderr)
	}
	if r := runCmd(t, "", append(base, ct)...); r.code != 0 {
		t.Errorf("drift without --detailed-exitcode: exit %d, want 0", r.code)
	}
	quiet := `{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","readOnly":true,"eventID":"q1","recipientAccountId":"123456789012","userIdentity":{"type":"IAMUser","userName":"x"}}`
	if r := runCmd(t, quiet, append(base, "--detailed-exitcode", "-")...); r.code != 0 || r.stdout != "" {
		t.Errorf("no drift: exit %d, stdout %q", r.code, r.stdout)
	}
	if r := runCmd(t, "", "replay", ct); r.code != 1 || !strings.Contains(r.stderr, "no Terraform state") {
		t.Errorf("no state: %+v", r)
	}
	if r := runCmd(t, "", append(base, filepath.Join(sc.Dir, "missing.json"))...); r.code != 1 || !strings.Contains(r.stderr, "missing.json") {
		t.Errorf("missing input: %+v", r)
	}
}

// TestReplayBadRecords: a broken record is named with its file and record
// number, skipped, and the rest still run; the exit status is 1.
func TestReplayBadRecords(t *testing.T) {
	sc := extract(t)
	var ct struct{ Records []json.RawMessage }
	data, err := os.ReadFile(filepath.Join(sc.Dir, "events", "cloudtrail-123456789012-us-east-1.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &ct); err != nil {
		t.Fatal(err)
	}
	compact := func(r json.RawMessage) string {
		var b bytes.Buffer
		if err := json.Compact(&b, r); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	lines := []string{compact(ct.Records[0]), `{"eventName": "AuthorizeSecurityGroupIngress", broken`, compact(ct.Records[1])}
	nd := filepath.Join(sc.Dir, "mixed.ndjson")
	if err := os.WriteFile(nd, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, "", "replay", "--state", sc.State, "--format", "json", nd)
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	if !strings.Contains(r.stderr, "mixed.ndjson") || !strings.Contains(r.stderr, "record 2") {
		t.Errorf("stderr does not name the file and record:\n%s", r.stderr)
	}
	if n := strings.Count(r.stdout, "\n"); n != 1 || !strings.Contains(r.stdout, "aws_security_group") {
		t.Errorf("the good records must still produce their drift; stdout:\n%s", r.stdout)
	}
}

func TestReplayGzipAndStdin(t *testing.T) {
	sc := extract(t)
	data, err := os.ReadFile(filepath.Join(sc.Dir, "events", "cloudtrail-123456789012-us-east-1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(data)
	w.Close()
	p := filepath.Join(sc.Dir, "trail.json.gz")
	if err := os.WriteFile(p, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	fromFile := runCmd(t, "", "replay", "--state", sc.State, "--format", "json", p)
	fromStdin := runCmd(t, string(data), "replay", "--state", sc.State, "--format", "json", "-")
	if fromFile.code != 0 || fromStdin.code != 0 || fromFile.stdout == "" {
		t.Fatalf("gzip: %+v\nstdin: %+v", fromFile, fromStdin)
	}
	strip := func(s string) string {
		return regexp.MustCompile(`"detected_at":"[^"]*"`).ReplaceAllString(s, "")
	}
	if strip(fromFile.stdout) != strip(fromStdin.stdout) {
		t.Errorf("gzip file and stdin gave different drifts")
	}
}

func TestCatalogCommand(t *testing.T) {
	r := runCmd(t, "", "catalog", "--format", "json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var entries []struct {
		Provider string `json:"provider"`
		Event    string `json:"event"`
		Targets  []struct {
			ResourceType string   `json:"resource_type"`
			Attributes   []string `json:"attributes"`
		} `json:"targets"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &entries); err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, e := range entries {
		count[e.Provider]++
		if len(e.Targets) == 0 {
			t.Errorf("%s %s has no targets", e.Provider, e.Event)
		}
	}
	if count["aws"] < 80 || count["gcp"] < 20 {
		t.Errorf("catalog has %d AWS events and %d GCP methods; the issue asks for at least 80 and 20", count["aws"], count["gcp"])
	}
	if r := runCmd(t, "", "catalog", "--format", "yaml"); r.code != 1 {
		t.Errorf("bad format: exit %d", r.code)
	}
}

// TestCatalogDocIsCurrent keeps docs/catalog.md generated, not hand-kept.
func TestCatalogDocIsCurrent(t *testing.T) {
	r := runCmd(t, "", "catalog", "--format", "markdown")
	want, err := os.ReadFile("../../docs/catalog.md")
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != r.stdout {
		t.Error("docs/catalog.md is stale: run `make docs`")
	}
}

// TestReadmeCatalogIsCurrent keeps the README's event table generated.
func TestReadmeCatalogIsCurrent(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := catalog.ReplaceReadme(string(readme), dcatalog.Default())
	if err != nil {
		t.Fatal(err)
	}
	if want != string(readme) {
		t.Error("README.md's supported-events table is stale: run `make docs`")
	}
}

func TestLocateCommand(t *testing.T) {
	sc := extract(t)
	r := runCmd(t, "", "locate", "--repo", sc.Repo, "module.iam.aws_iam_role_policy.app_policy", `aws_s3_bucket.b["logs"]`)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"modules/iam/roles.tf:14", "module: module.iam (modules/iam)", "main.tf:52", "policy                   line 18"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("locate output lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := runCmd(t, "", "locate", "--repo", sc.Repo, "aws_instance.nope"); r.code != 1 || !strings.Contains(r.stderr, "aws_instance.nope") {
		t.Errorf("unknown address: %+v", r)
	}
}

func TestConfigValidate(t *testing.T) {
	sc := extract(t)
	if r := runCmd(t, "", "config", "validate", sc.Config); r.code != 0 || !strings.Contains(r.stdout, "rules: 7") {
		t.Errorf("valid config: %+v", r)
	}
	bad := filepath.Join(sc.Dir, "bad.yaml")
	os.WriteFile(bad, []byte("drift_rules:\n  - name: x\n    resource_types: [aws_instance]\n    severity: crit\n    colour: red\n"), 0o644)
	r := runCmd(t, "", "config", "validate", bad)
	if r.code != 1 || !strings.Contains(r.stderr, "bad.yaml:4") || !strings.Contains(r.stderr, "bad.yaml:5") {
		t.Errorf("bad config must name file:line for each problem: %+v", r)
	}
}

// TestFlagsAfterArguments: every command takes its flags before or after
// its arguments (issue 14 item 15: config validate --strict-env FILE and
// config validate FILE --strict-env are the same).
func TestFlagsAfterArguments(t *testing.T) {
	sc := extract(t)
	cfg := filepath.Join(sc.Dir, "env.yaml")
	os.WriteFile(cfg, []byte("notifications:\n  slack:\n    webhook_url: \"${TFDRIFT_TEST_UNSET_HOOK}\"\n"), 0o644)
	ct := filepath.Join(sc.Dir, "events", "cloudtrail-123456789012-us-east-1.json")
	tests := []struct {
		name string
		args []string
		code int
		want string // in stdout+stderr
	}{
		{"validate, flag first", []string{"config", "validate", "--strict-env", cfg}, 1, "TFDRIFT_TEST_UNSET_HOOK"},
		{"validate, flag last", []string{"config", "validate", cfg, "--strict-env"}, 1, "TFDRIFT_TEST_UNSET_HOOK"},
		{"validate, flag between", []string{"config", "--strict-env", "validate", cfg}, 1, "TFDRIFT_TEST_UNSET_HOOK"},
		{"validate without it warns only", []string{"config", "validate", cfg}, 0, "valid"},
		{"replay, flags last", []string{"replay", ct, "--state", sc.State, "--detailed-exitcode"}, 2, "DRIFT DETECTED"},
		{"locate, flags last", []string{"locate", "module.iam.aws_iam_role_policy.app_policy", "--repo", sc.Repo, "--json"}, 0, `"file":"modules/iam/roles.tf"`},
		{"catalog, flag after nothing", []string{"catalog", "--provider", "gcp", "--format", "json"}, 0, `"provider": "gcp"`},
		{"unknown flag after an argument", []string{"locate", "x", "--bogus"}, 1, "flag provided but not defined: -bogus"},
	}
	for _, tt := range tests {
		r := runCmd(t, "", tt.args...)
		if r.code != tt.code || !strings.Contains(r.stdout+r.stderr, tt.want) {
			t.Errorf("%s: tfdrift %s: exit %d (want %d), output lacks %q:\n%s%s", tt.name, strings.Join(tt.args, " "), r.code, tt.code, tt.want, r.stdout, r.stderr)
		}
	}
}

// TestHelpTeaches: every command's --help has a synopsis, its exit
// statuses and, where it has flags, their defaults; no flag's help takes
// a placeholder from backquotes (accept --help once showed
// "-terraform fmt").
func TestHelpTeaches(t *testing.T) {
	for name := range commands {
		r := runCmd(t, "", name, "--help")
		if r.code != 0 || !strings.HasPrefix(r.stdout, "Usage: tfdrift "+name) || !strings.Contains(r.stdout, "Exit status:") {
			t.Errorf("%s --help: exit %d\n%s", name, r.code, r.stdout)
		}
		if strings.Contains(r.stdout, "`") {
			t.Errorf("%s --help has a backquote: flag usage turns it into a placeholder\n%s", name, r.stdout)
		}
	}
	r := runCmd(t, "", "accept", "--help")
	for _, want := range []string{"-binary string", "-terraform string", "-confirm", "-dry-run"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("accept --help lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := runCmd(t, "", "revert", "--help"); !strings.Contains(r.stdout, "-terraform string") || !strings.Contains(r.stdout, "-allow-destroy") {
		t.Errorf("revert --help:\n%s", r.stdout)
	}
}

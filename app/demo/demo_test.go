package demo

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/internal/golden"
)

// TestDemoShowsCoverage: `make demo` prints, after the replay, what the
// catalog sees of the example state: every resource type with the events
// that can change it.
func TestDemoShowsCoverage(t *testing.T) {
	var out, errb bytes.Buffer
	if err := Run(context.Background(), job.Env{Stdout: &out, Stderr: &errb}, Args{Format: "text", ReplayOnly: true}); err != nil {
		t.Fatalf("demo: %v\n%s", err, errb.String())
	}
	story := errb.String()
	for _, want := range []string{
		"tfdrift demo: what serve can see of terraform.tfstate (tfdrift catalog --coverage --state terraform.tfstate)",
		"Real-time coverage of 1 state: 7 resource types (10 instances)",
		"aws_instance (3 instances): ",
		"    modify: AuthorizeSecurityGroupEgress, AuthorizeSecurityGroupIngress, ",
		"google_compute_firewall (1 instance): ",
	} {
		if !strings.Contains(story, want) {
			t.Errorf("the demo's story lacks %q:\n%s", want, story)
		}
	}
	if strings.Index(story, "Real-time coverage") < strings.Index(story, "records →") {
		t.Error("coverage printed before the replay's summary")
	}
	if !strings.Contains(out.String(), "CRITICAL DRIFT DETECTED") {
		t.Errorf("no drifts on stdout:\n%s", out.String())
	}
}

// TestDemoShowsGitHub: `make demo` prints, after the coverage, the
// Markdown of the drift issue the GitHub App opens, of the accept pull
// request "/tfdrift accept" opens, the comment commands, and the job
// summary of `tfdrift check`, the same every run (golden).
func TestDemoShowsGitHub(t *testing.T) {
	var out, errb bytes.Buffer
	if err := Run(context.Background(), job.Env{Stdout: &out, Stderr: &errb}, Args{Format: "text", ReplayOnly: true}); err != nil {
		t.Fatalf("demo: %v\n%s", err, errb.String())
	}
	story := errb.String()
	i := strings.Index(story, "\ntfdrift demo: the GitHub App's drift issue")
	if i < 0 || i < strings.Index(story, "Real-time coverage") {
		t.Fatalf("no GitHub preview after the coverage:\n%s", story)
	}
	golden.CheckString(t, filepath.Join("testdata", "github.md"), story[i:])
	for _, want := range []string{
		"# Drift: " + previewAddress + " modified by developer@example.com",
		"<!-- tfdrift:resource=prod/" + previewAddress + " -->",
		"# Accept drift: " + previewAddress,
		"+    from_port   = 22",
		"Closes #12",
		"**tfdrift commands.**",
		"## tfdrift check: 8 drifted resources",
	} {
		if !strings.Contains(story, want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
}

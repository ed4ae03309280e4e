package demo

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/app/job"
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

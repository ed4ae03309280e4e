package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/internal/golden"
)

const coverageState = "testdata/coverage.tfstate"

// TestCoverage: every managed resource type of the state is listed with
// the events that can change it (data sources are not), the type no event
// covers is marked, and so is the one only created or deleted; other
// providers' resources are nothing to watch.
func TestCoverage(t *testing.T) {
	for _, tt := range []struct {
		name string
		args Args
	}{
		{"text", Args{Coverage: true, States: []string{coverageState}, Format: "text"}},
		{"json", Args{Coverage: true, States: []string{coverageState}, Format: "json"}},
		{"gcp", Args{Coverage: true, States: []string{coverageState}, Format: "text", Provider: "gcp"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := Run(context.Background(), job.Env{Stdout: &out}, tt.args); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "testdata/coverage."+tt.name+".golden", out.Bytes())
		})
	}
}

// TestCoverageJSON checks the JSON's meaning, not only its bytes.
func TestCoverageJSON(t *testing.T) {
	var out bytes.Buffer
	// The same state twice: instances add up, types appear once.
	err := Run(context.Background(), job.Env{Stdout: &out}, Args{Coverage: true, States: []string{coverageState, coverageState}, Format: "json"})
	if err != nil {
		t.Fatal(err)
	}
	var rep CoverageReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	got := map[string]TypeCoverage{}
	for _, tc := range rep.Types {
		if _, dup := got[tc.Type]; dup {
			t.Errorf("%s listed twice", tc.Type)
		}
		got[tc.Type] = tc
	}
	if _, ok := got["aws_caller_identity"]; ok {
		t.Error("a data source is listed")
	}
	sg := got["aws_security_group"]
	if sg.Instances != 4 || !sg.Covered || !sg.InPlace || sg.Note != "" || len(sg.Events) == 0 {
		t.Errorf("aws_security_group: %+v", sg)
	}
	if ls := got["aws_cloudwatch_log_stream"]; ls.Covered || !ls.Audited || !strings.Contains(ls.Note, "tfdrift check") {
		t.Errorf("aws_cloudwatch_log_stream: %+v", ls)
	}
	if b := got["google_storage_bucket"]; !b.Covered || b.InPlace || !strings.Contains(b.Note, "in place") {
		t.Errorf("google_storage_bucket: %+v", b)
	}
	if r := got["random_id"]; r.Audited || r.Covered || r.Note != "" {
		t.Errorf("random_id: %+v", r)
	}
}

func TestCoverageErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		args Args
		want string
	}{
		{"no state", Args{Coverage: true}, "--coverage needs at least one --state FILE"},
		{"markdown", Args{Coverage: true, States: []string{coverageState}, Format: "markdown"}, `unknown format "markdown" for --coverage`},
		{"provider", Args{Coverage: true, States: []string{coverageState}, Provider: "azure"}, `unknown provider "azure"`},
		{"missing state", Args{Coverage: true, States: []string{"testdata/missing.tfstate"}}, "testdata/missing.tfstate"},
		{"state without coverage", Args{States: []string{coverageState}}, "--state is read only with --coverage"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := Run(context.Background(), job.Env{Stdout: &out}, tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
			if tt.name == "no state" && !errors.Is(err, ErrNoCoverageState) {
				t.Errorf("error %v is not ErrNoCoverageState", err)
			}
			if out.Len() != 0 {
				t.Errorf("wrote output on error: %s", out.String())
			}
		})
	}
}

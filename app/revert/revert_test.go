package revert

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/gitops/terraform"
	"github.com/tfdrift/tfdrift/gitops/workspace"
)

// TestExitStatusPerErrorKind pins docs/revert.md's table: each typed error
// of gitops gives its own status, wrapped or not, and the message says
// what happened.
func TestExitStatusPerErrorKind(t *testing.T) {
	tests := []struct {
		err  error
		code int
	}{
		{&terraform.VersionError{Binary: "tofu", Want: ">= 1.6.0", Got: "1.5.0"}, ExitUnsupportedBinary},
		{&terraform.LockHeldError{ID: "x", Who: "ci@runner"}, ExitLocked},
		{&workspace.LockedError{Holder: "another job"}, ExitLocked},
		{&terraform.AuthError{Provider: "aws", Line: "ExpiredToken"}, ExitCredentials},
		{&terraform.StalePlanError{Err: errors.New("serial moved")}, ExitStalePlan},
		{&terraform.UnexpectedChangesError{Target: []string{"a.b"}, Others: []string{"a.c"}}, ExitRefused},
		{&terraform.DestructiveChangeError{Address: "a.b", Actions: []string{"delete"}}, ExitRefused},
		{fmt.Errorf("plan: %w", &terraform.DestructiveChangeError{Address: "a.b", Actions: []string{"delete"}}), ExitRefused},
		{errors.New("terraform init: exit status 1"), 1},
	}
	for _, tt := range tests {
		err := classify(tt.err)
		code, msg := job.Status(err)
		if code != tt.code || !strings.HasPrefix(msg, "revert: ") {
			t.Errorf("%T: status %d %q, want %d", tt.err, code, msg, tt.code)
		}
		if !errors.Is(err, tt.err) {
			t.Errorf("%T: the typed error is not reachable with errors.Is", tt.err)
		}
	}
	if code, msg := job.Status(job.Reported(&ChangesError{Changes: 2})); code != ExitChanges || msg != "" {
		t.Errorf("dry run with changes: %d %q", code, msg)
	}
}

// TestCommentGrammar: "/tfdrift revert …" parses with the CLI's own flag
// definitions, and nothing that names a path or binary of the machine is
// accepted from a comment.
func TestCommentGrammar(t *testing.T) {
	parse := func(line string) (Args, error) {
		var a Args
		rest, err := job.ParseLine("revert", line, a.RegisterShared)
		a.Addresses = rest
		return a, err
	}
	a, err := parse(`aws_security_group.web --allow-destroy 'aws_s3_bucket.b["logs"]' --allow-replace --dry-run`)
	if err != nil {
		t.Fatal(err)
	}
	want := Args{AllowDestroy: true, AllowReplace: true, DryRun: true, Addresses: []string{"aws_security_group.web", `aws_s3_bucket.b["logs"]`}}
	if fmt.Sprint(a) != fmt.Sprint(want) {
		t.Errorf("got %+v, want %+v", a, want)
	}
	for _, local := range []string{"--binary /tmp/evil", "--plugin-mirror /", "--repo /etc", "--config x.yaml", "--commit HEAD~1"} {
		if _, err := parse("aws_security_group.web " + local); err == nil {
			t.Errorf("a comment set %s", local)
		}
	}
	// The CLI registers the same definitions, plus its own.
	var cli Args
	fs := flag.NewFlagSet("revert", flag.ContinueOnError)
	cli.RegisterFlags(fs)
	shared := flag.NewFlagSet("shared", flag.ContinueOnError)
	cli.RegisterShared(shared)
	shared.VisitAll(func(f *flag.Flag) {
		if c := fs.Lookup(f.Name); c == nil || c.Usage != f.Usage || c.DefValue != f.DefValue {
			t.Errorf("--%s differs between the comment and the command line", f.Name)
		}
	})
}

// The address grammar is checked before anything runs: with a terraform
// binary that records every call, a bad address never reaches it, and no
// working copy is made (issue 14, item 20).
func TestAddressesCheckedBeforeTerraform(t *testing.T) {
	dir := t.TempDir()
	calls := filepath.Join(dir, "calls")
	bin := filepath.Join(dir, "terraform")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho \"$@\" >> "+calls+"\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(dir, "repo")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "main.tf"), []byte("resource \"aws_s3_bucket\" \"b\" {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"module.network", "data.aws_iam_policy.x", "aws_s3_bucket", "aws_s3_bucket.b; rm -rf /", "-destroy"} {
		var errb strings.Builder
		err := Run(t.Context(), job.Env{Stderr: &errb}, Args{Repo: repo, Binary: bin, Addresses: []string{"aws_s3_bucket.b", addr}})
		var ae *terraform.AddressError
		if !errors.As(err, &ae) {
			t.Errorf("%q: err = %v, want an *terraform.AddressError", addr, err)
		}
		if code, msg := job.Status(err); code != 1 || !strings.Contains(msg, addr) {
			t.Errorf("%q: exit %d %q", addr, code, msg)
		}
	}
	if b, err := os.ReadFile(calls); err == nil {
		t.Errorf("terraform ran before the addresses were checked:\n%s", b)
	}
}

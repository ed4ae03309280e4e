package terraform

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var versionCall = []string{"version", "-json"}

// TestArgv asserts the exact command lines each operation runs, in order.
func TestArgv(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		env  map[string]string
		opts []Option
		run  func(r *Runner) error
		want [][]string
	}{
		{
			name: "confirm",
			env:  map[string]string{"FAKE_SHOW_JSON": "testdata/plans/drift.json"},
			opts: []Option{LockTimeout(30 * time.Second), VarFile("prod.tfvars")},
			run: func(r *Runner) error {
				_, err := r.Confirm(ctx, "aws_security_group.web", "aws_instance.workers", "aws_security_group.web")
				return err
			},
			want: [][]string{
				versionCall,
				{"plan", "-no-color", "-input=false", "-detailed-exitcode", "-lock-timeout=30s", "-out=PLANDIR/confirm.tfplan",
					"-var-file=prod.tfvars", "-lock=true", "-parallelism=10", "-refresh=true", "-refresh-only",
					"-target=aws_instance.workers", "-target=aws_security_group.web", "-json"},
				{"show", "-json", "-no-color", "PLANDIR/confirm.tfplan"},
			},
		},
		{
			name: "plan clean",
			env:  map[string]string{"FAKE_SHOW_JSON": "testdata/plans/noop.json"},
			run: func(r *Runner) error {
				_, _, err := r.PlanClean(ctx, "aws_instance.app")
				return err
			},
			want: [][]string{
				versionCall,
				{"plan", "-no-color", "-input=false", "-detailed-exitcode", "-lock-timeout=0s", "-out=PLANDIR/clean.tfplan",
					"-lock=true", "-parallelism=10", "-refresh=true", "-target=aws_instance.app"},
				{"show", "-json", "-no-color", "PLANDIR/clean.tfplan"},
			},
		},
		{
			name: "prove plan renders it",
			env:  map[string]string{"FAKE_SHOW_JSON": "testdata/plans/noop.json"},
			run: func(r *Runner) error {
				_, err := r.ProvePlan(ctx, "aws_instance.app")
				return err
			},
			want: [][]string{
				versionCall,
				{"plan", "-no-color", "-input=false", "-detailed-exitcode", "-lock-timeout=0s", "-out=PLANDIR/clean.tfplan",
					"-lock=true", "-parallelism=10", "-refresh=true", "-target=aws_instance.app"},
				{"show", "-json", "-no-color", "PLANDIR/clean.tfplan"},
				{"show", "-no-color", "PLANDIR/clean.tfplan"},
			},
		},
		{
			name: "plan revert",
			env:  map[string]string{"FAKE_SHOW_JSON": "testdata/plans/revert-update.json", "FAKE_PLAN_EXIT": "2"},
			run: func(r *Runner) error {
				_, err := r.PlanRevert(ctx, []string{"aws_security_group.web"})
				return err
			},
			want: [][]string{
				versionCall,
				{"plan", "-no-color", "-input=false", "-detailed-exitcode", "-lock-timeout=0s", "-out=PLANDIR/revert.tfplan",
					"-lock=true", "-parallelism=10", "-refresh=true", "-target=aws_security_group.web"},
				{"show", "-json", "-no-color", "PLANDIR/revert.tfplan"},
				{"show", "-no-color", "PLANDIR/revert.tfplan"},
			},
		},
		{
			name: "revert applies the saved plan",
			env:  map[string]string{"FAKE_SHOW_JSON": "testdata/plans/revert-update.json", "FAKE_PLAN_EXIT": "2"},
			opts: []Option{LockTimeout(time.Minute)},
			run: func(r *Runner) error {
				_, err := r.Revert(ctx, []string{"aws_security_group.web"}, LockTimeout(90*time.Second))
				return err
			},
			want: [][]string{
				versionCall,
				{"plan", "-no-color", "-input=false", "-detailed-exitcode", "-lock-timeout=1m30s", "-out=PLANDIR/revert.tfplan",
					"-lock=true", "-parallelism=10", "-refresh=true", "-target=aws_security_group.web"},
				{"show", "-json", "-no-color", "PLANDIR/revert.tfplan"},
				{"show", "-no-color", "PLANDIR/revert.tfplan"},
				{"apply", "-no-color", "-auto-approve", "-input=false", "-lock-timeout=1m30s",
					"-lock=true", "-parallelism=10", "-refresh=true", "PLANDIR/revert.tfplan"},
			},
		},
		{
			name: "revert with no changes does not apply",
			env:  map[string]string{"FAKE_SHOW_JSON": "testdata/plans/noop.json"},
			run: func(r *Runner) error {
				res, err := r.Revert(ctx, []string{"aws_instance.app"})
				if err == nil && res.Applied {
					return errors.New("Applied = true for an empty plan")
				}
				return err
			},
			want: [][]string{
				versionCall,
				{"plan", "-no-color", "-input=false", "-detailed-exitcode", "-lock-timeout=0s", "-out=PLANDIR/revert.tfplan",
					"-lock=true", "-parallelism=10", "-refresh=true", "-target=aws_instance.app"},
				{"show", "-json", "-no-color", "PLANDIR/revert.tfplan"},
				{"show", "-no-color", "PLANDIR/revert.tfplan"},
			},
		},
		{
			name: "init",
			run:  func(r *Runner) error { return r.Init(ctx) },
			want: [][]string{
				versionCall,
				{"init", "-no-color", "-input=false", "-backend=true", "-get=true", "-upgrade=false"},
			},
		},
		{
			name: "select existing workspace",
			run:  func(r *Runner) error { return r.SelectWorkspace(ctx, "prod", false) },
			want: [][]string{
				versionCall,
				{"workspace", "list", "-no-color"},
				{"workspace", "select", "-no-color", "prod"},
			},
		},
		{
			name: "current workspace needs no select",
			run:  func(r *Runner) error { return r.SelectWorkspace(ctx, "default", false) },
			want: [][]string{versionCall, {"workspace", "list", "-no-color"}},
		},
		{
			name: "create workspace",
			opts: []Option{LockTimeout(5 * time.Second)},
			run:  func(r *Runner) error { return r.SelectWorkspace(ctx, "staging", true) },
			want: [][]string{
				versionCall,
				{"workspace", "list", "-no-color"},
				{"workspace", "new", "-no-color", "-lock-timeout=5s", "staging"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, "terraform")
			for k, v := range tt.env {
				f.set(k, v)
			}
			r := f.runner(tt.opts...)
			if err := tt.run(r); err != nil {
				t.Fatalf("run: %v", err)
			}
			if diff := cmp.Diff(tt.want, f.calls()); diff != "" {
				t.Errorf("argv (-want +got):\n%s", diff)
			}
		})
	}
}

// TestVersionCheckedOnce: the second operation does not ask again.
func TestVersionCheckedOnce(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, "terraform").set("FAKE_SHOW_JSON", "testdata/plans/noop.json")
	r := f.runner()
	for range 2 {
		if _, _, err := r.PlanClean(ctx, "aws_instance.app"); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, c := range f.calls() {
		if c[0] == "version" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("version ran %d times, want 1", n)
	}
}

func TestMissingWorkspace(t *testing.T) {
	f := newFake(t, "terraform")
	err := f.runner().SelectWorkspace(context.Background(), "prdo", false)
	var nf *WorkspaceNotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("err = %v, want *WorkspaceNotFoundError", err)
	}
	if diff := cmp.Diff(&WorkspaceNotFoundError{Name: "prdo", Existing: []string{"default", "prod"}}, nf); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
}

// TestGuardRefusalAppliesNothing: a refused plan never reaches apply.
func TestGuardRefusalAppliesNothing(t *testing.T) {
	f := newFake(t, "terraform").set("FAKE_SHOW_JSON", "testdata/plans/revert-replace.json").set("FAKE_PLAN_EXIT", "2")
	res, err := f.runner().Revert(context.Background(), []string{"aws_security_group.web"})
	var de *DestructiveChangeError
	if !errors.As(err, &de) {
		t.Fatalf("err = %v, want *DestructiveChangeError", err)
	}
	if res == nil || res.Plan == nil || res.Applied {
		t.Fatalf("result = %+v, want the refused plan, not applied", res)
	}
	for _, c := range f.calls() {
		if c[0] == "apply" {
			t.Errorf("apply ran: %q", c)
		}
	}
}

// TestTypedErrorsFromOutput runs failing commands and checks that the
// error is typed from what Terraform printed, in both output modes.
func TestTypedErrorsFromOutput(t *testing.T) {
	ctx := context.Background()
	confirm := func(r *Runner) error { _, err := r.Confirm(ctx, "aws_instance.app"); return err }
	revert := func(r *Runner) error { _, err := r.Revert(ctx, []string{"aws_security_group.web"}); return err }
	tests := []struct {
		name  string
		env   map[string]string
		run   func(*Runner) error
		check func(t *testing.T, err error)
	}{
		{
			name: "lock held, human output",
			env:  map[string]string{"FAKE_PLAN_STDERR": "testdata/output/lock-held.txt"},
			run:  revert,
			check: func(t *testing.T, err error) {
				var le *LockHeldError
				if !errors.As(err, &le) {
					t.Fatalf("err = %v, want *LockHeldError", err)
				}
				if le.ID != "abc-123" || le.Who != "job-7@host" {
					t.Errorf("lock = %+v", le)
				}
			},
		},
		{
			name: "lock held, -json output",
			env:  map[string]string{"FAKE_PLAN_STDOUT": "testdata/output/lock-held.jsonl", "FAKE_PLAN_EXIT": "1"},
			run:  confirm,
			check: func(t *testing.T, err error) {
				var le *LockHeldError
				if !errors.As(err, &le) {
					t.Fatalf("err = %v, want *LockHeldError", err)
				}
				if le.Operation != "OperationTypeApply" {
					t.Errorf("lock = %+v", le)
				}
			},
		},
		{
			name: "auth",
			env:  map[string]string{"FAKE_PLAN_STDERR": "testdata/output/auth-aws.txt"},
			run:  revert,
			check: func(t *testing.T, err error) {
				var ae *AuthError
				if !errors.As(err, &ae) || ae.Provider != "aws" {
					t.Fatalf("err = %v, want *AuthError for aws", err)
				}
			},
		},
		{
			name: "stale plan on apply",
			env: map[string]string{
				"FAKE_SHOW_JSON": "testdata/plans/revert-update.json", "FAKE_PLAN_EXIT": "2",
				"FAKE_APPLY_STDERR": "testdata/output/stale.txt",
			},
			run: revert,
			check: func(t *testing.T, err error) {
				var se *StalePlanError
				if !errors.As(err, &se) {
					t.Fatalf("err = %v, want *StalePlanError", err)
				}
			},
		},
		{
			name: "unknown failure stays untyped but names the command",
			env:  map[string]string{"FAKE_PLAN_STDERR": "testdata/output/access-denied.txt"},
			run:  revert,
			check: func(t *testing.T, err error) {
				var ae *AuthError
				var le *LockHeldError
				if err == nil || errors.As(err, &ae) || errors.As(err, &le) {
					t.Fatalf("err = %v, want a plain error", err)
				}
				if !strings.Contains(err.Error(), "terraform plan in ") || !strings.Contains(err.Error(), "UnauthorizedOperation") {
					t.Errorf("err = %v, want the command and Terraform's message", err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, "terraform")
			for k, v := range tt.env {
				f.set(k, v)
			}
			tt.check(t, tt.run(f.runner()))
		})
	}
}

// TestOutputStreaming: the human output goes to Output as printed; a
// -json run's messages arrive as text, not JSON.
func TestOutputStreaming(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, "terraform").
		set("FAKE_SHOW_JSON", "testdata/plans/drift.json").
		set("FAKE_PLAN_STDOUT", "testdata/output/lock-held.jsonl") // any UI stream will do
	var out strings.Builder
	r := f.runner(Output(&out))
	if _, err := r.Confirm(ctx, "aws_instance.workers"); err != nil {
		t.Fatal(err)
	}
	want := "Terraform 1.5.7\nError: Error acquiring the state lock\n\nError message: resource temporarily unavailable\n"
	if !strings.HasPrefix(out.String(), want) {
		t.Errorf("output = %q, want prefix %q", out.String(), want)
	}
	if strings.Contains(out.String(), `"@level"`) {
		t.Errorf("output holds raw JSON: %q", out.String())
	}
}

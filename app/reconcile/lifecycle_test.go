//go:build e2e

// This file runs a real Terraform (internal/tftest) and uses the
// package's unexported internals, so it stays here under the e2e tag:
// make test runs it, make test-short does not (docs/ARCHITECTURE.md,
// Testing).

package reconcile

import (
	"strings"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector/rules"
	"github.com/tfdrift/tfdrift/internal/tftest"
)

func autoRevertRule(enabled *bool) []rules.Rule {
	return []rules.Rule{{Name: "No public SSH", ResourceTypes: []string{"aws_security_group"},
		Actions: []rules.Action{{Type: rules.ActionAutoRevert, Enabled: enabled}}}}
}

// TestAutoRevert: the auto_revert action runs the revert without a
// command only when the rule says enabled: true; disabled (or left
// unsaid) nothing runs.
func TestAutoRevert(t *testing.T) {
	off, on := false, true
	for _, tt := range []struct {
		name    string
		enabled *bool
	}{{"disabled", &off}, {"unsaid", nil}} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, worldOptions{apply: true, rules: autoRevertRule(tt.enabled)})
			d := w.openSSH()
			issue := w.openIssue(d)
			res, err := w.rec.DriftOpened(w.ctx, w.repoRef(), d)
			if err != nil || !res.OK || res.Reply != "" {
				t.Fatalf("DriftOpened = %+v, %v; want nothing done", res, err)
			}
			if w.ingressPorts() != "443,22" || w.status(d.Fingerprint) != store.StatusOpen || len(w.repo.Comments(issue)) != 0 {
				t.Error("auto_revert ran without enabled: true")
			}
		})
	}

	w := newWorld(t, worldOptions{apply: true, rules: autoRevertRule(&on)})
	d := w.openSSH()
	issue := w.openIssue(d)
	res, err := w.rec.DriftOpened(w.ctx, w.repoRef(), d)
	if err != nil || !res.OK || !res.IssueClosed {
		t.Fatalf("DriftOpened = %+v, %v; want the revert", res, err)
	}
	if got := w.ingressPorts(); got != "443" {
		t.Errorf("cloud after the auto revert: ingress ports %s, want 443", got)
	}
	if w.status(d.Fingerprint) != store.StatusResolved || w.resolved.reason(d.Fingerprint) != "reverted by the auto_revert of rule No public SSH" {
		t.Errorf("drift %s, want resolved as reverted", w.status(d.Fingerprint))
	}
	cs := w.repo.Comments(issue)
	if len(cs) != 1 || !strings.HasPrefix(cs[0].Body, "**auto_revert** (rule `No public SSH`):") || !strings.Contains(cs[0].Body, "Reverted `aws_security_group.web`") {
		t.Errorf("issue comments %+v", cs)
	}
	hist, _ := w.st.History(w.ctx, d.Fingerprint)
	if last := hist[len(hist)-1]; last.Actor != "tfdrift" || last.Note != "reverted by the auto_revert of rule No public SSH" {
		t.Errorf("history %+v", last)
	}

	// With no issue, it is logged.
	w = newWorld(t, worldOptions{apply: true, rules: autoRevertRule(&on)})
	d = w.openSSH()
	if _, err := w.rec.DriftOpened(w.ctx, w.repoRef(), d); err != nil {
		t.Fatal(err)
	}
	if w.ingressPorts() != "443" || !strings.Contains(w.logs.String(), `msg="no drift issue to tell" repo=acme/infra resource=aws_security_group.web`) {
		t.Errorf("auto revert without an issue: ports %s, log:\n%s", w.ingressPorts(), w.logs.String())
	}
	for _, wr := range w.gh.Writes() {
		if strings.Contains(wr.Path, "/issues") {
			t.Errorf("auto revert without an issue wrote %s %s", wr.Method, wr.Path)
		}
	}
}

// TestIgnore: /tfdrift ignore records the ignored values, closes the
// issue as not planned, and the pipeline's hook keeps the same drift
// quiet while a different value is recorded.
func TestIgnore(t *testing.T) {
	w := newWorld(t, worldOptions{apply: true})
	d := w.openSSH()
	issue := w.openIssue(d)
	if res, err := w.rec.Ignore(w.ctx, IgnoreRequest{Repo: w.repoRef(), Resource: ResourceOf(d), Issue: issue, Actor: "alice", Attributes: []string{"tags"}}); err != nil || res.OK ||
		res.Reply != "`aws_security_group.web` has no drifted attribute `tags`; its drifted attributes are `ingress`." {
		t.Errorf("ignore of an attribute that did not drift = %+v, %v", res, err)
	}
	res, err := w.rec.Ignore(w.ctx, IgnoreRequest{Repo: w.repoRef(), Resource: ResourceOf(d), Issue: issue, Actor: "alice"})
	if err != nil || !res.OK || !res.IssueClosed ||
		res.Reply != "Ignoring `ingress` of `aws_security_group.web` until the resource drifts to another value. Closing this issue as not planned." {
		t.Fatalf("Ignore = %+v, %v", res, err)
	}
	if is, _ := w.repo.Issue(issue); is.State != "closed" || is.StateReason != "not_planned" {
		t.Errorf("issue %+v, want closed as not planned", is)
	}
	if st := w.status(d.Fingerprint); st != store.StatusIgnored {
		t.Errorf("drift is %s, want ignored", st)
	}

	hook := HonourIgnores(w.st, w.st, nil)
	again := *d
	again.Fingerprint = ""
	again.ComputeFingerprint()
	if rec, opened, err := hook.RecordDrift(w.ctx, &again, nil); err != nil || opened || rec.Fingerprint != "" {
		t.Errorf("the ignored drift again: %+v, %v, %v; want it dropped", rec, opened, err)
	}
	// Another rule on top: the value differs, the drift is recorded.
	w.env.Cloud(t).Mutate(tftest.KindSecurityGroup, w.sg, func(o map[string]any) {
		o["ingress"] = append(o["ingress"].([]any), rule(3389, "0.0.0.0/0", "rdp"))
	})
	d2 := w.ingressDrift("AuthorizeSecurityGroupIngress", 3389, "rdp")
	if _, opened, err := hook.RecordDrift(w.ctx, d2, nil); err != nil || !opened {
		t.Errorf("a new value of an ignored attribute: opened %v, %v; want recorded", opened, err)
	}
}

// TestIgnoreFor: an ignore for a time resolves the drift, and when it
// expires the same drift is recorded (and reopens) again.
func TestIgnoreFor(t *testing.T) {
	w := newWorld(t, worldOptions{apply: true})
	d := w.openSSH()
	res, err := w.rec.Ignore(w.ctx, IgnoreRequest{Repo: w.repoRef(), Resource: ResourceOf(d), Actor: "alice", For: 2 * time.Second})
	if err != nil || !res.OK || !strings.Contains(res.Reply, "until 20") {
		t.Fatalf("Ignore = %+v, %v", res, err)
	}
	if st := w.status(d.Fingerprint); st != store.StatusResolved {
		t.Errorf("drift is %s, want resolved while ignored for a time", st)
	}
	hook := HonourIgnores(w.st, w.st, nil)
	if _, opened, err := hook.RecordDrift(w.ctx, d, nil); err != nil || opened {
		t.Errorf("within the ignore: opened %v, %v", opened, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, opened, err := hook.RecordDrift(w.ctx, d, nil)
		if err != nil {
			t.Fatal(err)
		}
		if opened {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the drift was not recorded again after the ignore expired")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if st := w.status(d.Fingerprint); st != store.StatusOpen {
		t.Errorf("drift is %s after the ignore expired, want open again", st)
	}
}

// TestRecheck: terraform's refresh-only plan still finds the drift (the
// reply holds it), then, once the cloud is put back by hand, finds none:
// the drift resolves and the issue closes.
func TestRecheck(t *testing.T) {
	w := newWorld(t, worldOptions{apply: true})
	d := w.openSSH()
	issue := w.openIssue(d)
	req := RecheckRequest{Repo: w.repoRef(), Resource: ResourceOf(d), Issue: issue, Actor: "alice"}
	res, err := w.rec.Recheck(w.ctx, req)
	if err != nil || !res.OK || res.IssueClosed || !strings.Contains(res.Reply, "Terraform still finds drift on `aws_security_group.web`") ||
		!strings.Contains(res.Reply, "aws_security_group.web.ingress") {
		t.Fatalf("Recheck with the drift = %+v, %v", res, err)
	}
	w.env.Cloud(t).Mutate(tftest.KindSecurityGroup, w.sg, func(o map[string]any) {
		o["ingress"] = o["ingress"].([]any)[:1]
	})
	res, err = w.rec.Recheck(w.ctx, req)
	if err != nil || !res.OK || !res.IssueClosed {
		t.Fatalf("Recheck after the cloud was put back = %+v, %v", res, err)
	}
	if w.status(d.Fingerprint) != store.StatusResolved || w.resolved.reason(d.Fingerprint) != "terraform finds no drift any more (recheck by @alice)" {
		t.Errorf("drift %s, reason %q", w.status(d.Fingerprint), w.resolved.reason(d.Fingerprint))
	}
	bare := newWorld(t, worldOptions{noTerraform: true})
	if res, err := bare.rec.Recheck(bare.ctx, RecheckRequest{Repo: bare.repoRef(), Resource: ResourceOf(d)}); err != nil || res.OK ||
		res.Reply != "recheck is not configured on this server: it has no `terraform:` block, so nothing was run." {
		t.Errorf("Recheck without terraform = %+v, %v", res, err)
	}
}

//go:build e2e

// This file runs a real Terraform (internal/tftest) and uses the
// package's unexported internals, so it stays here under the e2e tag:
// make test runs it, make test-short does not (docs/ARCHITECTURE.md,
// Testing).

package reconcile

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/internal/golden"
	"github.com/tfdrift/tfdrift/internal/tftest"
)

// ingressPorts lists the group's ingress ports in the fake cloud.
func (w *world) ingressPorts() string {
	var ports []string
	for _, r := range w.env.Cloud(w.t).Get(tftest.KindSecurityGroup, w.sg)["ingress"].([]any) {
		ports = append(ports, fmt.Sprint(r.(map[string]any)["from_port"]))
	}
	return strings.Join(ports, ",")
}

// refreshClean runs a refresh-only plan in the repository's own copy:
// no changes means the cloud is as the state says.
func (w *world) refreshClean() bool {
	w.t.Helper()
	tf := w.env.Tf(w.t)
	if err := tf.Init(w.ctx); err != nil {
		w.t.Fatal(err)
	}
	changes, err := tf.Plan(w.ctx, tfexec.RefreshOnly(true))
	if err != nil {
		w.t.Fatal(err)
	}
	return !changes
}

// TestRevert: /tfdrift revert on the test provider puts the cloud back
// (the refresh-only plan is then empty), resolves the drift as reverted
// and closes the issue; the reply is the plan, collapsed, then the result.
func TestRevert(t *testing.T) {
	w := newWorld(t, worldOptions{apply: true})
	d := w.openSSH()
	issue := w.openIssue(d)
	if w.ingressPorts() != "443,22" || w.refreshClean() {
		t.Fatalf("the console change is not in the cloud: %s", w.ingressPorts())
	}
	req := RevertRequest{Repo: w.repoRef(), Resource: ResourceOf(d), Issue: issue, Actor: "alice"}

	dry := req
	dry.DryRun = true
	res, err := w.rec.Revert(w.ctx, dry)
	if err != nil || !res.OK || !strings.Contains(res.Reply, "Dry run: the plan passes every guard and would change 1 resource(s)") {
		t.Fatalf("dry run = %+v, %v", res, err)
	}
	if w.ingressPorts() != "443,22" {
		t.Fatalf("a dry run changed the cloud: %s", w.ingressPorts())
	}

	res, err = w.rec.Revert(w.ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK || !res.IssueClosed {
		t.Fatalf("Revert = %+v", res)
	}
	golden.CheckString(t, filepath.Join("testdata", "golden", "revert-reply.md"), w.scrub(res.Reply, d.Fingerprint))
	if got := w.ingressPorts(); got != "443" {
		t.Errorf("cloud after the revert: ingress ports %s, want 443", got)
	}
	if !w.refreshClean() {
		t.Error("the refresh-only plan after the revert still shows drift")
	}
	if st := w.status(d.Fingerprint); st != store.StatusResolved || w.resolved.reason(d.Fingerprint) != "reverted by @alice" {
		t.Errorf("drift %s, resolve reason %q; want resolved, reverted by @alice", st, w.resolved.reason(d.Fingerprint))
	}
	if is, _ := w.repo.Issue(issue); is.State != "closed" || is.StateReason != "completed" {
		t.Errorf("issue %+v, want closed", is)
	}
	if locks, _ := w.st.TryLock(w.ctx, "root:acme/infra:.:default", "probe", time.Minute); locks.Token == "" {
		t.Error("the revert left its root lease held")
	}
}

// TestRevertRefusals: what keeps a revert from running is a plain
// sentence, and nothing runs: another job holds the root's lease; the
// server has no terraform.
func TestRevertRefusals(t *testing.T) {
	w := newWorld(t, worldOptions{apply: true})
	d := w.openSSH()
	issue := w.openIssue(d)
	req := RevertRequest{Repo: w.repoRef(), Resource: ResourceOf(d), Issue: issue, Actor: "bob"}

	held, err := w.st.TryLock(w.ctx, "root:acme/infra:.:default", "revert of aws_security_group.web by @alice", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	res, err := w.rec.Revert(w.ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	reply := regexpTime.ReplaceAllString(res.Reply, "$$TIME")
	if res.OK || res.IssueClosed {
		t.Errorf("Revert with the lease held = %+v", res)
	}
	golden.CheckString(t, filepath.Join("testdata", "golden", "revert-locked.md"), reply)
	if w.ingressPorts() != "443,22" || w.status(d.Fingerprint) != store.StatusOpen {
		t.Error("a revert ran while another held the root")
	}
	if err := w.st.Unlock(w.ctx, held); err != nil {
		t.Fatal(err)
	}

	bare := newWorld(t, worldOptions{noTerraform: true})
	res, err = bare.rec.Revert(bare.ctx, RevertRequest{Repo: bare.repoRef(), Resource: ResourceOf(d), Issue: 1, Actor: "bob"})
	if err != nil || res.OK || res.Reply != "revert is not configured on this server: it has no `terraform:` block, so nothing was run." {
		t.Errorf("Revert without terraform = %+v, %v", res, err)
	}
	if len(bare.gh.Writes()) != 0 {
		t.Errorf("a revert without terraform wrote to GitHub: %+v", bare.gh.Writes())
	}
}

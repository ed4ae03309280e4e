package reconcile

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tfdrift/tfdrift/gitops/edit"
	"github.com/tfdrift/tfdrift/gitops/terraform"
	"github.com/tfdrift/tfdrift/gitops/workspace"
)

// ProofCheck is the name of the check run that proves an accept edit.
const ProofCheck = "tfdrift proof"

// maxPlanText bounds the plan in the check run's text (GitHub allows
// 65535 characters; the summary and the fence need some).
const maxPlanText = 60000

// checkOutput is a check run's conclusion and output.
type checkOutput struct {
	Conclusion string
	Title      string
	Summary    string
	Text       string
}

// proofRun is the working copy an accept's edit is proved in: a copy of
// the snapshot the edit was made on, which holds exactly the commit's
// files once the edit is written there. ws is nil when there is no
// terraform, or the copy could not be made; why then says why.
type proofRun struct {
	ws  *workspace.Workspace
	why string
}

// spec is the working copy of the target's root module at its snapshot.
func (r *Reconciler) spec(t *repoTarget, job string, readOnly bool) workspace.Spec {
	var opts []terraform.Option
	for _, f := range t.root.VarFiles {
		opts = append(opts, terraform.VarFile(f))
	}
	return workspace.Spec{
		Repo: t.snap.Dir, Snapshot: true, Commit: t.base, RepoID: "github:" + strings.ToLower(t.repo.FullName()),
		Dir: t.root.Dir, Workspace: t.workspaceName(), AllowLocalState: readOnly, Job: job,
		BackendConfig: t.root.BackendConfig, Terraform: opts,
	}
}

// openProof opens the proof's working copy (waiting for another job of
// this server on the same root module to finish).
func (r *Reconciler) openProof(ctx context.Context, t *repoTarget, job string) *proofRun {
	if r.o.Terraform == nil {
		return &proofRun{why: "this server has no `terraform:` block, so it runs no terraform and did not prove the edit."}
	}
	ws, err := r.o.Terraform.Open(ctx, r.spec(t, job, true))
	if err != nil {
		r.log.Warn("accept proof: no working copy", "repo", t.repo.FullName(), "root", t.root.Dir, "err", err)
		return &proofRun{why: "terraform could not prepare the root module: " + firstLine(failure("The proof", err))}
	}
	return &proofRun{ws: ws}
}

func (p *proofRun) close() {
	if p.ws != nil {
		p.ws.Close()
	}
}

// fail gives up on proving (terraform failed before the edit); the check
// run will say why.
func (p *proofRun) fail(err error) {
	p.why = "terraform failed before the edit: " + firstLine(failure("The proof", err))
	p.close()
	p.ws = nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// run writes the planned edit into the working copy (verbatim: the
// commit's bytes) and plans each edited address: no changes is success.
func (p *proofRun) run(ctx context.Context, plan *edit.Plan) checkOutput {
	if p.ws == nil {
		return checkOutput{Conclusion: "neutral", Title: "Not proved", Summary: p.why}
	}
	if err := plan.Apply(p.ws.Root, edit.Verbatim(), edit.WithContext(ctx)); err != nil {
		return checkOutput{Conclusion: "neutral", Title: "Not proved", Summary: "The edit could not be written into terraform's working copy: " + err.Error()}
	}
	var summaries, rendered []string
	clean := true
	for _, addr := range editedAddresses(plan) {
		cp, err := p.ws.Runner().ProvePlan(ctx, addr)
		if err != nil {
			return checkOutput{Conclusion: "neutral", Title: "Not proved", Summary: failure("The proof", err)}
		}
		clean = clean && cp.Clean
		summaries = append(summaries, fmt.Sprintf("`terraform plan -target=%s` after the edit:\n\n%s", addr, fence("text", cp.Summary)))
		rendered = append(rendered, cp.Rendered)
	}
	out := checkOutput{Summary: strings.Join(summaries, "\n")}
	if clean {
		out.Conclusion, out.Title = "success", "No changes"
		return out
	}
	out.Conclusion, out.Title = "failure", "The plan after the edit is not clean"
	all := strings.Join(rendered, "\n")
	if len(all) > maxPlanText {
		all = clip(all, maxPlanText) + "\n(the plan is cut here)"
	}
	out.Text = fence("text", all)
	return out
}

// editedAddresses are the resources the plan edits, sorted.
func editedAddresses(plan *edit.Plan) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range plan.Edits {
		for _, n := range e.Notes {
			if !seen[n.Address] {
				seen[n.Address] = true
				out = append(out, n.Address)
			}
		}
	}
	sort.Strings(out)
	return out
}

// report runs the proof as the check run on sha: in progress while
// terraform plans, then its conclusion.
func (r *Reconciler) report(ctx context.Context, repo Repo, sha string, p *proofRun, plan *edit.Plan) (checkOutput, error) {
	cr, err := startCheck(ctx, repo, ProofCheck, sha, time.Now())
	if err != nil {
		return checkOutput{}, err
	}
	out := p.run(ctx, plan)
	return out, cr.finish(ctx, ProofCheck, out, time.Now())
}

package reconcile

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/gitops/edit"
	"github.com/tfdrift/tfdrift/gitops/locate"
)

// PullPreviewOptions say where the accept pull request of a preview
// would be opened.
type PullPreviewOptions struct {
	// RepoDir is the repository's checkout; RootDir the root module in it
	// ("" or "." for the top).
	RepoDir, RootDir string
	// HTMLURL is the repository's web address
	// ("https://github.com/acme/infra"); Ref the commit or branch its
	// links point at.
	HTMLURL, Ref string
	// Issue is the drift issue the pull request closes (0: none).
	Issue int
}

// ErrNothingToEdit is PullPreview's answer when no attribute of the
// drifts can be edited: the App would open no pull request.
var ErrNothingToEdit = errors.New("nothing to edit: the App would open no pull request")

// PullPreview writes the Markdown of the accept pull request that
// "/tfdrift accept" opens for drifts of one resource (folded, oldest
// first): the title as a heading, then the body, on a server that proves
// it with terraform. It commits nothing and runs no terraform: the
// values are the drifts' own. `make demo` prints it for the embedded
// example.
func PullPreview(w io.Writer, drifts []*drift.Drift, o PullPreviewOptions) error {
	if len(drifts) == 0 {
		return errors.New("pull preview: no drift")
	}
	root, err := locate.Load(o.RepoDir, o.RootDir)
	if err != nil {
		return fmt.Errorf("pull preview: %w", err)
	}
	var skipped []string
	reqs := wiring.AcceptRequests(drifts, &skipped)
	plan, err := edit.Accept(root, o.RepoDir, reqs)
	if err != nil {
		return fmt.Errorf("pull preview: %w", err)
	}
	if len(plan.Edits) == 0 {
		return ErrNothingToEdit
	}
	base := strings.TrimSuffix(o.HTMLURL, "/")
	view := acceptView{Resource: ResourceOf(drifts[len(drifts)-1]), Drifts: drifts, Changes: folded(reqs), Plan: plan,
		Skipped: skipped, Issue: o.Issue, Proved: true,
		Link: func(file string, line int) string {
			u := base + "/blob/" + o.Ref + "/" + file
			if line > 0 {
				u += fmt.Sprintf("#L%d", line)
			}
			return u
		}}
	_, err = fmt.Fprintf(w, "# %s\n\n%s", PullTitle(view.Resource.Address), view.body())
	return err
}

package check

import (
	"io"

	"github.com/tfdrift/tfdrift/action"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/gitops/locate"
)

// WriteSummary renders drifts that were found some other way (the demo's
// replay of audit events) as the Markdown job summary `tfdrift check`
// writes for one root module: dir is the root's directory in the
// repository, code its parsed code (for the attributes' lines; nil for
// none), resources how many resources its state holds. failOn is the
// threshold the verdict names ("" for DefaultFailOn).
func WriteSummary(w io.Writer, dir string, code *locate.Repo, resources int, failOn string, drifts []*drift.Drift) error {
	if failOn == "" {
		failOn = DefaultFailOn
	}
	root := action.Root{Dir: dir, Resources: resources}
	for _, d := range drifts {
		ad := action.Drift{Drift: d}
		if code != nil && d.ResourceAddress != "" {
			ad.Lines = attributeLines(code, d.ResourceAddress, d.Attributes())
		}
		root.Drifts = append(root.Drifts, ad)
	}
	if code != nil {
		root.DefaultFile = defaultFile(code, dir)
	}
	return action.Summary{W: w}.Write(&action.Report{FailOn: failOn, Roots: []action.Root{root}})
}

package check

import (
	"time"

	"github.com/tfdrift/tfdrift/action"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/rules"
	"github.com/tfdrift/tfdrift/gitops/locate"
	"github.com/tfdrift/tfdrift/gitops/terraform"
)

// ignorer is the .tfdriftignore matcher (with .tfdrift.yml's lines).
type ignorer interface {
	Ignored(address, attribute string) bool
}

// pipeline turns what Terraform found into drift records, with the same
// pieces, in the same order, as the daemon's engine: ignored attributes
// dropped (lifecycle.ignore_changes, then the ignore files), a drift left
// with no attribute dropped, severity and tags from the rules, location
// from the code, then fingerprint and ID.
type pipeline struct {
	rules  *rules.Set
	ignore ignorer // may be nil
	now    time.Time
	// repo and ref name the checked commit in the records' location
	// (GitHub's owner/name and SHA); empty outside Actions.
	repo, ref string
}

// drift builds the record of one drifted resource of a root. It returns
// nil when every changed attribute is ignored, and how many attributes
// were ignored.
func (p *pipeline) drift(rt root, code *locate.Repo, rr terraform.RefreshedResource) (*action.Drift, int) {
	d := &drift.Drift{
		ChangeType:      drift.Modified,
		ResourceType:    rr.Type,
		ResourceID:      rr.ID,
		ResourceAddress: rr.Address,
		DetectedAt:      p.now.UTC(),
	}
	ignored := 0
	if rr.Deleted {
		// As in the engine, a deletion is reported whatever is ignored:
		// ignore lines and ignore_changes name attributes, and the object
		// is gone.
		d.ChangeType = drift.Deleted
	} else {
		var lifecycle []string
		if code != nil {
			lifecycle = code.IgnoreChanges(rr.Address)
		}
		d.Changes = map[string]drift.AttrChange{}
		for name, ac := range rr.Changes {
			if ignoredByLifecycle(lifecycle, name) || p.ignore != nil && p.ignore.Ignored(rr.Address, name) {
				ignored++
				continue
			}
			d.Changes[name] = ac
		}
		if len(d.Changes) == 0 {
			return nil, ignored
		}
	}
	d.Terraform = drift.Location{State: rt.stateName(), Workspace: rt.spec.Workspace, Root: rt.dir, Repo: p.repo, Ref: p.ref}
	if d.Terraform.Workspace == "" {
		d.Terraform.Workspace = "default"
	}
	out := &action.Drift{Drift: d}
	if code != nil {
		if loc, ok := code.Location(rr.Address); ok {
			loc.State, loc.Workspace, loc.Root, loc.Repo, loc.Ref = d.Terraform.State, d.Terraform.Workspace, rt.dir, p.repo, p.ref
			if blk, err := code.Find(rr.Address); err == nil && blk.Remote == "" && blk.Range.End.Line > loc.Line {
				// The whole block, for the permalink (#L<start>-L<end>).
				loc.EndLine = blk.Range.End.Line
			}
			d.Terraform = loc
			out.Lines = attributeLines(code, rr.Address, d.Attributes())
		}
	}
	d.Severity = drift.DefaultSeverity
	if p.rules != nil {
		p.rules.Apply(d)
		out.Rule = decidingRule(p.rules.Matched(d), d.Severity)
	}
	d.ComputeFingerprint()
	d.ComputeEventID()
	return out, ignored
}

// attributeLines finds the line each changed attribute is written on. An
// attribute the code does not write, and every attribute of a resource in
// a remote module (its code is not here), has no entry.
func attributeLines(code *locate.Repo, address string, attrs []string) map[string]int {
	blk, err := code.Find(address)
	if err != nil || blk.Remote != "" {
		return nil
	}
	lines := map[string]int{}
	for _, a := range attrs {
		if r, _, ok := blk.AttributeRange(a); ok && r.Start.Line > 0 {
			lines[a] = r.Start.Line
		}
	}
	return lines
}

// ignoredByLifecycle matches Terraform's ignore_changes paths as the
// engine does: "all" or "*", or the attribute itself. A nested path
// ("tags.Owner") does not cover the whole attribute, which Terraform's
// refresh reports at top level only.
func ignoredByLifecycle(paths []string, attr string) bool {
	for _, p := range paths {
		if p == "*" || p == "all" || p == attr {
			return true
		}
	}
	return false
}

// decidingRule names the rule that gave the severity: the first matching
// rule (in configuration order) whose severity is the drift's.
func decidingRule(matched []*rules.Rule, sev drift.Severity) string {
	for _, r := range matched {
		if r.Severity == sev {
			return r.Name
		}
	}
	return ""
}

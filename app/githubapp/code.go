package githubapp

import (
	"strings"

	"github.com/tfdrift/tfdrift/detector"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/state"
)

// Code is the detector.CodeIndex over the repositories discovery loaded:
// a drift of a state a root claims gets that repository, the root's
// directory, the commit the code was read at, and the resource's file
// and lines (Location.Repo, Root, Ref, File, Line, EndLine). Look-ups read
// the current view and never wait for GitHub.
func (a *App) Code() detector.CodeIndex { return codeIndex{a} }

type codeIndex struct{ a *App }

var _ detector.CodeIndex = codeIndex{}

func (c codeIndex) claimOf(src *state.Source) (claim, bool) {
	if src == nil {
		return claim{}, false
	}
	cl, ok := c.a.view.Load().claim(src.Name, src.Workspace)
	if !ok || cl.root.code == nil {
		return claim{}, false
	}
	return cl, true
}

// Location implements detector.CodeIndex.
func (c codeIndex) Location(src *state.Source, address string) (drift.Location, bool) {
	cl, ok := c.claimOf(src)
	if !ok {
		return drift.Location{}, false
	}
	code := cl.root.code
	loc, ok := code.Location(address)
	if !ok {
		return drift.Location{}, false
	}
	if b, err := code.Find(address); err == nil && b.Range.End.Line >= loc.Line {
		loc.EndLine = b.Range.End.Line
	}
	loc.Repo, loc.Ref = cl.repo.FullName, cl.repo.SHA
	if cl.root.spec.Dir != "." {
		loc.Root = cl.root.spec.Dir
	}
	return loc, true
}

// IgnoreChanges implements detector.CodeIndex: the resource's
// lifecycle.ignore_changes, and the attributes the repository's ignore:
// lines and .tfdriftignore drop for it.
func (c codeIndex) IgnoreChanges(src *state.Source, address string) []string {
	cl, ok := c.claimOf(src)
	if !ok {
		return nil
	}
	paths := cl.root.code.IgnoreChanges(address)
	if cl.repo.Ignore.Len() == 0 {
		return paths
	}
	for _, attr := range c.a.o.Attributes[resourceType(address)] {
		if cl.repo.Ignore.Ignored(address, attr) {
			paths = append(paths, attr)
		}
	}
	return paths
}

// resourceType reads the type out of a resource instance address:
// module.net.aws_security_group.web["x"] → aws_security_group.
func resourceType(address string) string {
	rest := address
	for {
		seg, after := nextSegment(rest)
		switch seg {
		case "module":
			_, rest = nextSegment(after) // the module's name and key
			continue
		case "data":
			t, _ := nextSegment(after)
			return t
		}
		return seg
	}
}

// nextSegment splits the first dot-separated segment off an address,
// dropping an instance key ([0], ["a.b"]) that follows a name.
func nextSegment(s string) (seg, rest string) {
	i := strings.IndexAny(s, ".[")
	if i < 0 {
		return s, ""
	}
	seg, rest = s[:i], s[i:]
	if rest[0] == '[' {
		depth, quoted := 0, false
		for j := 0; j < len(rest); j++ {
			switch c := rest[j]; {
			case c == '"' && (j == 0 || rest[j-1] != '\\'):
				quoted = !quoted
			case c == '[' && !quoted:
				depth++
			case c == ']' && !quoted:
				depth--
				if depth == 0 {
					rest = rest[j+1:]
					return seg, strings.TrimPrefix(rest, ".")
				}
			}
		}
		return seg, ""
	}
	return seg, rest[1:]
}

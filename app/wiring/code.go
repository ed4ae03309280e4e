package wiring

import (
	"github.com/tfdrift/tfdrift/detector"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/state"
	"github.com/tfdrift/tfdrift/gitops/locate"
)

// singleRoot serves a repository with one root module.
type singleRoot struct{ r *locate.Repo }

func (c singleRoot) Location(_ *state.Source, a string) (drift.Location, bool) {
	return c.r.Location(a)
}
func (c singleRoot) IgnoreChanges(_ *state.Source, a string) []string { return c.r.IgnoreChanges(a) }

// multiRoot serves a repository with several root modules (.tfdrift.yml):
// the drifted resource's state source picks the root.
type multiRoot struct{ m *locate.MultiRepo }

func (c multiRoot) root(src *state.Source) *locate.Repo {
	if src == nil {
		return nil
	}
	if r := c.m.ForState(src.Name); r != nil {
		return r
	}
	return c.m.ForState(src.Workspace)
}

func (c multiRoot) Location(src *state.Source, a string) (drift.Location, bool) {
	if r := c.root(src); r != nil {
		return r.Location(a)
	}
	return drift.Location{}, false
}

func (c multiRoot) IgnoreChanges(src *state.Source, a string) []string {
	if r := c.root(src); r != nil {
		return r.IgnoreChanges(a)
	}
	return nil
}

// codeChain asks each index in turn: the local --repo first, then the
// GitHub App's repositories. ignore_changes come from the index that
// declares the resource.
type codeChain []detector.CodeIndex

func (c codeChain) Location(src *state.Source, a string) (drift.Location, bool) {
	for _, ix := range c {
		if loc, ok := ix.Location(src, a); ok {
			return loc, true
		}
	}
	return drift.Location{}, false
}

func (c codeChain) IgnoreChanges(src *state.Source, a string) []string {
	for _, ix := range c {
		if _, ok := ix.Location(src, a); ok {
			return ix.IgnoreChanges(src, a)
		}
	}
	var out []string // declared nowhere: ignore lines may still name it
	for _, ix := range c {
		out = append(out, ix.IgnoreChanges(src, a)...)
	}
	return out
}

var _, _, _ detector.CodeIndex = singleRoot{}, multiRoot{}, codeChain{}

package rules

import (
	"strings"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// Set holds rules in configuration order, compiled for matching. It is
// safe for concurrent use once built: matching only reads it.
type Set struct {
	rules []compiled
	// byType indexes the rules that name a resource type exactly;
	// globRules lists those with a "*" or glob type. Both hold indices
	// into rules, ascending, so a merge keeps configuration order.
	byType    map[string][]int
	globRules []int
	def       drift.Severity
}

type compiled struct {
	rule      *Rule
	types     matcher
	watched   []watch
	exclude   matcher
	accounts  matcher
	regions   matcher
	providers matcher
}

// NewSet compiles rules. defaultSeverity is given to drifts no rule
// matches (or whose matching rules set no severity); empty means
// drift.DefaultSeverity. The rules are copied, so the caller may reuse
// the slice.
func NewSet(rules []Rule, defaultSeverity drift.Severity) *Set {
	if defaultSeverity == "" {
		defaultSeverity = drift.DefaultSeverity
	}
	s := &Set{
		rules:  make([]compiled, len(rules)),
		byType: make(map[string][]int),
		def:    defaultSeverity,
	}
	for i := range rules {
		r := rules[i]
		providers := make([]string, len(r.Filters.Providers))
		for j, p := range r.Filters.Providers {
			providers[j] = strings.ToLower(p)
		}
		c := compiled{
			rule:      &r,
			types:     newMatcher(r.ResourceTypes),
			watched:   newWatches(r.WatchedAttributes),
			exclude:   newMatcher(r.ExcludeUsers),
			accounts:  newMatcher(r.Filters.Accounts),
			regions:   newMatcher(r.Filters.Regions),
			providers: newMatcher(providers),
		}
		s.rules[i] = c
		if c.types.any || len(c.types.globs) > 0 {
			s.globRules = append(s.globRules, i)
		}
		for t := range c.types.exact {
			s.byType[t] = append(s.byType[t], i)
		}
	}
	// A rule listing a type exactly and also through a glob is in both
	// lists; each merges only once (see each).
	return s
}

// Len is the number of rules.
func (s *Set) Len() int { return len(s.rules) }

// DefaultSeverity is the severity of a drift that no rule raises.
func (s *Set) DefaultSeverity() drift.Severity { return s.def }

// Apply sets d.Severity to the highest severity of the matching rules (or
// the default), d.Rules to their names in configuration order and d.Tags
// to the union of their tags, in order of first appearance. Tags already
// on the drift are replaced: the rules own them.
func (s *Set) Apply(d *drift.Drift) {
	var sev drift.Severity
	var names, tags []string
	s.each(d, func(c *compiled) {
		sev = drift.Max(sev, c.rule.Severity)
		names = append(names, c.rule.Name)
		for _, t := range c.rule.Tags {
			if !contains(tags, t) {
				tags = append(tags, t)
			}
		}
	})
	if sev == "" {
		sev = s.def
	}
	d.Severity, d.Rules, d.Tags = sev, names, tags
}

// Matched returns the rules that match d, in configuration order. The
// pointers refer to the Set's own copies; do not modify them.
func (s *Set) Matched(d *drift.Drift) []*Rule {
	var out []*Rule
	s.each(d, func(c *compiled) { out = append(out, c.rule) })
	return out
}

// each calls fn for every matching rule, in configuration order.
func (s *Set) each(d *drift.Drift, fn func(*compiled)) {
	if s == nil {
		return
	}
	exact := s.byType[d.ResourceType]
	globs := s.globRules
	last := -1
	var v *view
	for len(exact) > 0 || len(globs) > 0 {
		var i int
		if len(globs) == 0 || (len(exact) > 0 && exact[0] < globs[0]) {
			i, exact = exact[0], exact[1:]
		} else {
			i, globs = globs[0], globs[1:]
			// A glob rule may not cover this type; an exact rule
			// always does.
			if !s.rules[i].types.match(d.ResourceType) {
				continue
			}
		}
		if i == last {
			continue
		}
		last = i
		if v == nil {
			v = newView(d)
			defer v.release()
		}
		if c := &s.rules[i]; c.matchesRest(v) {
			fn(c)
		}
	}
}

// matchesRest checks everything but the resource type.
func (c *compiled) matchesRest(v *view) bool {
	return c.filtersHold(v.d) &&
		!c.excluded(v.d) &&
		v.watchedChanged(c.watched) &&
		c.conditionsHold(v)
}

func (c *compiled) filtersHold(d *drift.Drift) bool {
	if !c.accounts.empty() && !c.accounts.match(d.Account()) {
		return false
	}
	if !c.regions.empty() && !c.regions.match(d.Region()) {
		return false
	}
	if !c.providers.empty() && !c.providers.match(strings.ToLower(d.Provider())) {
		return false
	}
	if re := c.rule.Filters.InstanceTypePattern; re != nil {
		ac, ok := d.Changes["instance_type"]
		if !ok || ac.Unknown || ac.Actual == nil {
			return false
		}
		if !re.MatchString(text(generic(ac.Actual))) {
			return false
		}
	}
	return true
}

// excluded reports whether the actor is one of exclude_users.
func (c *compiled) excluded(d *drift.Drift) bool {
	if c.exclude.empty() || d.Event == nil {
		return false
	}
	a := d.Event.Actor
	for _, id := range [...]string{a.UserName, a.ARN, a.IssuerARN, a.PrincipalID} {
		if id != "" && c.exclude.match(id) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

package config

import (
	"slices"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
)

// Empty reports whether the filter passes every drift.
func (f Filter) Empty() bool {
	return len(f.Accounts) == 0 && len(f.Severities) == 0 && len(f.Providers) == 0 && len(f.Tags) == 0
}

// Matches reports whether d passes the filter: each list that is set must
// contain the drift's account, severity or provider, and the drift must
// carry at least one of the tags.
func (f Filter) Matches(d *drift.Drift) bool {
	if len(f.Accounts) > 0 && !slices.Contains(f.Accounts, d.Account()) {
		return false
	}
	if len(f.Severities) > 0 && !slices.Contains(f.Severities, d.Severity) {
		return false
	}
	if len(f.Providers) > 0 && !slices.Contains(f.Providers, change.Provider(d.Provider())) {
		return false
	}
	if len(f.Tags) > 0 && !slices.ContainsFunc(f.Tags, func(t string) bool { return slices.Contains(d.Tags, t) }) {
		return false
	}
	return true
}

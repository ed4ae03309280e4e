package ticket

import (
	"slices"
	"strings"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// Filter selects the drifts a sink or a Slack channel receives. Every list
// that is set must match; an empty Filter passes everything. It mirrors
// the configuration's filter block (accounts, severity, provider, tags).
type Filter struct {
	Accounts   []string
	Severities []drift.Severity
	// Providers are "aws" or "gcp", compared case-insensitively.
	Providers []string
	// Tags: the drift must carry at least one of them.
	Tags []string
}

// Empty reports whether f passes every drift.
func (f Filter) Empty() bool {
	return len(f.Accounts) == 0 && len(f.Severities) == 0 && len(f.Providers) == 0 && len(f.Tags) == 0
}

// Matches reports whether d passes f.
func (f Filter) Matches(d *drift.Drift) bool {
	if len(f.Accounts) > 0 && !slices.Contains(f.Accounts, d.Account()) {
		return false
	}
	if len(f.Severities) > 0 && !slices.Contains(f.Severities, d.Severity) {
		return false
	}
	if len(f.Providers) > 0 && !slices.ContainsFunc(f.Providers, func(p string) bool { return strings.EqualFold(p, d.Provider()) }) {
		return false
	}
	if len(f.Tags) > 0 && !slices.ContainsFunc(f.Tags, func(t string) bool { return slices.Contains(d.Tags, t) }) {
		return false
	}
	return true
}

package rules

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// Rule is one entry of drift_rules.
//
// A rule matches a drift when all of these hold:
//   - the resource type matches one of ResourceTypes ("*" matches every
//     type; "*" and "?" inside a name are globs: "aws_iam_*");
//   - WatchedAttributes is empty, or one of the drift's changed attributes
//     is watched (see watched.go for nested keys);
//   - every condition holds;
//   - the filters hold;
//   - the actor is not in ExcludeUsers.
type Rule struct {
	Name          string
	ResourceTypes []string
	// WatchedAttributes lists Terraform attribute names. A watched name
	// also matches a key nested inside a changed block: "cidr_blocks"
	// matches a changed "ingress" whose elements' cidr_blocks differ, and
	// "ingress.cidr_blocks" says the same thing about ingress only.
	WatchedAttributes []string
	// Severity is the rule's severity; empty means the rule only adds
	// tags and actions.
	Severity drift.Severity
	Tags     []string
	// ExcludeUsers lists actors whose changes the rule ignores. An entry
	// is compared with the actor's user name, ARN, issuer (role) ARN and
	// principal ID; "*" in an entry matches any run of characters, so
	// "arn:aws:sts::*:assumed-role/TerraformRole/*" excludes every session
	// of that role.
	ExcludeUsers []string
	Filters      Filters
	Conditions   []Condition
	Actions      []Action
}

// Filters narrow a rule to part of the estate. Empty lists match
// everything. Accounts and regions accept "*" globs.
type Filters struct {
	Accounts  []string
	Regions   []string
	Providers []string
	// InstanceTypePattern is matched against the drift's actual
	// instance_type. A drift that does not change instance_type does not
	// match a rule that sets this filter.
	InstanceTypePattern *regexp.Regexp
}

// Condition tests the actual (new) value of one changed attribute.
//
// Pattern, Contains and Value are alternatives: Pattern is used when set,
// else Contains when not empty, else Value is compared (a nil Value means
// the actual value is null). See condition.go for how values are rendered
// as text.
type Condition struct {
	// Attribute is a Terraform attribute name, a dotted path into a block
	// ("ingress.cidr_blocks"), or "*" for any changed attribute.
	Attribute string
	Pattern   *regexp.Regexp
	Contains  string
	// Value is compared with semantic equality: false equals "false",
	// 22 equals "22". Against a list, any element may equal it.
	Value any
}

// Action types.
const (
	ActionAlert        = "alert"
	ActionCreateTicket = "create_ticket"
	ActionWebhook      = "webhook"
	ActionAutoRevert   = "auto_revert"
)

// ActionTypes lists the known action types, in documentation order.
var ActionTypes = []string{ActionAlert, ActionCreateTicket, ActionWebhook, ActionAutoRevert}

// IsActionType reports whether t is a known action type.
func IsActionType(t string) bool {
	for _, k := range ActionTypes {
		if t == k {
			return true
		}
	}
	return false
}

// Action is something the notices layer does when a rule matches. Which
// fields apply depends on Type:
//   - alert: Channels (sink names: slack, email, webhook, jira,
//     pagerduty, github; empty means every enabled sink), Priority;
//   - create_ticket: System (jira or github), Project, IssueType, Summary;
//   - webhook: URL;
//   - auto_revert: Enabled.
type Action struct {
	Type      string
	Channels  []string
	Priority  string
	System    string
	Project   string
	IssueType string
	Summary   string
	URL       string
	// Enabled nil means enabled; auto_revert is usually written with
	// enabled: false to keep it documented but off.
	Enabled *bool
	Extra   map[string]string
}

// IsEnabled reports whether the action should run.
func (a Action) IsEnabled() bool { return a.Enabled == nil || *a.Enabled }

// Validate checks a rule built in code (app/config does the same checks
// with file positions). It returns every problem, joined.
func (r *Rule) Validate() error {
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("rule %q: "+format, append([]any{r.Name}, args...)...))
	}
	if r.Name == "" {
		add("name is required")
	}
	if len(r.ResourceTypes) == 0 {
		add("resource_types is required (use \"*\" for every type)")
	}
	for i, t := range r.ResourceTypes {
		if msg := CheckResourceTypePattern(t); msg != "" {
			add("resource_types[%d]: %s", i, msg)
		}
	}
	if r.Severity != "" && r.Severity.Rank() == 0 {
		add("severity %q is not one of info, low, medium, high, critical", r.Severity)
	}
	for i, c := range r.Conditions {
		if msg := c.check(); msg != "" {
			add("conditions[%d]: %s", i, msg)
		}
	}
	for i, a := range r.Actions {
		if !IsActionType(a.Type) {
			add("actions[%d]: unknown type %q (want one of alert, create_ticket, webhook, auto_revert)", i, a.Type)
		}
		if a.Type == ActionWebhook && a.URL == "" {
			add("actions[%d]: a webhook action needs url", i)
		}
	}
	return errors.Join(errs...)
}

func (c Condition) check() string {
	switch {
	case c.Attribute == "":
		return "attribute is required"
	case c.Pattern != nil && c.Contains != "":
		return "set only one of pattern, contains and value"
	case (c.Pattern != nil || c.Contains != "") && c.Value != nil:
		return "set only one of pattern, contains and value"
	}
	return ""
}

// CheckResourceTypePattern returns why p is not a usable resource type
// pattern, or "" when it is. Terraform type names are lower-case letters,
// digits and underscores; "*" and "?" are globs.
func CheckResourceTypePattern(p string) string {
	if p == "" {
		return "empty resource type"
	}
	for _, r := range p {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '*', r == '?':
		default:
			return fmt.Sprintf("%q is not a resource type (lower-case letters, digits, _ and the globs * ?)", p)
		}
	}
	return ""
}

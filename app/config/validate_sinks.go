package config

import (
	"sort"
	"strings"
)

// sinkSet is what the notifications configure, as rules name it: by sink
// name (slack, webhook-2, siem, output) or by type (webhook), each with
// whether it is enabled. A rule's alert channels and create_ticket system
// are checked against it, so that a rule never routes to a sink that does
// not exist.
type sinkSet struct {
	// names are sink names (what storm_control.exempt matches).
	names map[string]bool
	// types are sink types, enabled when any sink of the type is.
	types map[string]bool
}

// configuredSinks lists the sinks the notices layer builds from n and o
// (app/wiring.BuildNotices): the blocks present in the file, and output
// when output.file is set, and the GitHub App's issue sink when the
// github: block is there.
func (v *validator) configuredSinks(n Notifications, o Output) sinkSet {
	s := sinkSet{names: map[string]bool{}, types: map[string]bool{}}
	add := func(typ, name string, enabled bool) {
		s.names[name] = s.names[name] || enabled
		s.types[typ] = s.types[typ] || enabled
	}
	if v.has("notifications.slack") {
		add("slack", "slack", n.Slack.Enabled)
	}
	for _, w := range n.Webhooks {
		add("webhook", w.Name, w.Enabled)
	}
	if v.has("notifications.jira") {
		add("jira", "jira", n.Jira.Enabled)
	}
	if v.has("notifications.email") {
		add("email", "email", n.Email.Enabled)
	}
	if v.has("notifications.pagerduty") {
		add("pagerduty", "pagerduty", n.PagerDuty.Enabled)
	}
	if o.File != "" {
		add("output", "output", true)
	}
	if v.has("github") {
		add("github", "github", true)
	}
	return s
}

// lookup finds a sink by name or type.
func (s sinkSet) lookup(ref string) (enabled, ok bool) {
	if e, ok := s.names[ref]; ok {
		return e, true
	}
	e, ok := s.types[ref]
	return e, ok
}

func (s sinkSet) empty() bool { return len(s.names) == 0 }

// list is every name and type, sorted, for messages.
func (s sinkSet) list() string {
	seen := map[string]bool{}
	for k := range s.names {
		seen[k] = true
	}
	for k := range s.types {
		seen[k] = true
	}
	if len(seen) == 0 {
		return "none"
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// candidates are what a misspelt reference may have meant: the
// configured names and types, and every sink type.
func (s sinkSet) candidates() []string {
	var out []string
	for k := range sinkBlocks {
		out = append(out, k)
	}
	for k := range s.names {
		out = append(out, k)
	}
	for k := range s.types {
		out = append(out, k)
	}
	return out
}

// sinkBlocks names the block that configures each sink type.
var sinkBlocks = map[string]string{
	"slack": "notifications.slack", "webhook": "notifications.webhooks", "jira": "notifications.jira",
	"email": "notifications.email", "pagerduty": "notifications.pagerduty", "output": "output.file",
	"github": "github",
}

// channel checks one sink an alert action names.
func (v *validator) channel(path, ref string) {
	if v.unknownValue(path) {
		return
	}
	enabled, ok := v.sinks.lookup(ref)
	switch {
	case !ok:
		if block, known := sinkBlocks[ref]; known {
			v.errAt(path, "%q: %s is not configured, so this alert reaches no %s; configured sinks: %s", ref, block, ref, v.sinks.list())
		} else if s := closest(ref, v.sinks.candidates()); s != "" {
			v.errAt(path, "%q names no configured sink; did you mean %q? (configured sinks: %s)", truncate(ref, 40), s, v.sinks.list())
		} else {
			v.errAt(path, "%q names no configured sink (configured sinks: %s)", truncate(ref, 40), v.sinks.list())
		}
	case !enabled:
		v.warnAt(path, "%q is configured with enabled: false: this alert sends nothing to it", ref)
	}
}

// alertChannels checks an alert action's channels; without channels it
// addresses every configured sink, which had better exist.
func (v *validator) alertChannels(path string, a *rawAction) {
	for i, ch := range a.Channels {
		v.channel(indexPath(path+".channels", i), ch)
	}
	if len(a.Channels) == 0 && v.sinks.empty() {
		v.warnAt(path, "an alert without channels goes to every configured sink, and no sink is configured: matching drifts are only printed and recorded")
	}
}

// ticketSystem checks a create_ticket action's system.
func (v *validator) ticketSystem(path string, a *rawAction) string {
	system := or(a.System, "jira")
	if a.System != "" && v.unknownValue(path) {
		return system
	}
	if !v.oneOf(path, system, "jira", "github") {
		return system
	}
	if enabled, ok := v.sinks.lookup(system); !ok {
		v.errAt(path, "create_ticket opens %s tickets, but %s is not configured, so no ticket would be opened; configured sinks: %s", system, sinkBlocks[system], v.sinks.list())
	} else if !enabled {
		v.warnAt(path, "%s is configured with enabled: false: this action opens no ticket", sinkBlocks[system])
	}
	return system
}

// exempt checks storm_control.exempt: each entry must be a sink's name,
// which is what storm control compares.
func (v *validator) exempt(list []string) {
	for i, name := range list {
		p := indexPath("notifications.storm_control.exempt", i)
		if _, ok := v.sinks.names[name]; ok || v.unknownValue(p) || strings.TrimSpace(name) == "" {
			continue
		}
		v.errAt(p, "%q names no configured sink, so exempting it changes nothing (sink names: %s)", truncate(name, 40), v.sinkNames())
	}
}

func (v *validator) sinkNames() string {
	return sinkSet{names: v.sinks.names}.list()
}

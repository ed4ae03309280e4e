package config

import (
	"fmt"
	"strings"
)

// Summary describes the configuration in a few lines, for
// "tfdrift config validate": rules, state sources, inputs, sinks, output
// and the number of warnings. It names no secret.
func (c *Config) Summary() string {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }

	line("%s: valid", c.File)
	line("  rules: %d (default severity %s)", len(c.Rules), c.DefaultSeverity)

	var providers []string
	if c.Providers.AWS.Enabled {
		desc := "aws"
		if n := len(c.Providers.AWS.Accounts); n > 0 {
			desc += " (" + plural(n, "account") + ")"
		}
		providers = append(providers, desc)
	}
	if c.Providers.GCP.Enabled {
		providers = append(providers, "gcp")
	}
	line("  providers: %s", listOrNone(providers))

	sources := c.StateSources()
	names := make([]string, len(sources))
	for i, s := range sources {
		names[i] = s.Name
		if len(s.Workspaces) > 0 {
			names[i] += fmt.Sprintf(" [%s]", plural(len(s.Workspaces), "workspace"))
		}
	}
	line("  state: %s", listOrNone(names))

	var inputs []string
	if f := c.Falco; f.Enabled {
		if f.Hostname != "" {
			inputs = append(inputs, fmt.Sprintf("grpc %s:%d", f.Hostname, f.Port))
		}
		if f.UnixSocket != "" {
			inputs = append(inputs, "grpc unix:"+f.UnixSocket)
		}
		if f.HTTP.Listen != "" {
			inputs = append(inputs, "http "+f.HTTP.Listen)
		}
	}
	line("  falco: %s", listOrNone(inputs))

	line("  sinks: %s", listOrNone(c.sinks()))
	out := c.Output.Mode
	if c.Output.File != "" {
		out += " to " + c.Output.File
	}
	line("  output: %s", out)
	line("  refresh: state at least every %s; ignore file %s", c.StateRefreshInterval, c.IgnoreFile)
	if len(c.Warnings) > 0 {
		line("  warnings: %d", len(c.Warnings))
	}
	return b.String()
}

func (c *Config) sinks() []string {
	n := c.Notifications
	var out []string
	if s := n.Slack; s.Enabled {
		desc := "slack"
		if len(s.Channels) > 0 {
			desc += fmt.Sprintf(" (%s)", plural(len(s.Channels), "channel"))
		}
		out = append(out, desc)
	}
	for _, w := range n.Webhooks {
		if w.Enabled {
			desc := "webhook"
			if w.Name != "webhook" {
				desc += " " + w.Name
			}
			out = append(out, desc)
		}
	}
	if n.Jira.Enabled {
		out = append(out, "jira "+n.Jira.Project)
	}
	if n.Email.Enabled {
		out = append(out, fmt.Sprintf("email (%s)", plural(len(n.Email.To), "recipient")))
	}
	if n.PagerDuty.Enabled {
		out = append(out, "pagerduty")
	}
	if c.GitHub.Enabled {
		out = append(out, fmt.Sprintf("github (App %d, at most %d open issues a repository)", c.GitHub.AppID, c.GitHub.MaxOpenIssues))
	}
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}

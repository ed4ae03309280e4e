package main

import (
	"regexp"
	"sort"
	"strings"
	"testing"
)

// Every command's --help exits 0 and prints its usage and flags on stdout
// (issue 14, item 17: drifts and notices exited 2, version printed the
// version).
func TestEveryCommandHelp(t *testing.T) {
	flags := map[string][]string{
		"accept":      {"-binary", "-terraform", "-repo", "-dir", "-state", "-dry-run", "-confirm", "-config"},
		"app":         {},
		"catalog":     {"-coverage", "-format", "-provider", "-state"},
		"check":       {"-binary", "-terraform", "-dir", "-fail-on", "-json", "-sarif"},
		"config":      {"-strict-env"},
		"demo":        {"-format", "-keep", "-replay-only"},
		"drifts":      {"-database", "-status", "-limit", "-note", "-actor", "-config"},
		"falco-rules": {"-format", "-provider", "-url"},
		"locate":      {"-repo", "-dir", "-json"},
		"notices":     {"-database", "-dead", "-sink", "-status", "-limit"},
		"replay":      {"-state", "-config", "-repo", "-dir", "-format", "-detailed-exitcode", "-notify"},
		"revert":      {"-binary", "-terraform", "-repo", "-dir", "-dry-run", "-allow-destroy", "-allow-replace"},
		"serve":       {"-config", "-database", "-listen", "-state"},
		"version":     {},
	}
	var names []string
	for n := range commands {
		names = append(names, n)
	}
	names = append(names, "version")
	sort.Strings(names)
	for _, name := range names {
		want, ok := flags[name]
		if !ok {
			t.Errorf("command %s is not in this test's table", name)
			continue
		}
		for _, form := range [][]string{{name, "--help"}, {name, "-h"}, {"help", name}} {
			r := runCmd(t, "", form...)
			usage := "Usage: tfdrift " + name
			if r.code != 0 || !strings.HasPrefix(r.stdout, usage) || r.stderr != "" {
				t.Errorf("%v: exit %d, stdout starts %q, stderr %q; want exit 0 and %q on stdout", form, r.code, firstLine(r.stdout), r.stderr, usage)
				continue
			}
			for _, f := range want {
				if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(f) + `\b`).MatchString(r.stdout) {
					t.Errorf("%v: flag %s is not listed", form, f)
				}
			}
		}
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// A missing or unknown subcommand is named, with the usage on stderr
// (issue 14, item 17).
func TestUnknownSubcommandIsNamed(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"drifts", "bogus"}, 2, `drifts: unknown subcommand "bogus" (want list, ack, resolve or ignore)`},
		{[]string{"notices", "bogus"}, 2, `notices: unknown subcommand "bogus" (want list or retry)`},
		{[]string{"notices"}, 2, `notices: give a subcommand: list or retry`},
		{[]string{"config", "check", "x.yaml"}, 2, `config: unknown subcommand "check" (want validate)`},
		{[]string{"app", "bogus"}, 2, `app: unknown subcommand "bogus"`},
		{[]string{"version", "extra"}, 2, `version takes no arguments`},
		{[]string{"frobnicate"}, 1, `unknown command "frobnicate"`},
	} {
		r := runCmd(t, "", tt.args...)
		if r.code != tt.code || !strings.Contains(r.stderr, tt.want) || !strings.Contains(r.stderr, "Usage: tfdrift") && !strings.Contains(r.stderr, "Usage:") {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant exit %d and %q", tt.args, r.code, r.stderr, tt.code, tt.want)
		}
	}
}

// The examples in the help name drift fingerprints of the length the
// store uses: a 16-character one was refused (issue 14, item 17).
func TestHelpExampleFingerprints(t *testing.T) {
	r := runCmd(t, "", "drifts", "--help")
	m := regexp.MustCompile(`resolve .* ([0-9a-f]{8,})\n`).FindStringSubmatch(r.stdout)
	if m == nil || len(m[1]) != 32 {
		t.Errorf("drifts --help resolve example fingerprint %v; want 32 hex digits (a full fingerprint)\n%s", m, r.stdout)
	}
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/tfdrift/tfdrift/gitops/locate"
)

func init() {
	register("locate", command{summary: "print the file, line and module of a resource address", run: runLocate})
}

func runLocate(_ context.Context, env *cmdEnv, args []string) error {
	fs := newFlagSet(env, "locate", "locate [--repo DIR] [--dir ROOT] [--json] ADDRESS...", `
Finds where Terraform resources are declared: the module call chain, the file
and line of the resource block, and each attribute's line. Local modules are
followed; for a resource inside a registry or git module the module call
block is printed, with its source.

Instance keys are accepted and ignored for the lookup, and moved blocks are
followed.

Examples:
  tfdrift locate --repo . module.network.aws_security_group.web_servers
  tfdrift locate --repo infra --dir envs/prod 'aws_s3_bucket.b["logs"]'`)
	repoDir := fs.String("repo", ".", "repository root")
	rootDir := fs.String("dir", "", "root module directory inside the repo (default: the repo root)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitError{2}
	}
	repo, err := locate.Load(*repoDir, *rootDir)
	if err != nil {
		return err
	}
	failed := false
	for _, addr := range fs.Args() {
		b, err := repo.Find(addr)
		if err != nil {
			fmt.Fprintf(env.stderr, "tfdrift: %v\n", err)
			failed = true
			continue
		}
		loc, _ := repo.Location(addr)
		if *asJSON {
			attrs := map[string]int{}
			for name, r := range b.Attributes {
				attrs[name] = r.Start.Line
			}
			out := map[string]any{
				"address": addr, "file": loc.File, "line": loc.Line, "module": loc.Module,
				"module_address": loc.ModuleAddress, "remote_source": loc.Remote,
				"attributes": attrs, "ignore_changes": repo.IgnoreChanges(addr),
			}
			enc := json.NewEncoder(env.stdout)
			if err := enc.Encode(out); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(env.stdout, "%s\n  file:   %s:%d\n", addr, loc.File, loc.Line)
		if loc.ModuleAddress != "" {
			fmt.Fprintf(env.stdout, "  module: %s (%s)\n", loc.ModuleAddress, loc.Module)
		}
		if loc.Remote != "" {
			fmt.Fprintf(env.stdout, "  code lives in the module source %s; the line is the module call\n", loc.Remote)
		}
		names := make([]string, 0, len(b.Attributes))
		for n := range b.Attributes {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(env.stdout, "  %-24s line %d\n", n, b.Attributes[n].Start.Line)
		}
		if ic := repo.IgnoreChanges(addr); len(ic) > 0 {
			fmt.Fprintf(env.stdout, "  lifecycle.ignore_changes: %s\n", strings.Join(ic, ", "))
		}
	}
	if failed {
		return exitError{1}
	}
	return nil
}

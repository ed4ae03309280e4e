package main

import (
	"context"
	"fmt"
)

func init() {
	register("config", command{summary: "validate a config file (config validate FILE)", run: runConfig})
}

func runConfig(_ context.Context, env *cmdEnv, args []string) error {
	fs := newFlagSet(env, "config", "config validate [--strict-env] FILE", `
Validates a tfdrift config file strictly: unknown keys, wrong types, bad
regular expressions, unknown severities, templates that do not render and
keys defined twice are all errors, each naming the file, line and key. All
problems are reported at once.

${VAR} and ${VAR:-default} references are expanded from the environment. An
unset variable is a warning here, so a config can be checked without its
secrets; pass --strict-env to make it an error (as serve does).

Examples:
  tfdrift config validate tfdrift.yaml
  SLACK_WEBHOOK=x tfdrift config validate --strict-env tfdrift.yaml`)
	strict := fs.Bool("strict-env", false, "treat unset ${VAR} references as errors")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 || fs.Arg(0) != "validate" {
		fs.Usage()
		return exitError{2}
	}
	cfg, err := loadConfig(env, fs.Arg(1), !*strict)
	if err != nil {
		fmt.Fprintln(env.stderr, err)
		return exitError{1}
	}
	fmt.Fprint(env.stdout, cfg.Summary())
	return nil
}

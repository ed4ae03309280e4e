package main

import "github.com/tfdrift/tfdrift/app/validate"

func init() {
	register("config", command{summary: "validate a config file (config validate FILE)",
		run: jobCommand("config", "config validate [--strict-env] FILE", configHelp,
			func(a *validate.Args, args []string) error {
				if err := verb("config", args, []string{"validate"}, validate.ExitUsage); err != nil {
					return err
				}
				if len(args) != 2 {
					return usageError(validate.ExitUsage)
				}
				a.File = args[1]
				return nil
			}, validate.Run)})
}

const configHelp = `
Validates a tfdrift config file strictly: unknown keys, wrong types, bad
regular expressions, unknown severities, templates that do not render,
keys defined twice, and rule actions that name a sink nobody configured or a
feature this build does not have are all errors, each naming the file,
line and key. All problems are reported at once.

${VAR} and ${VAR:-default} references are expanded from the environment. An
unset variable is a warning here, so a config can be checked without its
secrets; pass --strict-env to make it an error (as serve does).

Exit status: 0 valid (warnings do not fail); 1 invalid; 2 usage.

Examples:
  tfdrift config validate tfdrift.yaml
  SLACK_WEBHOOK=x tfdrift config validate --strict-env tfdrift.yaml
  tfdrift config validate tfdrift.yaml --strict-env`

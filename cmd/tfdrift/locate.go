package main

import "github.com/tfdrift/tfdrift/app/locate"

func init() {
	register("locate", command{summary: "print the file, line and module of a resource address",
		run: jobCommand("locate", "locate [--repo DIR] [--dir ROOT] [--json] ADDRESS...", locateHelp,
			func(a *locate.Args, args []string) error {
				if len(args) == 0 {
					return usageError(locate.ExitUsage)
				}
				a.Addresses = args
				return nil
			}, locate.Run)})
}

const locateHelp = `
Finds where Terraform resources are declared: the module call chain, the file
and line of the resource block, and each attribute's line. Local modules are
followed; for a resource inside a registry or git module the module call
block is printed, with its source.

Instance keys are accepted and ignored for the lookup, and moved blocks are
followed.

Exit status: 0 every address found; 1 some not found; 2 usage.

Examples:
  tfdrift locate --repo . module.network.aws_security_group.web_servers
  tfdrift locate --repo infra --dir envs/prod 'aws_s3_bucket.b["logs"]'`

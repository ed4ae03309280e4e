package main

import "github.com/tfdrift/tfdrift/app/revert"

func init() {
	register("revert", command{summary: "put the cloud back to what the code says (guarded targeted apply)",
		run: jobCommand("revert", "revert --repo DIR [--dir ROOT] [flags] ADDRESS...", revertHelp,
			func(a *revert.Args, args []string) error {
				if len(args) == 0 {
					return usageError(1)
				}
				a.Addresses = args
				return nil
			}, revert.Run)})
}

const revertHelp = `
Reverts drift by applying the code to the given resources only: a targeted
plan (refreshing first) in a fresh working copy at a commit, checked by
guards, then exactly that saved plan is applied. The opposite of accept,
which edits the code to match the cloud. See docs/revert.md.

Guards (checked before anything is applied):
  - the plan changes only the target addresses (Terraform adds a target's
    dependencies to a targeted plan; those must be named explicitly);
  - no delete and no replace of a target unless --allow-destroy /
    --allow-replace;
  - every target exists in the code or the state.

--binary and --terraform are the same flag; the config's terraform block
gives the default of --binary, --plugin-mirror, --plugin-cache and
--lock-timeout.

Exit status: 0 reverted or nothing to change; 2 --dry-run with changes that
pass the guards; 3 refused by a guard; 4 a lock is held; 5 credentials;
6 unsupported terraform binary; 7 the state changed between plan and apply;
1 anything else.

Examples:
  tfdrift revert --repo infra --dir envs/prod --dry-run module.network.aws_security_group.web
  tfdrift revert --repo infra --dir envs/prod module.network.aws_security_group.web`

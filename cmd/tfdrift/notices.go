package main

import (
	"github.com/tfdrift/tfdrift/app/notices"
)

func init() {
	register("notices", command{summary: "show and replay the notice outbox (notices list|retry)",
		run: jobCommand("notices", "notices list|retry [--database DSN] [flags] [ID...]", noticesHelp,
			func(a *notices.Args, args []string) error {
				if err := verb("notices", args, []string{"list", "retry"}, notices.ExitUsage); err != nil {
					return err
				}
				a.Verb, a.IDs = args[0], args[1:]
				return nil
			}, notices.Run)})
}

const noticesHelp = `
Shows the durable outbox of notices (Slack, webhooks, PagerDuty, Jira,
email) and replays failed ones. Every notice is written in the same
transaction as its drift and delivered by serve's workers with backoff; a
notice a sink refuses for good (a 4xx that will never succeed) is dead, with
its reason.

  list               notices, newest first (--status, --sink, --limit)
  retry ID...        put these notices back in the queue
  retry --dead       put every dead notice (of --sink, or all) back

Exit status: 0 done; 1 an error; 2 usage.

Examples:
  tfdrift notices list --database sqlite:///var/lib/tfdrift/tfdrift.db --status dead
  tfdrift notices retry --database postgres://tfdrift@db/tfdrift --dead --sink slack`

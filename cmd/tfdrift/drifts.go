package main

import (
	"github.com/tfdrift/tfdrift/app/drifts"
)

func init() {
	register("drifts", command{summary: "list drift records and move them: ack, resolve, ignore",
		run: jobCommand("drifts", "drifts list|ack|resolve|ignore [--database DSN] [flags] [FINGERPRINT...]", driftsHelp,
			func(a *drifts.Args, args []string) error {
				if err := verb("drifts", args, []string{"list", "ack", "resolve", "ignore"}, drifts.ExitUsage); err != nil {
					return err
				}
				a.Verb, a.Fingerprints = args[0], args[1:]
				return nil
			}, drifts.Run)})
}

const driftsHelp = `
Every drift serve records has a lifecycle: open → acknowledged → resolved or
ignored (resolved and ignored are final; the same drift coming back after
"resolved" reopens it and notifies again).

  list                    records, newest first (--status, --limit)
  ack FINGERPRINT...      someone is on it: no more alerts, still counted
  resolve FINGERPRINT...  fixed (by accept or revert, or by hand); with
                          --config, resolve notices are queued in the same
                          transaction: PagerDuty resolves the incident, Jira
                          moves the ticket to Done, Slack posts in green
  ignore FINGERPRINT...   intended; never alert on it again

Exit status: 0 done; 1 an error, or some fingerprints not moved; 2 usage.

Examples:
  tfdrift drifts list --database sqlite:///var/lib/tfdrift/tfdrift.db --status open
  tfdrift drifts resolve --database … --config tfdrift.yaml --note "reverted" 730e6466eb9e4c0e9b1d2f3a4c5b6d7e`

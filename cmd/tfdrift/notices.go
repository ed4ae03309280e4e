package main

import (
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/tfdrift/tfdrift/app/store"
)

func init() {
	register("notices", command{summary: "show and replay the notice outbox (notices list|retry)", run: runNotices})
}

func runNotices(ctx context.Context, env *cmdEnv, args []string) error {
	fs := newFlagSet(env, "notices", "notices list|retry --database DSN [flags] [ID...]", `
Shows the durable outbox of notices (Slack, webhooks, PagerDuty, Jira,
email) and replays failed ones. Every notice is written in the same
transaction as its drift and delivered by serve's workers with backoff; a
notice a sink refuses for good (a 4xx that will never succeed) is dead, with
its reason.

  list               notices, newest first (--status, --sink, --limit)
  retry ID...        put these notices back in the queue
  retry --dead       put every dead notice (of --sink, or all) back

Examples:
  tfdrift notices list --database sqlite:///var/lib/tfdrift/tfdrift.db --status dead
  tfdrift notices retry --database postgres://tfdrift@db/tfdrift --dead --sink slack`)
	database := fs.String("database", "", "the store serve uses (sqlite:///path or postgres://…)")
	status := fs.String("status", "", "list: only pending, inflight, delivered or dead")
	sink := fs.String("sink", "", "only this sink")
	limit := fs.Int("limit", 50, "list: at most this many")
	dead := fs.Bool("dead", false, "retry: every dead notice (of --sink)")
	if len(args) == 0 || (args[0] != "list" && args[0] != "retry") {
		fs.Usage()
		return exitError{2}
	}
	verb := args[0]
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *database == "" {
		return fmt.Errorf("notices %s: --database is required", verb)
	}
	// Refuse a store that is not there: a mistyped --database must not
	// create an empty one and list nothing.
	st, err := store.Open(ctx, *database, store.MustExist())
	if err != nil {
		return err
	}
	defer st.Close()
	switch verb {
	case "list":
		f := store.NoticeFilter{Sink: *sink, Limit: *limit}
		if *status != "" {
			f.Status = []store.NoticeStatus{store.NoticeStatus(*status)}
		}
		list, err := st.ListNotices(ctx, f)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSINK\tSTATUS\tATTEMPTS\tNEXT ATTEMPT\tFINGERPRINT\tLAST ERROR")
		for _, n := range list {
			next := "-"
			if !n.NextAttemptAt.IsZero() && n.Status != store.NoticeDelivered {
				next = n.NextAttemptAt.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%s\n", n.ID, n.Sink, n.Status, n.Attempts, next, n.Fingerprint, n.LastError)
		}
		return tw.Flush()
	default:
		if *dead {
			n, err := st.RetryDead(ctx, *sink)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "%d dead notices queued again\n", n)
			return nil
		}
		if fs.NArg() == 0 {
			return fmt.Errorf("notices retry: give notice IDs or --dead")
		}
		for _, a := range fs.Args() {
			id, err := strconv.ParseInt(a, 10, 64)
			if err != nil {
				return fmt.Errorf("notices retry: %q is not a notice ID", a)
			}
			n, err := st.RetryNotice(ctx, id)
			if err != nil {
				return fmt.Errorf("notice %d: %w", id, err)
			}
			fmt.Fprintf(env.stdout, "notice %d (%s) queued again\n", n.ID, n.Sink)
		}
		return nil
	}
}

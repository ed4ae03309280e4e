package main

import (
	"context"
	"errors"
	"fmt"
	"os/user"
	"text/tabwriter"
	"time"

	"github.com/tfdrift/tfdrift/app"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/ticket"
)

func init() {
	register("drifts", command{summary: "list drift records and move them: ack, resolve, ignore", run: runDrifts})
}

func runDrifts(ctx context.Context, env *cmdEnv, args []string) error {
	fs := newFlagSet(env, "drifts", "drifts list|ack|resolve|ignore --database DSN [flags] [FINGERPRINT...]", `
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

Examples:
  tfdrift drifts list --database sqlite:///var/lib/tfdrift/tfdrift.db --status open
  tfdrift drifts resolve --database … --config tfdrift.yaml --note "reverted" 730e6466eb9e4c0e`)
	database := fs.String("database", "", "the store serve uses (sqlite:///path or postgres://…)")
	configFile := fs.String("config", "", "with resolve: the config whose notifications announce it")
	status := fs.String("status", "", "list: only open, acknowledged, resolved or ignored")
	limit := fs.Int("limit", 50, "list: at most this many")
	actor := fs.String("actor", "", "who moves the record (default: the OS user)")
	note := fs.String("note", "", "a note kept in the record's history")
	verbs := map[string]store.Status{"ack": store.StatusAcknowledged, "resolve": store.StatusResolved, "ignore": store.StatusIgnored}
	if len(args) == 0 {
		fs.Usage()
		return exitError{2}
	}
	verb := args[0]
	if _, ok := verbs[verb]; !ok && verb != "list" {
		fs.Usage()
		return exitError{2}
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *database == "" {
		return fmt.Errorf("drifts %s: --database is required", verb)
	}
	// Refuse a store that is not there: a mistyped --database must not
	// create an empty one and list nothing.
	st, err := store.Open(ctx, *database, store.MustExist())
	if err != nil {
		return err
	}
	defer st.Close()
	if verb == "list" {
		f := store.Filter{Limit: *limit}
		if *status != "" {
			f.Status = []store.Status{store.Status(*status)}
		}
		page, err := st.List(ctx, f)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "FINGERPRINT\tSTATUS\tSEVERITY\tCHANGE\tRESOURCE\tCOUNT\tLAST SEEN\tUSER")
		for _, r := range page.Records {
			res := r.ResourceAddress
			if res == "" {
				res = r.ResourceType + " " + r.ResourceID
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", r.Fingerprint, r.Status, r.Severity, r.ChangeType, res, r.Count,
				r.LastSeen.UTC().Format(time.RFC3339), r.Drift.User)
		}
		return tw.Flush()
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("drifts %s: give one or more fingerprints (see drifts list)", verb)
	}
	who := *actor
	if who == "" {
		if u, err := user.Current(); err == nil {
			who = u.Username
		}
	}
	var notices *app.Notices
	if verb == "resolve" && *configFile != "" {
		cfg, err := loadConfig(env, *configFile, false)
		if err != nil {
			return err
		}
		if notices, err = app.BuildNotices(cfg); err != nil {
			return err
		}
	}
	failed := false
	for _, fp := range fs.Args() {
		var extra []store.NewNotice
		if notices != nil {
			rec, err := st.Get(ctx, fp)
			if err != nil {
				fmt.Fprintf(env.stderr, "tfdrift: drift %s: %v\n", fp, err)
				failed = true
				continue
			}
			d, err := ticket.DriftFromRecord(rec.Drift)
			if err != nil {
				return err
			}
			extra = notices.Resolved(d)
		}
		rec, err := st.Transition(ctx, fp, verbs[verb], who, *note, extra...)
		if err != nil {
			var te *store.TransitionError
			if errors.As(err, &te) || errors.Is(err, store.ErrNotFound) {
				fmt.Fprintf(env.stderr, "tfdrift: drift %s: %v\n", fp, err)
				failed = true
				continue
			}
			return err
		}
		fmt.Fprintf(env.stdout, "%s %s: %s", fp, describe(rec), rec.Status)
		if len(extra) > 0 {
			fmt.Fprintf(env.stdout, " (%d resolve notices queued)", len(extra))
		}
		fmt.Fprintln(env.stdout)
	}
	if failed {
		return exitError{1}
	}
	return nil
}

func describe(r store.Record) string {
	if r.ResourceAddress != "" {
		return r.ResourceAddress
	}
	return r.ResourceType + " " + r.ResourceID
}

package notices

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/app/store"
)

// Args are the notices job's inputs, one field per flag.
type Args struct {
	// Verb is list or retry.
	Verb string
	// Database is the store serve uses (sqlite:///path or postgres://…).
	Database string
	// Status filters list; Sink filters list and retry --dead.
	Status, Sink string
	// Limit bounds list.
	Limit int
	// Dead, with retry, queues every dead notice (of Sink) again.
	Dead bool
	// IDs are the notices retry queues again.
	IDs []string
}

// RegisterFlags binds every command-line flag of notices to a.
func (a *Args) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&a.Database, "database", store.DefaultDSN, "the store serve uses (sqlite:///path or postgres://…); the default is serve's own default, tfdrift.db in the working directory")
	fs.StringVar(&a.Status, "status", "", "list: only pending, inflight, delivered or dead")
	fs.StringVar(&a.Sink, "sink", "", "only this sink")
	fs.IntVar(&a.Limit, "limit", 50, "list: at most this many")
	fs.BoolVar(&a.Dead, "dead", false, "retry: every dead notice (of --sink)")
}

// ExitUsage is the status of an unknown verb.
const ExitUsage = 2

// ErrUsage is returned for a verb other than list and retry. Exit
// status 2.
var ErrUsage = job.Usage(ExitUsage, "notices: want list or retry")

// Run lists or retries notices; results go to env.Stdout.
func Run(ctx context.Context, env job.Env, a Args) error {
	env = env.Complete()
	if a.Verb != "list" && a.Verb != "retry" {
		return ErrUsage
	}
	if a.Database == "" {
		return fmt.Errorf("notices %s: --database is required", a.Verb)
	}
	// Refuse a store that is not there: a mistyped --database must not
	// create an empty one and list nothing.
	st, err := store.Open(ctx, a.Database, store.MustExist())
	if err != nil {
		return err
	}
	defer st.Close()
	if a.Verb == "list" {
		return list(ctx, env, st, a)
	}
	if a.Dead {
		n, err := st.RetryDead(ctx, a.Sink)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%d dead notices queued again\n", n)
		return nil
	}
	if len(a.IDs) == 0 {
		return errors.New("notices retry: give notice IDs or --dead")
	}
	for _, s := range a.IDs {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("notices retry: %q is not a notice ID", s)
		}
		n, err := st.RetryNotice(ctx, id)
		if err != nil {
			return fmt.Errorf("notice %d: %w", id, err)
		}
		fmt.Fprintf(env.Stdout, "notice %d (%s) queued again\n", n.ID, n.Sink)
	}
	return nil
}

func list(ctx context.Context, env job.Env, st store.Store, a Args) error {
	f := store.NoticeFilter{Sink: a.Sink, Limit: a.Limit}
	if a.Status != "" {
		f.Status = []store.NoticeStatus{store.NoticeStatus(a.Status)}
	}
	list, err := st.ListNotices(ctx, f)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSINK\tSTATUS\tATTEMPTS\tNEXT ATTEMPT\tFINGERPRINT\tLAST ERROR")
	for _, n := range list {
		next := "-"
		if !n.NextAttemptAt.IsZero() && n.Status != store.NoticeDelivered {
			next = n.NextAttemptAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%s\n", n.ID, n.Sink, n.Status, n.Attempts, next, n.Fingerprint, n.LastError)
	}
	return tw.Flush()
}

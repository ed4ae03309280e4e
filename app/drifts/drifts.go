package drifts

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/ticket"
)

// Verbs and the status each moves a record to.
var verbs = map[string]store.Status{"ack": store.StatusAcknowledged, "resolve": store.StatusResolved, "ignore": store.StatusIgnored}

// Args are the drifts job's inputs, one field per flag.
type Args struct {
	// Verb is list, ack, resolve or ignore.
	Verb string
	// Database is the store serve uses (sqlite:///path or postgres://…).
	Database string
	// ConfigFile, with resolve, names the notifications that announce it.
	ConfigFile string
	// Status and Limit filter list.
	Status string
	Limit  int
	// Actor moves the record ("" means the OS user); Note is kept in its
	// history.
	Actor, Note string
	// Fingerprints are the records ack, resolve and ignore move.
	Fingerprints []string
}

// RegisterFlags binds every command-line flag of drifts to a.
func (a *Args) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&a.Database, "database", store.DefaultDSN, "the store serve uses (sqlite:///path or postgres://…); the default is serve's own default, tfdrift.db in the working directory")
	fs.StringVar(&a.ConfigFile, "config", "", "with resolve: the config whose notifications announce it")
	fs.StringVar(&a.Status, "status", "", "list: only open, acknowledged, resolved or ignored")
	fs.IntVar(&a.Limit, "limit", 50, "list: at most this many")
	fs.StringVar(&a.Actor, "actor", "", "who moves the record (default: the OS user)")
	fs.StringVar(&a.Note, "note", "", "a note kept in the record's history")
}

// ExitUsage is the status of an unknown verb.
const ExitUsage = 2

// ErrUsage is returned for a verb other than list, ack, resolve, ignore.
// Exit status 2.
var ErrUsage = job.Usage(ExitUsage, "drifts: want list, ack, resolve or ignore")

// FailedError lists the fingerprints that could not be moved (unknown, or
// a transition the lifecycle forbids); each was reported on stderr, and
// the others were moved. Exit status 1.
type FailedError struct{ Fingerprints []string }

func (e *FailedError) Error() string {
	return "drifts: not moved: " + strings.Join(e.Fingerprints, ", ")
}

// ExitCode is 1.
func (e *FailedError) ExitCode() int { return 1 }

// Run lists or moves drift records; results go to env.Stdout.
func Run(ctx context.Context, env job.Env, a Args) error {
	env = env.Complete()
	if _, ok := verbs[a.Verb]; !ok && a.Verb != "list" {
		return ErrUsage
	}
	if a.Database == "" {
		return fmt.Errorf("drifts %s: --database is required", a.Verb)
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
	if len(a.Fingerprints) == 0 {
		return fmt.Errorf("drifts %s: give one or more fingerprints (see drifts list)", a.Verb)
	}
	who := a.Actor
	if who == "" {
		if u, err := user.Current(); err == nil {
			who = u.Username
		}
	}
	var notices *wiring.Notices
	if a.Verb == "resolve" && a.ConfigFile != "" {
		cfg, err := wiring.LoadConfig(a.ConfigFile, env.LookupEnv, env.Stderr, false)
		if err != nil {
			return err
		}
		if notices, err = wiring.BuildNotices(cfg); err != nil {
			return err
		}
		defer notices.Close()
	}
	var failed []string
	for _, fp := range a.Fingerprints {
		var extra []store.NewNotice
		if notices != nil {
			rec, err := st.Get(ctx, fp)
			if err != nil {
				fmt.Fprintf(env.Stderr, "tfdrift: drift %s: %v\n", fp, err)
				failed = append(failed, fp)
				continue
			}
			d, err := ticket.DriftFromRecord(rec.Drift)
			if err != nil {
				return err
			}
			extra = notices.Resolved(d, resolveReason(who, a.Note))
		}
		rec, err := st.Transition(ctx, fp, verbs[a.Verb], who, a.Note, extra...)
		if err != nil {
			var te *store.TransitionError
			if errors.As(err, &te) || errors.Is(err, store.ErrNotFound) {
				fmt.Fprintf(env.Stderr, "tfdrift: drift %s: %v\n", fp, err)
				failed = append(failed, fp)
				continue
			}
			return err
		}
		fmt.Fprintf(env.Stdout, "%s %s: %s", fp, describe(rec), rec.Status)
		if len(extra) > 0 {
			fmt.Fprintf(env.Stdout, " (%d resolve notices queued)", len(extra))
		}
		fmt.Fprintln(env.Stdout)
	}
	if len(failed) > 0 {
		return job.Reported(&FailedError{Fingerprints: failed})
	}
	return nil
}

func list(ctx context.Context, env job.Env, st store.Store, a Args) error {
	f := store.Filter{Limit: a.Limit}
	if a.Status != "" {
		f.Status = []store.Status{store.Status(a.Status)}
	}
	page, err := st.List(ctx, f)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FINGERPRINT\tSTATUS\tSEVERITY\tCHANGE\tRESOURCE\tCOUNT\tLAST SEEN\tUSER")
	for _, r := range page.Records {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", r.Fingerprint, r.Status, r.Severity, r.ChangeType, describe(r), r.Count,
			r.LastSeen.UTC().Format(time.RFC3339), r.Drift.User)
	}
	return tw.Flush()
}

func describe(r store.Record) string {
	if r.ResourceAddress != "" {
		return r.ResourceAddress
	}
	return r.ResourceType + " " + r.ResourceID
}

// resolveReason is what the resolve notices say: "resolved by <actor>",
// then ": <note>" when one was given. The GitHub issue closes with it.
func resolveReason(who, note string) string {
	if who == "" {
		who = "an operator"
	}
	r := "resolved by " + who
	if note = strings.TrimSpace(note); note != "" {
		r += ": " + note
	}
	return r
}

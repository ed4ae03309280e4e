package ghappcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/tfdrift/tfdrift/app/githubapp"
	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/gitops/ghapi"
)

// StatusArgs are the inputs of `tfdrift app status`.
type StatusArgs struct {
	// ConfigFile holds the github: block and the state sources.
	ConfigFile string
	// States are local state files serve is given with --state, which
	// roots may name as well.
	States []string
	// Database, when set, also lists the open drifts no repository
	// claims.
	Database string
}

// RegisterFlags binds every flag of `app status` to a.
func (a *StatusArgs) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&a.ConfigFile, "config", "", "config file with the github: block and the state sources (required)")
	fs.Var((*job.StringList)(&a.States), "state", "a local state file serve reads (repeatable), which roots may name too")
	fs.StringVar(&a.Database, "database", "", "also list the open drifts no repository claims, from this store")
}

// ProblemsError says the status lists something to fix. Exit status 3.
type ProblemsError struct{ Count int }

func (e *ProblemsError) Error() string { return fmt.Sprintf("app status: %d things to fix", e.Count) }

// ExitCode is 3.
func (e *ProblemsError) ExitCode() int { return ExitProblems }

// Status discovers what the App sees, as serve does but writing nothing
// to GitHub, and prints it.
func Status(ctx context.Context, env job.Env, a StatusArgs) error {
	env = env.Complete()
	if a.ConfigFile == "" {
		return job.Usage(ExitUsage, "--config is required: the config with the github: block")
	}
	cfg, err := wiring.LoadConfig(a.ConfigFile, env.LookupEnv, env.Stderr, false)
	if err != nil {
		return err
	}
	if !cfg.GitHub.Enabled {
		return fmt.Errorf("%s has no github: block: there is no App to look at (tfdrift app setup creates one)", a.ConfigFile)
	}
	gh, err := githubapp.NewClient(cfg.GitHub, ghapi.Options{MaxRateLimitWait: 0})
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "tfdrift-app-status-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	snaps, err := ghapi.NewSnapshotCache(ghapi.SnapshotOptions{Dir: dir, MaxEntries: 4})
	if err != nil {
		return err
	}
	var st githubapp.Store = readOnlyStore{}
	var records store.Store
	if a.Database != "" {
		s, err := store.Open(ctx, a.Database, store.MustExist())
		if err != nil {
			return err
		}
		defer s.Close()
		st, records = s, s
	}
	app, err := githubapp.New(githubapp.Options{GitHub: gh, WebhookSecret: cfg.GitHub.WebhookSecret, States: githubapp.StateSources(cfg, a.States),
		Snapshots: snaps, Store: st, ReadOnly: true})
	if err != nil {
		return err
	}
	if err := app.Discover(ctx); err != nil {
		if len(app.Status().Installations) == 0 {
			return fmt.Errorf("app status: %w", err)
		}
		fmt.Fprintf(env.Stderr, "tfdrift: warning: %v\n", err)
	}
	s := app.Status()
	problems := render(env.Stdout, gh.ID(), cfg.GitHub.APIURL, s)
	if records != nil {
		n, err := unclaimedDrifts(ctx, env.Stdout, app, records)
		if err != nil {
			return err
		}
		problems += n
	}
	if problems > 0 {
		return job.Reported(&ProblemsError{Count: problems})
	}
	return nil
}

// render prints the status and returns how many things it lists to fix.
func render(out io.Writer, appID int64, api string, s githubapp.Status) int {
	problems := 0
	fmt.Fprintf(out, "GitHub App %d at %s: %s\n", appID, api, plural(len(s.Installations), "installation"))
	for _, in := range s.Installations {
		fmt.Fprintf(out, "\ninstallation %d (%s): %s\n", in.ID, in.Account, plural(len(in.Repos), "repository"))
		if in.Err != "" {
			problems++
			fmt.Fprintf(out, "  ! its repositories could not be listed: %s\n", in.Err)
		}
		for _, r := range in.Repos {
			problems += renderRepo(out, r)
		}
	}
	fmt.Fprintln(out)
	if len(s.Unclaimed) == 0 {
		fmt.Fprintln(out, "every configured state is claimed by a repository")
	} else {
		problems += len(s.Unclaimed)
		fmt.Fprintln(out, "configured states no repository claims (their drifts open no issue):")
		for _, name := range s.Unclaimed {
			fmt.Fprintf(out, "  %s\n", name)
		}
	}
	return problems
}

func renderRepo(out io.Writer, r githubapp.RepoStatus) int {
	problems := 0
	switch {
	case r.Err != "" && r.SHA == "":
		problems++
		fmt.Fprintf(out, "  %s\n    ! could not be read: %s\n", r.FullName, r.Err)
		return problems
	case !r.HasConfig:
		fmt.Fprintf(out, "  %s: no .tfdrift.yml at %s (files nothing)\n", r.FullName, short(r.Head))
		return 0
	}
	fmt.Fprintf(out, "  %s", r.FullName)
	switch {
	case r.SHA == "":
		fmt.Fprint(out, ": no commit has loaded yet")
	case r.Head != r.SHA:
		fmt.Fprintf(out, " @ %s (the default branch is at %s)", short(r.SHA), short(r.Head))
	default:
		fmt.Fprintf(out, " @ %s", short(r.SHA))
	}
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	var notes []string
	for _, rt := range r.Roots {
		state := rt.State
		if state == "" {
			state = "(none)"
		}
		issues := "no issues"
		if rt.Issues {
			issues = "issues from " + string(rt.MinSeverity)
		}
		ws := ""
		if rt.Workspace != "" {
			ws = " [" + rt.Workspace + "]"
		}
		fmt.Fprintf(tw, "    root %s\tstate %s%s\t%s\n", rt.Dir, state, ws, issues)
		switch {
		case rt.State == "":
			notes = append(notes, fmt.Sprintf("    ! root %s names no state: set state: so that its drifts are filed here", rt.Dir))
		case !rt.Known:
			notes = append(notes, fmt.Sprintf("    ! root %s: %q is not a state source of this config (its name, s3://…, gs://… or path)", rt.Dir, rt.State))
		}
	}
	tw.Flush()
	problems += len(notes)
	for _, n := range notes {
		fmt.Fprintln(out, n)
	}
	if r.Err != "" {
		problems++
		fmt.Fprintf(out, "    ! could not be read again: %s\n", r.Err)
	}
	if len(r.Problems) > 0 {
		problems += len(r.Problems)
		kept := "nothing is used"
		if r.SHA != "" {
			kept = "keeps using " + short(r.SHA)
		}
		fmt.Fprintf(out, "    ! .tfdrift.yml at %s does not load (%s):\n", short(r.Head), kept)
		for _, p := range r.Problems {
			fmt.Fprintf(out, "      %s\n", p)
		}
	}
	return problems
}

// unclaimedDrifts lists the open drifts no repository claims.
func unclaimedDrifts(ctx context.Context, out io.Writer, app *githubapp.App, st store.Store) (int, error) {
	var lines []string
	f := store.Filter{Status: []store.Status{store.StatusOpen, store.StatusAcknowledged}, Limit: 1000}
	for {
		page, err := st.List(ctx, f)
		if err != nil {
			return 0, err
		}
		for _, rec := range page.Records {
			d := &drift.Drift{Terraform: rec.Drift.Terraform}
			if _, ok := app.Claim(d); !ok {
				what := rec.ResourceAddress
				if what == "" {
					what = rec.ResourceType + " " + rec.ResourceID
				}
				lines = append(lines, fmt.Sprintf("  %s  %s  %s", rec.Fingerprint, what, stateLabel(rec.Drift.Terraform)))
			}
		}
		if page.Next == "" {
			break
		}
		f.Cursor = page.Next
	}
	if len(lines) == 0 {
		fmt.Fprintln(out, "\nevery open drift is claimed by a repository")
		return 0, nil
	}
	fmt.Fprintf(out, "\nopen drifts no repository claims (%d; no issue is opened for them):\n%s\n", len(lines), strings.Join(lines, "\n"))
	return len(lines), nil
}

func stateLabel(l drift.Location) string {
	if l.State == "" {
		return "(unmanaged)"
	}
	if l.Workspace != "" && l.Workspace != "default" {
		return l.State + " [" + l.Workspace + "]"
	}
	return l.State
}

func short(sha string) string { return sha[:min(len(sha), 12)] }

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(word, "y"))
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// readOnlyStore is the Store of a status run without --database:
// discovery never reaches it.
type readOnlyStore struct{}

var errReadOnly = errors.New("app status keeps no records")

func (readOnlyStore) Get(context.Context, string) (store.Record, error) {
	return store.Record{}, errReadOnly
}
func (readOnlyStore) Transition(context.Context, string, store.Status, string, string, ...store.NewNotice) (store.Record, error) {
	return store.Record{}, errReadOnly
}
func (readOnlyStore) ReceiptsByExternalID(context.Context, string, string) ([]store.Receipt, error) {
	return nil, errReadOnly
}
func (readOnlyStore) RecordEvent(context.Context, string, string) (bool, error) {
	return false, errReadOnly
}

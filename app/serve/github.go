package serve

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/app/daemon"
	"github.com/tfdrift/tfdrift/app/githubapp"
	"github.com/tfdrift/tfdrift/app/ingest"
	"github.com/tfdrift/tfdrift/app/ingest/spool"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/gitops/ghapi"
)

// discoveryWait bounds how long serve waits, at start, for the App's
// first discovery, so the first drifts already get their repository and
// code; GitHub being slow or down does not keep serve from starting.
const discoveryWait = 30 * time.Second

// gitHub is the App of the github: block and, unless Args.Reconciler
// replaced it, app/reconcile wired behind it.
type gitHub struct {
	app *githubapp.App
	// recon is nil when Args.Reconciler was given.
	recon *appReconciler
}

// newGitHub makes the GitHub App of the github: block over the store
// (the outbox, the receipts, the event log), journaling its deliveries
// in the spool, installs its issue sink and own channel in the notices,
// and builds its Reconciler (app/reconcile, with terraform when the
// config has a terraform: block; its progress goes to tfLog).
func newGitHub(cfg *config.Config, a Args, st store.Store, n *wiring.Notices, sp *spool.Spool, database string,
	cat *catalog.Catalog, m *daemon.Metrics, tfLog io.Writer, log *slog.Logger) (*gitHub, error) {
	opts := ghapi.Options{Pacing: a.GitHubPacing}
	gh, err := githubapp.NewClient(cfg.GitHub, opts)
	if err != nil {
		return nil, err
	}
	dir, err := snapshotDir(database)
	if err != nil {
		return nil, err
	}
	snaps, err := ghapi.NewSnapshotCache(ghapi.SnapshotOptions{Dir: dir})
	if err != nil {
		return nil, err
	}
	g := &gitHub{}
	recon := a.Reconciler
	if recon == nil {
		if g.recon, err = newReconciler(cfg, st, snaps, n, tfLog, log); err != nil {
			return nil, err
		}
		recon = g.recon
	}
	var journal func(ingest.Handler) ingest.Handler
	if sp != nil {
		journal = sp.Wrap
	} else {
		log.Warn("github: no spool (--spool-dir): a webhook accepted just before a crash is lost; GitHub's Redeliver brings it back")
	}
	app, err := githubapp.New(githubapp.Options{GitHub: gh, WebhookSecret: cfg.GitHub.WebhookSecret, MaxOpenIssues: cfg.GitHub.MaxOpenIssues,
		States: githubapp.StateSources(cfg, a.States), Snapshots: snaps, Store: st, Reconciler: recon,
		Attributes: catalogAttributes(cat), Journal: journal, Relist: a.GitHubRelist, Registerer: m.Registry, Logger: log})
	if err != nil {
		return nil, err
	}
	sink, err := app.Sink()
	if err != nil {
		return nil, err
	}
	n.UseGitHub(wiring.GitHubChannel{Sink: sink, Wants: app.Wants})
	g.app = app
	if g.recon != nil {
		g.recon.app = app
	}
	return g, nil
}

// wire mounts the App on serve's parts: its webhook route and journal
// consumer, and, with app/reconcile, the recorder hook (ignores held,
// opened drifts reconciled) and the reconcile worker.
func (g *gitHub) wire(rec *recording) {
	if g.recon == nil || rec.recorder == nil {
		return
	}
	rec.recorder = g.recon.recorder(rec.recorder, rec.notices)
	rec.background = append(rec.background, g.recon.run)
}

// runGitHub starts the App's discovery and workers (before the daemon,
// whose crash recovery replays journaled deliveries to it) and waits a
// bounded time for the first discovery. The returned function waits for
// it to stop after ctx ends.
func runGitHub(ctx context.Context, app *githubapp.App, log *slog.Logger) (wait func()) {
	done := make(chan struct{})
	go func() { defer close(done); app.Run(ctx) }()
	select {
	case <-app.Discovered():
	case <-ctx.Done():
	case <-time.After(discoveryWait):
		log.Warn("github: the first discovery is taking long; serving without it meanwhile", "waited", discoveryWait)
	}
	return func() { <-done }
}

// snapshotDir is where repository snapshots go: snapshots/ beside a
// SQLite database, else a directory of its own in the temporary one.
func snapshotDir(database string) (string, error) {
	if strings.HasPrefix(database, "sqlite://") {
		return filepath.Join(filepath.Dir(strings.TrimPrefix(database, "sqlite://")), "snapshots"), nil
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("tfdrift-snapshots-%d", os.Getuid()))
	return dir, os.MkdirAll(dir, 0o700)
}

// catalogAttributes lists, per resource type, the attributes the
// catalog derives: what a repository's ignore: lines may drop.
func catalogAttributes(cat *catalog.Catalog) map[string][]string {
	out := map[string][]string{}
	for _, e := range cat.Entries() {
		for i := range e.Targets {
			t := &e.Targets[i]
			for _, a := range t.AttrNames() {
				if !slices.Contains(out[t.Type], a) {
					out[t.Type] = append(out[t.Type], a)
				}
			}
		}
	}
	return out
}

// webBase is GitHub's web address for the status page's permalinks:
// github.com for api.github.com, the host of a GHES API otherwise.
func webBase(cfg *config.Config) string {
	if cfg == nil || !cfg.GitHub.Enabled {
		return ""
	}
	u, err := url.Parse(cfg.GitHub.APIURL)
	if err != nil || strings.EqualFold(u.Hostname(), "api.github.com") {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

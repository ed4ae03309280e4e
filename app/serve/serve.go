package serve

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"time"

	"github.com/tfdrift/tfdrift/app/daemon"
	"github.com/tfdrift/tfdrift/app/githubapp"
	"github.com/tfdrift/tfdrift/app/ingest"
	"github.com/tfdrift/tfdrift/app/ingest/falcohttp"
	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/detector"
	"github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/state"
	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/ticket/deliver"
)

// DefaultListen is the address serve listens on when neither --listen nor
// falco.http.listen says otherwise: loopback, where the quick start runs
// without a secret.
const DefaultListen = "127.0.0.1:8080"

// DefaultDatabase is --database's default: a SQLite file in the working
// directory, so the quick start keeps its drift records, and its spool
// (spool/ beside it) replays accepted alerts after a crash.
// MemoryDatabase keeps neither, explicitly.
const (
	DefaultDatabase = store.DefaultDSN
	MemoryDatabase  = "memory"
)

// Args are the serve job's inputs: one field per flag, then the hooks a
// caller that runs serve in-process may set (tests, the demo).
type Args struct {
	// ConfigFile holds rules, state sources, inputs and notifications;
	// optional for the quick start. It is read again on every Reload.
	ConfigFile string
	// States are local state files.
	States []string
	// Repo is the infra repository (file:line, lifecycle.ignore_changes);
	// Dir the root module inside it.
	Repo, Dir string
	// IgnoreFile overrides .tfdriftignore in Repo.
	IgnoreFile string
	// Format prints drifts to stdout: text or json; "" means the
	// config's output.mode, else json.
	Format string
	// Listen is the HTTP address; "" means the config's
	// falco.http.listen, else DefaultListen.
	Listen string
	// Database is the store's DSN (sqlite:///path or postgres://…); ""
	// or MemoryDatabase keeps no records. The flag defaults to
	// DefaultDatabase.
	Database string
	// SpoolDir journals accepted Falco alerts; "" means spool/ beside a
	// SQLite Database, else none.
	SpoolDir string
	// FalcoSecrets are shared secrets for /falco, besides
	// $TFDRIFT_FALCO_SECRET and falco.http.secret.
	FalcoSecrets []string
	// QueueSize bounds the events accepted but not yet processed; at
	// least 1 (RegisterFlags defaults it to daemon.DefaultQueueSize).
	QueueSize int
	// Verbose logs at debug level.
	Verbose bool
	// TLSCert and TLSKey serve HTTPS; TLSClientCA also requires client
	// certificates signed by it (mTLS for /falco).
	TLSCert, TLSKey, TLSClientCA string
	// MetricsListen serves /metrics, /readyz and /healthz on an address
	// of their own; "" keeps them on Listen (behind /falco's credentials
	// unless Listen is loopback).
	MetricsListen string
	// MaxConnections caps the open connections of Listen; MaxInflightBytes
	// the request body bytes held at once. AccessLog logs every request.
	MaxConnections   int
	MaxInflightBytes int64
	AccessLog        bool

	// Started, when set, is called with the bound address once serving;
	// MetricsStarted with the metrics listener's.
	Started, MetricsStarted func(addr string)
	// Reload delivers a value for each reload request; serve also
	// reloads on SIGHUP.
	Reload <-chan struct{}
	// Deliver tunes the outbox workers' timing (backoff, poll interval).
	Deliver deliver.Options
	// Routes are extra HTTP endpoints (a GitHub webhook), each with its
	// own authentication; Consumers take the journaled messages of
	// sources other than the Falco inputs. See daemon.Options.
	Routes    []daemon.Route
	Consumers map[string]ingest.Handler
	// Reconciler replaces what carries out the GitHub App's comment
	// commands; nil builds app/reconcile from the config (with terraform
	// when it has a terraform: block).
	Reconciler githubapp.Reconciler
	// GitHubPacing paces the App's writes (nil: ghapi.DefaultPacing);
	// GitHubRelist is its fallback discovery interval (0: 10 minutes).
	GitHubPacing *ghapi.Pacing
	GitHubRelist time.Duration
}

// RegisterFlags binds every command-line flag of serve to a.
func (a *Args) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&a.ConfigFile, "config", "", "config file (rules, state sources, inputs, notifications)")
	fs.Var((*job.StringList)(&a.States), "state", "Terraform state file (repeatable)")
	fs.StringVar(&a.Repo, "repo", "", "infra repository, for file:line and lifecycle.ignore_changes")
	fs.StringVar(&a.Dir, "dir", "", "root module directory inside --repo")
	fs.StringVar(&a.IgnoreFile, "ignore-file", "", "ignore file (default: .tfdriftignore in --repo)")
	fs.StringVar(&a.Format, "format", "", "print drifts to stdout: text or json (default: the config's output.mode, else json)")
	fs.StringVar(&a.Listen, "listen", "", "HTTP listen address (default: the config's falco.http.listen, else "+DefaultListen+")")
	fs.StringVar(&a.Database, "database", DefaultDatabase, "store: a SQLite file (sqlite:///var/lib/tfdrift/tfdrift.db) or postgres://… for several replicas; the default is tfdrift.db in the working directory; "+MemoryDatabase+" keeps no records and no spool")
	fs.StringVar(&a.SpoolDir, "spool-dir", "", "journal of accepted Falco alerts, replayed after a crash (default: spool/ beside a SQLite --database; none with --database "+MemoryDatabase+"; required for no loss with Postgres)")
	fs.Var((*job.StringList)(&a.FalcoSecrets), "falco-secret", "shared secret for /falco (repeatable, to rotate; or $TFDRIFT_FALCO_SECRET)")
	fs.IntVar(&a.QueueSize, "queue-size", daemon.DefaultQueueSize, "events accepted but not yet processed; past it inputs are told to back off (503 Retry-After). Larger absorbs bigger bursts (a CloudTrail log file arrives at once), smaller bounds the delay under overload")
	fs.BoolVar(&a.Verbose, "verbose", false, "debug logging")
	fs.StringVar(&a.TLSCert, "tls-cert", "", "serve HTTPS with this certificate (PEM)")
	fs.StringVar(&a.TLSKey, "tls-key", "", "the certificate's private key (PEM)")
	fs.StringVar(&a.TLSClientCA, "tls-client-ca", "", "require client certificates signed by this CA (PEM): mTLS for /falco")
	fs.StringVar(&a.MetricsListen, "metrics-listen", "", "serve /metrics, /readyz and /healthz on this address, plain HTTP (e.g. :9090); without it they stay on --listen and, unless that is loopback, need /falco's secret as a bearer token")
	fs.IntVar(&a.MaxConnections, "max-connections", daemon.DefaultMaxConnections, "open connections --listen holds at once; more wait to be accepted (negative: no cap)")
	fs.Int64Var(&a.MaxInflightBytes, "max-inflight-bytes", falcohttp.DefaultMaxInflightBytes, "request body bytes /falco holds at once while reading; past it requests are answered 503 with Retry-After")
	fs.BoolVar(&a.AccessLog, "access-log", false, "log every HTTP request (secret paths shown as /falco/REDACTED, query strings never); refused requests are logged without it, the first of each reason per minute")
}

// NoSecretError is returned when /falco would listen on a non-loopback
// address with no way to authenticate senders.
type NoSecretError struct{ Listen string }

func (e *NoSecretError) Error() string {
	return fmt.Sprintf("refusing to serve /falco on %s without a secret: set --falco-secret, $TFDRIFT_FALCO_SECRET, falco.http.secret, or mTLS with --tls-client-ca (only loopback addresses may run without one, or a listener for the GitHub webhook alone: github.webhook_secret)", e.Listen)
}

// ErrNoStore is returned when notifications are configured without a
// store: notices are only ever delivered through the durable outbox.
var ErrNoStore = errors.New("notifications are configured but there is no store (--database memory): pass a --database (e.g. sqlite:///var/lib/tfdrift/tfdrift.db, or leave the default tfdrift.db) so notices are delivered through the durable outbox")

// Run serves until ctx ends, then drains and returns nil. See the package
// doc for the exit statuses.
func Run(ctx context.Context, env job.Env, a Args) error {
	env = env.Complete()
	if a.Database == MemoryDatabase {
		a.Database = ""
	}
	if a.QueueSize < 1 {
		return fmt.Errorf("--queue-size %d: want at least 1", a.QueueSize)
	}
	cfg, err := wiring.LoadConfig(a.ConfigFile, env.LookupEnv, env.Stderr, false)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if a.Verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewJSONHandler(env.Stderr, &slog.HandlerOptions{Level: level}))

	listen := a.Listen
	if listen == "" && cfg != nil && cfg.Falco.Enabled {
		listen = cfg.Falco.HTTP.Listen
	}
	if listen == "" {
		listen = DefaultListen
	}
	tlsCfg, err := serverTLS(a.TLSCert, a.TLSKey, a.TLSClientCA)
	if err != nil {
		return err
	}
	falco, err := falcoAuth(env, cfg, a.FalcoSecrets, listen, tlsCfg)
	if err != nil {
		return err
	}
	falco.MaxInflightBytes = a.MaxInflightBytes
	if closed(falco) {
		log.Warn("/falco refuses every request: this listener faces the network and has no /falco secret, only the GitHub webhook's", "listen", listen)
	}
	if cfg != nil && cfg.GitHub.Enabled && a.Database == "" {
		return errors.New("the github: block needs a store, not --database memory: the App's issues are written through the durable outbox, and its webhooks are de-duplicated in the store")
	}

	cat := catalog.Default()
	ix := wiring.NewIndex(cat)
	backends, err := stateBackends(ctx, cfg, a.States)
	if err != nil {
		return err
	}
	out, err := wiring.NewOutput(outputFormat(a.Format, cfg), env.Stdout)
	if err != nil {
		return err
	}
	inputs, err := wiring.Inputs(ctx, cfg)
	if err != nil {
		return err
	}
	sp, err := openSpool(a.SpoolDir, a.Database, log)
	if err != nil {
		return err
	}
	metrics := daemon.NewMetrics()
	var app *githubapp.App
	var gh *gitHub
	rec, err := openRecorder(ctx, cfg, a.Database, a.Deliver, log, func(st store.Store, n *wiring.Notices) (err error) {
		if cfg != nil && cfg.GitHub.Enabled {
			if gh, err = newGitHub(cfg, a, st, n, sp, a.Database, cat, metrics, env.Stderr, log); err == nil {
				app = gh.app
			}
		}
		return err
	})
	if err != nil {
		if sp != nil {
			sp.Close()
		}
		return err
	}
	defer rec.close()
	if gh != nil {
		gh.wire(rec)
	}
	if a.Database == "" {
		log.Warn("no store (--database memory): drifts are not recorded, and accepted alerts are lost in a crash unless --spool-dir is set")
	} else {
		log.Info("store", "database", store.RedactDSN(a.Database))
	}
	routes, consumers := append([]daemon.Route(nil), a.Routes...), maps.Clone(a.Consumers)
	var code detector.CodeIndex
	if app != nil {
		routes = append(routes, daemon.Route{Pattern: "POST " + githubapp.WebhookPath, Input: "github-webhook", Handler: app.Handler()})
		if consumers == nil {
			consumers = map[string]ingest.Handler{}
		}
		consumers[githubapp.JournalSource] = app.Consumer()
		code = app.Code()
		ghCtx, stopGitHub := context.WithCancel(ctx)
		wait := runGitHub(ghCtx, app, log)
		defer func() { stopGitHub(); wait() }()
	}
	background := rec.background
	var inSync func(*state.Resource, map[string]any)
	if rec.store != nil {
		life := wiring.NewLifecycle(rec.store, ix, resolvedNotices(rec.set), log)
		background = append(background, life.Run)
		inSync = life.InSync
		if page := statusPage(rec.store, falco, webBase(cfg), log); page != nil {
			routes = append(routes, daemon.Route{Pattern: "/", Input: "status-page", Handler: page})
		}
	}

	// One shadow for every engine a reload builds: the store's, so that
	// a restart and every replica see the same cloud, else in memory.
	shadow := rec.shadow
	if shadow == nil {
		shadow = detector.NewMemoryShadow(0)
	}
	reload, stopReload := reloads(a.Reload)
	defer stopReload()
	build := func(ctx context.Context, ix *state.Index, nudge func(*change.Change)) (*detector.Engine, error) {
		c := cfg
		if a.ConfigFile != "" {
			// Re-read on every build, so a reload applies an edited file.
			if c, err = wiring.LoadConfig(a.ConfigFile, env.LookupEnv, env.Stderr, false); err != nil {
				return nil, err
			}
		}
		return wiring.NewEngine(ctx, wiring.DetectorOptions{
			Config: c, Index: ix, Backends: backends, RepoDir: a.Repo, RootDir: a.Dir,
			IgnoreFile: a.IgnoreFile, Catalog: cat, Diag: env.Stderr, OnTrustedWrite: nudge, Shadow: shadow, Code: code,
		})
	}
	opts := daemon.Options{
		Listen: listen, TLS: tlsCfg, Falco: falco,
		Build: build, Index: ix, Backends: backends,
		Inputs: inputs, Spool: sp, Routes: routes, Consumers: consumers,
		Recorder: rec.recorder, Notices: rec.notices, Background: background, Metrics: metrics, InSync: inSync,
		Output: out, Logger: log, Reload: reload, Started: a.Started,
		QueueSize: a.QueueSize, Shadow: shadow, ReadyChecks: rec.readyChecks(),
		MetricsListen: a.MetricsListen, MetricsStarted: a.MetricsStarted, MaxConnections: a.MaxConnections, AccessLog: a.AccessLog,
	}
	if cfg != nil {
		opts.RefreshInterval = cfg.StateRefreshInterval
	}
	return daemon.Run(ctx, opts)
}

package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/tfdrift/tfdrift/app"
	"github.com/tfdrift/tfdrift/app/daemon"
	"github.com/tfdrift/tfdrift/app/ingest/falcohttp"
	"github.com/tfdrift/tfdrift/app/ingest/spool"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/state"
	"github.com/tfdrift/tfdrift/ticket/deliver"
)

func init() {
	register("serve", command{summary: "the long-running detector: Falco, SQS and state in, drifts out", run: runServe})
}

// serveHooks lets tests observe the daemon (the bound address) and stop it.
var serveHooks struct {
	started func(addr string)
	reload  chan struct{}
	// deliver overrides the outbox workers' timing (tests).
	deliver deliver.Options
}

func runServe(ctx context.Context, env *cmdEnv, args []string) error {
	fs := newFlagSet(env, "serve", "serve [--config F] [--listen ADDR] [--state F]... [--repo DIR] [flags]", `
Runs the detector as a daemon. Falco alerts arrive on POST /falco (Falco's
http_output or falcosidekick's webhook); older Falco over gRPC and
EventBridge→SQS come from the config. Each write is compared with
Terraform state, which is re-read whenever its backend object changes and at
least every state_refresh_interval. Each drift is recorded in the store and
then printed (--format) and sent to the configured notices.

Endpoints: POST /falco (also /falco/<secret>), /healthz, /readyz (state
loaded and inputs connected), /metrics (Prometheus).

/falco needs a shared secret (--falco-secret, as /falco/<secret>, ?token= or
"Authorization: Bearer"), except on a loopback address, where the quick
start runs without one. serve refuses to start on any other address
without a secret.

Signals: SIGTERM/SIGINT drain in-flight events and exit 0; SIGHUP reloads the
config (rules, trusted actors, ignore file, repo) without dropping events.

Quick start (no config file):
  tfdrift serve --listen 127.0.0.1:8080 --state terraform.tfstate --repo . --format json
  curl -s -XPOST --data-binary @alert.json 127.0.0.1:8080/falco

Production: see docs/deploy.md and deploy/helm.`)
	var f detectorFlags
	fs.StringVar(&f.configFile, "config", "", "config file (rules, state sources, inputs, notifications)")
	fs.Var(&f.states, "state", "Terraform state file (repeatable)")
	fs.StringVar(&f.repo, "repo", "", "infra repository, for file:line and lifecycle.ignore_changes")
	fs.StringVar(&f.dir, "dir", "", "root module directory inside --repo")
	fs.StringVar(&f.ignoreFile, "ignore-file", "", "ignore file (default: .tfdriftignore in --repo)")
	fs.StringVar(&f.format, "format", "", "print drifts to stdout: text or json (default: the config's output.mode, else json)")
	listen := fs.String("listen", "127.0.0.1:8080", "HTTP listen address")
	database := fs.String("database", "", "store: a SQLite file (sqlite:///var/lib/tfdrift/tfdrift.db) or postgres://… for several replicas; empty keeps no records (quick start)")
	spoolDir := fs.String("spool-dir", "", "journal of accepted Falco alerts, replayed after a crash (default: spool/ beside a SQLite --database; required for no loss with Postgres)")
	var secrets stringList
	fs.Var(&secrets, "falco-secret", "shared secret for /falco (repeatable, to rotate; or $TFDRIFT_FALCO_SECRET)")
	queueSize := fs.Int("queue-size", daemon.DefaultQueueSize, "events accepted but not yet processed; past it inputs are told to back off (503 Retry-After). Larger absorbs bigger bursts (a CloudTrail log file arrives at once), smaller bounds the delay under overload")
	verbose := fs.Bool("verbose", false, "debug logging")
	tlsCert := fs.String("tls-cert", "", "serve HTTPS with this certificate (PEM)")
	tlsKey := fs.String("tls-key", "", "the certificate's private key (PEM)")
	tlsClientCA := fs.String("tls-client-ca", "", "require client certificates signed by this CA (PEM): mTLS for /falco")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *queueSize < 1 {
		return fmt.Errorf("--queue-size %d: want at least 1", *queueSize)
	}
	cfg, err := loadConfig(env, f.configFile, false)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewJSONHandler(env.stderr, &slog.HandlerOptions{Level: level}))

	var bearers []string
	if s := env.getenv("TFDRIFT_FALCO_SECRET"); s != "" {
		secrets = append(secrets, s)
	}
	if cfg != nil {
		if s := cfg.Falco.HTTP.Secret; s != "" {
			secrets = append(secrets, s)
		}
		if s := cfg.Falco.HTTP.BearerToken; s != "" {
			bearers = append(bearers, s)
		}
		if cfg.Falco.HTTP.Listen != "" && !flagSet(fs.Visit, "listen") {
			*listen = cfg.Falco.HTTP.Listen
		}
	}
	loopback, err := isLoopback(*listen)
	if err != nil {
		return err
	}
	tlsCfg, err := serverTLS(*tlsCert, *tlsKey, *tlsClientCA)
	if err != nil {
		return err
	}
	mtls := tlsCfg != nil && tlsCfg.ClientCAs != nil
	if len(secrets) == 0 && len(bearers) == 0 && !mtls && !loopback {
		return fmt.Errorf("refusing to serve /falco on %s without a secret: set --falco-secret, $TFDRIFT_FALCO_SECRET, falco.http.secret, or mTLS with --tls-client-ca (only loopback addresses may run without one)", *listen)
	}

	cat := catalog.Default()
	ix := app.NewIndex(cat)
	backends, err := app.LocalBackends(cfg, f.states)
	if err != nil {
		return err
	}
	remote, err := app.RemoteBackends(ctx, cfg)
	if err != nil {
		return err
	}
	backends = append(backends, remote...)
	if len(backends) == 0 {
		return app.ErrNoState
	}

	format := f.format
	if format == "" && cfg != nil {
		format = cfg.Output.Mode
	}
	if format == "" {
		format = app.FormatJSON
	}
	out, err := app.NewOutput(format, env.stdout)
	if err != nil {
		return err
	}
	inputs, err := app.Inputs(ctx, cfg)
	if err != nil {
		return err
	}
	notices, err := app.BuildNotices(cfg)
	if err != nil {
		return err
	}
	var rec daemon.Recorder
	var background []func(context.Context) error
	var noticeFn daemon.NoticeFunc
	if *database != "" {
		st, err := store.Open(ctx, *database)
		if err != nil {
			return err
		}
		defer st.Close()
		rec = st
		if notices != nil {
			defer notices.Close()
			noticeFn = notices.Outbox
			host, _ := os.Hostname()
			d, err := notices.Deliverer(st, fmt.Sprintf("%s-%d", host, os.Getpid()), func(r deliver.Result) {
				if r.Err != nil {
					log.Warn("notice delivery", "sink", r.Sink, "outcome", r.Outcome, "err", r.Err)
				}
			}, serveHooks.deliver)
			if err != nil {
				return err
			}
			notices.OnError = func(err error) { log.Error("notices", "err", err) }
			background = append(background, d.Run, notices.StormFlusher(st))
		}
	} else if notices != nil && len(notices.Sinks) > 1 {
		return errors.New("notifications are configured but there is no store: pass --database (e.g. sqlite:///var/lib/tfdrift/tfdrift.db) so notices are delivered through the durable outbox")
	}

	reload := make(chan struct{}, 1)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for range hup {
			select {
			case reload <- struct{}{}:
			default:
			}
		}
	}()
	if serveHooks.reload != nil {
		go func() {
			for range serveHooks.reload {
				reload <- struct{}{}
			}
		}()
	}

	configFile := f.configFile
	build := func(ctx context.Context, ix *state.Index, nudge func(*change.Change)) (*app.Detector, error) {
		c := cfg
		if configFile != "" {
			// Re-read on every build, so SIGHUP applies an edited file.
			nc, err := loadConfig(env, configFile, false)
			if err != nil {
				return nil, err
			}
			c = nc
		}
		return app.NewDetector(ctx, app.DetectorOptions{
			Config: c, Index: ix, Backends: backends, RepoDir: f.repo, RootDir: f.dir,
			IgnoreFile: f.ignoreFile, Catalog: cat, Diag: env.stderr, OnTrustedWrite: nudge,
		})
	}
	var sp *spool.Spool
	dir := *spoolDir
	if dir == "" && *database != "" && !strings.HasPrefix(*database, "postgres") {
		dir = filepath.Join(filepath.Dir(strings.TrimPrefix(*database, "sqlite://")), "spool")
	}
	if dir != "" {
		giveUp := spool.WithOnGiveUp(func(g spool.GivenUp) {
			log.Error("gave up replaying an event that failed every delivery", "source", g.Source, "id", g.ID,
				"received", g.Received, "deliveries", g.Deliveries)
		})
		if sp, err = spool.Open(dir, giveUp); err != nil {
			return fmt.Errorf("spool %s: %w", dir, err)
		}
	}
	opts := daemon.Options{
		Spool:  sp,
		Listen: *listen, Build: build, Index: ix, Backends: backends,
		Falco: falcohttp.Config{Secrets: secrets, BearerTokens: bearers, RequireClientCert: mtls,
			AllowUnauthenticated: len(secrets) == 0 && len(bearers) == 0 && !mtls && loopback},
		TLS:      tlsCfg,
		Inputs:   inputs,
		Recorder: rec, Notices: noticeFn, Background: background,
		Output: out, Logger: log, Reload: reload, Started: serveHooks.started,
		QueueSize: *queueSize,
	}
	if cfg != nil {
		opts.RefreshInterval = cfg.StateRefreshInterval
	}
	return daemon.Run(ctx, opts)
}

// isLoopback reports whether a listen address binds only loopback.
func isLoopback(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("--listen %q: %w", addr, err)
	}
	if host == "localhost" {
		return true, nil
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback(), nil
}

func flagSet(visit func(func(*flag.Flag)), name string) bool {
	found := false
	visit(func(f *flag.Flag) {
		if f.Name == name {
			found = true
		}
	})
	return found
}

// serverTLS builds the HTTPS configuration; nil without a certificate.
func serverTLS(certFile, keyFile, clientCA string) (*tls.Config, error) {
	if certFile == "" && keyFile == "" {
		if clientCA != "" {
			return nil, errors.New("--tls-client-ca needs --tls-cert and --tls-key")
		}
		return nil, nil
	}
	if certFile == "" || keyFile == "" {
		return nil, errors.New("--tls-cert and --tls-key go together")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert/--tls-key: %w", err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if clientCA != "" {
		pem, err := os.ReadFile(clientCA)
		if err != nil {
			return nil, fmt.Errorf("--tls-client-ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--tls-client-ca %s: no PEM certificate in it", clientCA)
		}
		cfg.ClientCAs, cfg.ClientAuth = pool, tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

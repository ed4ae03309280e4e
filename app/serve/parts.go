package serve

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/app/daemon"
	"github.com/tfdrift/tfdrift/app/ingest/falcohttp"
	"github.com/tfdrift/tfdrift/app/ingest/spool"
	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/detector"
	"github.com/tfdrift/tfdrift/detector/state"
	"github.com/tfdrift/tfdrift/ticket/deliver"
)

// falcoAuth decides how /falco authenticates senders: the secrets of the
// flags, $TFDRIFT_FALCO_SECRET and the config, a bearer token, mTLS; or
// nothing, which only a loopback listener may do.
func falcoAuth(env job.Env, cfg *config.Config, flagSecrets []string, listen string, tlsCfg *tls.Config) (falcohttp.Config, error) {
	secrets := append([]string(nil), flagSecrets...)
	var bearers []string
	if s := env.Getenv("TFDRIFT_FALCO_SECRET"); s != "" {
		secrets = append(secrets, s)
	}
	if cfg != nil && cfg.Falco.Enabled { // falco: {enabled: false} turns its http settings off too
		if s := cfg.Falco.HTTP.Secret; s != "" {
			secrets = append(secrets, s)
		}
		if s := cfg.Falco.HTTP.BearerToken; s != "" {
			bearers = append(bearers, s)
		}
	}
	loopback, err := isLoopback(listen)
	if err != nil {
		return falcohttp.Config{}, err
	}
	mtls := tlsCfg != nil && tlsCfg.ClientCAs != nil
	open := len(secrets) == 0 && len(bearers) == 0 && !mtls
	if open && !loopback {
		if cfg != nil && cfg.GitHub.WebhookSecret != "" {
			// The GitHub webhook authenticates with its own secret, so
			// the listener may face the network; /falco then takes
			// nobody: its one secret is random, never shown.
			return falcohttp.Config{Secrets: []string{closedSecret()}}, nil
		}
		return falcohttp.Config{}, &NoSecretError{Listen: listen}
	}
	return falcohttp.Config{Secrets: secrets, BearerTokens: bearers, RequireClientCert: mtls, AllowUnauthenticated: open}, nil
}

// closedSecret is a secret nobody knows, drawn once per process: /falco's
// on a public listener that serves only the GitHub webhook.
var closedSecret = sync.OnceValue(func() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
})

// closed reports whether /falco takes nobody (closedSecret).
func closed(c falcohttp.Config) bool {
	return len(c.Secrets) == 1 && c.Secrets[0] == closedSecret() && len(c.BearerTokens) == 0 && !c.RequireClientCert
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

// stateBackends are the --state files and the config's local and remote
// state sources; at least one is needed.
func stateBackends(ctx context.Context, cfg *config.Config, files []string) ([]state.Backend, error) {
	backends, err := wiring.LocalBackends(cfg, files)
	if err != nil {
		return nil, err
	}
	remote, err := wiring.RemoteBackends(ctx, cfg)
	if err != nil {
		return nil, err
	}
	backends = append(backends, remote...)
	if len(backends) == 0 {
		return nil, wiring.ErrNoState
	}
	return backends, nil
}

// outputFormat is the flag's, else the config's output.mode, else json: a
// daemon's output is read by machines.
func outputFormat(flag string, cfg *config.Config) string {
	if flag == "" && cfg != nil {
		flag = cfg.Output.Mode
	}
	if flag == "" {
		flag = wiring.FormatJSON
	}
	return flag
}

// recording is the store and the notices that go through its outbox.
type recording struct {
	recorder daemon.Recorder
	// shadow is the store's detector.Shadow (nil without a store).
	shadow     detector.Shadow
	notices    daemon.NoticeFunc
	background []func(context.Context) error
	closers    []func() error
	// store and set are the store and the notices themselves (nil
	// without a database, or without notifications).
	store store.Store
	set   *wiring.Notices
}

func (r *recording) close() {
	for i := len(r.closers) - 1; i >= 0; i-- {
		r.closers[i]()
	}
}

// readyChecks make /readyz fail on a damaged store (PRAGMA quick_check on
// SQLite, a round trip on Postgres): writing on would lose records that
// the CLI then cannot read.
func (r *recording) readyChecks() []daemon.ReadyCheck {
	if r.store == nil {
		return nil
	}
	return []daemon.ReadyCheck{{Name: "store", Check: r.store.Check}}
}

// openRecorder opens the store and, when the config has notifications,
// the outbox workers over it. Without a database nothing is recorded and
// only the stdout output may be configured. prepare, when set, runs
// before the workers start, with the store and the notices (the GitHub
// App installs its sink there).
func openRecorder(ctx context.Context, cfg *config.Config, database string, timing deliver.Options, log *slog.Logger,
	prepare func(store.Store, *wiring.Notices) error) (*recording, error) {
	r := &recording{}
	notices, err := wiring.BuildNotices(cfg)
	if err != nil {
		return nil, err
	}
	if database == "" {
		if notices != nil && len(notices.Sinks) > 1 {
			return nil, ErrNoStore
		}
		return r, nil
	}
	st, err := store.Open(ctx, database)
	if err != nil {
		return nil, err
	}
	r.closers = append(r.closers, st.Close)
	r.recorder, r.store = st, st
	r.shadow = st.Shadow()
	if notices == nil {
		return r, nil
	}
	r.closers = append(r.closers, notices.Close)
	r.notices, r.set = notices.Outbox, notices
	if prepare != nil {
		if err := prepare(st, notices); err != nil {
			r.close()
			return nil, err
		}
	}
	host, _ := os.Hostname()
	d, err := notices.Deliverer(st, fmt.Sprintf("%s-%d", host, os.Getpid()), func(res deliver.Result) {
		if res.Err != nil {
			log.Warn("notice delivery", "sink", res.Sink, "outcome", res.Outcome, "err", res.Err)
		}
	}, timing)
	if err != nil {
		r.close()
		return nil, err
	}
	notices.OnError = func(err error) { log.Error("notices", "err", err) }
	r.background = append(r.background, d.Run, notices.StormFlusher(st))
	return r, nil
}

// openSpool opens the journal of accepted alerts: dir, else spool/ beside
// a SQLite database, else none.
func openSpool(dir, database string, log *slog.Logger) (*spool.Spool, error) {
	if dir == "" && database != "" && !strings.HasPrefix(database, "postgres") {
		dir = filepath.Join(filepath.Dir(strings.TrimPrefix(database, "sqlite://")), "spool")
	}
	if dir == "" {
		return nil, nil
	}
	giveUp := spool.WithOnGiveUp(func(g spool.GivenUp) {
		log.Error("gave up replaying an event that failed every delivery", "source", g.Source, "id", g.ID,
			"received", g.Received, "deliveries", g.Deliveries)
	})
	sp, err := spool.Open(dir, giveUp)
	if err != nil {
		return nil, fmt.Errorf("spool %s: %w", dir, err)
	}
	return sp, nil
}

// reloads merges SIGHUP and the caller's reload requests into one channel
// the daemon reads; stop releases the signal.
func reloads(extra <-chan struct{}) (<-chan struct{}, func()) {
	reload := make(chan struct{}, 1)
	poke := func() {
		select {
		case reload <- struct{}{}:
		default:
		}
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-hup:
				poke()
			case _, ok := <-extra:
				if !ok {
					extra = nil
					continue
				}
				poke()
			case <-done:
				return
			}
		}
	}()
	return reload, func() { signal.Stop(hup); close(done) }
}

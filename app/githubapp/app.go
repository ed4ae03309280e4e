package githubapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/app/ingest"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/gitops/ghapi"
)

// DefaultRelist is how often discovery lists everything again, in case a
// webhook was missed.
const DefaultRelist = 10 * time.Minute

// JournalSource is the ingest.Message.Source of the webhook deliveries
// the App journals: the daemon's spool replays them to Consumer.
const JournalSource = "github-webhook"

// Store is what the App uses of the store: drift records (a closed issue
// ignores its drifts), the receipts that tie an issue to its drifts, and
// the event log that makes a delivery run once across replicas.
type Store interface {
	Get(ctx context.Context, fingerprint string) (store.Record, error)
	Transition(ctx context.Context, fingerprint string, to store.Status, actor, note string, notices ...store.NewNotice) (store.Record, error)
	ReceiptsByExternalID(ctx context.Context, system, externalID string) ([]store.Receipt, error)
	RecordEvent(ctx context.Context, source, eventID string) (first bool, err error)
}

// Options configure an App.
type Options struct {
	// GitHub is the App's clients (ghapi.NewApp); required.
	GitHub *ghapi.App
	// WebhookSecret verifies X-Hub-Signature-256; required.
	WebhookSecret string
	// MaxOpenIssues is the github: block's cap, handed to the issue sink
	// with each repository; default config.DefaultGitHubMaxOpenIssues.
	MaxOpenIssues int
	// States are the server's state sources, which roots' state: names.
	States []StateSource
	// Snapshots caches repository trees at commits; required.
	Snapshots *ghapi.SnapshotCache
	// Store holds the drifts, receipts and event log; required.
	Store Store
	// Reconciler carries out /tfdrift accept, revert, ignore and recheck;
	// nil is NotAvailable.
	Reconciler Reconciler
	// Attributes lists, per resource type, the attributes the detector
	// can report (the catalog's); a repository's ignore: lines become,
	// per resource, the attributes they ignore.
	Attributes map[string][]string
	// Journal, when set, makes accepted deliveries durable before they
	// are answered (the daemon's spool.Wrap); nil keeps them in memory.
	Journal func(ingest.Handler) ingest.Handler
	// Relist is the fallback discovery interval; default DefaultRelist.
	Relist time.Duration
	// QueueSize bounds the deliveries accepted and not yet done; default
	// 1024. Past it a delivery is answered 503.
	QueueSize int
	// ReadOnly writes nothing to GitHub (no check runs): for
	// `tfdrift app status`, which only looks.
	ReadOnly bool
	// Registerer takes the App's metrics (the daemon's registry).
	Registerer prometheus.Registerer
	Logger     *slog.Logger
	Now        func() time.Time
}

// App is the GitHub App: discovery, the webhook route, lifecycle and
// commands. Its methods are safe for concurrent use.
type App struct {
	o     Options
	gh    *ghapi.App
	log   *slog.Logger
	m     *metrics
	names stateNames
	recon Reconciler

	view      atomic.Pointer[view]
	refreshMu sync.Mutex
	slug      atomic.Pointer[string]

	secret     []byte
	accept     ingest.Handler
	discoveryQ chan queued
	workQ      chan queued
	recent     *recentSet // delivery IDs answered lately
	unrouted   *recentSet // fingerprints counted unrouted

	discovered     chan struct{}
	discoveredOnce sync.Once
	relist         chan struct{}
}

// New checks o and builds the App; Run starts it.
func New(o Options) (*App, error) {
	switch {
	case o.GitHub == nil:
		return nil, errors.New("github app: no App client")
	case o.WebhookSecret == "":
		return nil, errors.New("github app: no webhook secret: every delivery would be refused")
	case o.Snapshots == nil:
		return nil, errors.New("github app: no snapshot cache")
	case o.Store == nil:
		return nil, errors.New("github app: no store: issues are written through the outbox, and deliveries are de-duplicated in the event log")
	}
	if o.Relist <= 0 {
		o.Relist = DefaultRelist
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 1024
	}
	if o.MaxOpenIssues <= 0 {
		o.MaxOpenIssues = config.DefaultGitHubMaxOpenIssues
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	a := &App{
		o: o, gh: o.GitHub, log: o.Logger.With("component", "github"), m: newMetrics(o.Registerer),
		names: newStateNames(o.States), recon: o.Reconciler,
		secret:     []byte(o.WebhookSecret),
		discoveryQ: make(chan queued, o.QueueSize),
		workQ:      make(chan queued, o.QueueSize),
		recent:     newRecentSet(4096),
		unrouted:   newRecentSet(4096),
		discovered: make(chan struct{}),
		relist:     make(chan struct{}, 1),
	}
	if a.recon == nil {
		a.recon = NotAvailable{}
	}
	a.view.Store(emptyView())
	a.accept = a.enqueue
	if o.Journal != nil {
		a.accept = o.Journal(a.enqueue)
	}
	return a, nil
}

// GitHub is the App's clients, for the issue sink and the reconciler.
func (a *App) GitHub() *ghapi.App { return a.gh }

// Discovered is closed once the first discovery has run (whether it
// succeeded or not).
func (a *App) Discovered() <-chan struct{} { return a.discovered }

// workers on the work queue: issue events and commands. Discovery has
// one of its own, so a long command never delays a push.
const workers = 2

// Run discovers, then keeps discovery fresh and works off the queued
// deliveries until ctx ends. Deliveries still queued then are left to the
// journal's replay.
func (a *App) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Go(func() { a.work(ctx, a.discoveryQ) })
	for range workers {
		wg.Go(func() { a.work(ctx, a.workQ) })
	}
	wg.Go(func() { a.discoverLoop(ctx) })
	wg.Wait()
	return nil
}

// discoverLoop discovers at start, every Relist, and when asked.
func (a *App) discoverLoop(ctx context.Context) {
	t := time.NewTicker(a.o.Relist)
	defer t.Stop()
	for {
		if err := a.refreshAll(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("github discovery failed; keeping what was known", "err", err)
		}
		a.discoveredOnce.Do(func() { close(a.discovered) })
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-a.relist:
		}
	}
}

// requestRelist asks the discovery loop to list everything now.
func (a *App) requestRelist() {
	select {
	case a.relist <- struct{}{}:
	default:
	}
}

// NewClient makes the App's clients from the github: block: the key is
// read from private_key_file or taken from private_key. transport is the
// base HTTP transport (nil is the default one).
func NewClient(g config.GitHub, opts ghapi.Options) (*ghapi.App, error) {
	key := []byte(g.PrivateKey)
	if g.PrivateKeyFile != "" {
		var err error
		if key, err = os.ReadFile(g.PrivateKeyFile); err != nil {
			return nil, fmt.Errorf("github.private_key_file: %w", err)
		}
	}
	if opts.APIURL == "" {
		opts.APIURL = g.APIURL
	}
	return ghapi.NewApp(g.AppID, key, opts)
}

package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvPostgres names an existing server to test against instead of
// starting one: a postgres:// URL whose role may CREATE DATABASE.
const EnvPostgres = "TFDRIFT_TEST_POSTGRES"

// installHint is the failure message when no server can be had. The
// Postgres tests fail rather than skip: CI installs the binaries, and a
// silently skipped suite would hide the replica guarantees.
const installHint = `Postgres server binaries (initdb, postgres) not found in PATH or /usr/lib/postgresql/*/bin.
Install them (Debian/Ubuntu: apt-get install postgresql) or set ` + EnvPostgres + `=postgres://user@host:5432/db
to use an existing server whose role may create databases`

// Server is a throwaway Postgres cluster in a temporary directory,
// listening only on a unix socket there, with fsync off. It is a child of
// the test process and is killed with it.
type Server struct {
	dir  string // temp dir: data/ and the socket
	cmd  *exec.Cmd
	done chan struct{} // closed when the postgres process exits
	log  *os.File
	// base is the URL of the "postgres" database; NewDatabase varies it.
	base *url.URL

	stopOnce sync.Once
	stopErr  error
}

// binDir finds initdb and postgres: PATH first, then Debian's versioned
// directories (Debian's postgresql package keeps them off PATH), newest
// version first.
func binDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "postgres")); err == nil {
			return dir, nil
		}
		// /usr/local/bin/initdb may be a symlink into the real directory.
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Dir(real), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	for _, d := range append(dirs, "/usr/local/pgsql/bin") {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New(installHint)
}

func pgVersion(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// runAs returns the credential to run Postgres with: Postgres refuses to
// run as root, so as root it runs as the "postgres" system user (which
// Debian's package creates).
func runAs() (*syscall.Credential, *user.User, error) {
	if os.Geteuid() != 0 {
		return nil, nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, nil, fmt.Errorf("running as root, and Postgres will not: no \"postgres\" user to run it as (%v); create one with: useradd --system --user-group --home-dir /var/lib/postgresql postgres", err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, u, nil
}

// StartServer initialises and starts a throwaway cluster. Stop it with
// Stop. Start-up takes a second or two (initdb dominates).
func StartServer(ctx context.Context) (*Server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	cred, _, err := runAs()
	if err != nil {
		return nil, err
	}
	// Not t.TempDir: that directory's parents are private to the test
	// process's user, and the server may run as another user. A short
	// path also keeps the socket path under the 107-byte limit.
	dir, err := os.MkdirTemp("", "tfdrift-pg-")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir, done: make(chan struct{})}
	fail := func(err error) (*Server, error) {
		s.Stop()
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return fail(fmt.Errorf("chown %s: %w", dir, err))
		}
	}
	data := filepath.Join(dir, "data")
	var out bytes.Buffer
	initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"),
		"-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync")
	initdb.Env = pgEnv()
	initdb.Stdout, initdb.Stderr = &out, &out
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if err := initdb.Run(); err != nil {
		return fail(fmt.Errorf("initdb: %w\n%s", err, out.String()))
	}

	s.log, err = os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		return fail(err)
	}
	s.cmd = exec.Command(filepath.Join(bin, "postgres"),
		"-D", data,
		"-k", dir, // the socket lives next to the data directory
		"-c", "listen_addresses=",
		"-c", "fsync=off",
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
		"-c", "max_connections=200",
		"-c", "shared_buffers=32MB",
	)
	s.cmd.Env = pgEnv()
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	// Pdeathsig: if the test binary dies (timeout, kill -9), the kernel
	// sends the server SIGQUIT, its immediate shutdown, so no orphan
	// postmaster outlives the test run.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
	// Pdeathsig fires when the *thread* that forked exits, and Go may
	// retire threads. So fork from a goroutine locked to its thread, and
	// keep that goroutine (and thread) alive in Wait for the server's life.
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := s.cmd.Start(); err != nil {
			started <- err
			close(s.done)
			return
		}
		started <- nil
		s.cmd.Wait() //nolint:errcheck // exit status is in the log
		close(s.done)
	}()
	if err := <-started; err != nil {
		s.cmd = nil
		return fail(fmt.Errorf("start postgres: %w", err))
	}

	s.base = &url.URL{Scheme: "postgres", User: url.User("postgres"), Path: "/postgres",
		RawQuery: url.Values{"host": {dir}, "sslmode": {"disable"}}.Encode()}
	if err := s.waitReady(ctx, 60*time.Second); err != nil {
		return fail(err)
	}
	return s, nil
}

func pgEnv() []string {
	return []string{"PATH=/usr/bin:/bin", "LC_ALL=C", "LANG=C"}
}

// waitReady polls until the server accepts connections.
func (s *Server) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("postgres exited during start-up:\n%s", s.logTail())
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgx.Connect(cctx, s.base.String())
		cancel()
		if err == nil {
			conn.Close(ctx)
			return nil
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("postgres not ready after %v: %v\n%s", limit, last, s.logTail())
}

func (s *Server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// URL is the DSN of the "postgres" maintenance database.
func (s *Server) URL() string { return s.base.String() }

// Stop shuts the server down (fast shutdown, then kill) and removes its
// directory. It is safe to call more than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		if s.cmd != nil && s.cmd.Process != nil {
			s.cmd.Process.Signal(syscall.SIGINT) //nolint:errcheck // may have exited
			select {
			case <-s.done:
			case <-time.After(30 * time.Second):
				s.cmd.Process.Kill() //nolint:errcheck
				<-s.done
			}
		}
		if s.log != nil {
			s.log.Close()
		}
		s.stopErr = os.RemoveAll(s.dir)
	})
	return s.stopErr
}

// NewDatabase creates an empty database on the server named by admin (a
// postgres:// URL) and returns its URL. tb.Cleanup drops it.
func newDatabase(tb testing.TB, admin *url.URL, name string) string {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		tb.Fatalf("storetest: connect to %s: %v", admin.Redacted(), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		tb.Fatalf("storetest: create database %s on %s: %v", name, admin.Redacted(), err)
	}
	tb.Cleanup(func() {
		conn, err := pgx.Connect(ctx, admin.String())
		if err != nil {
			tb.Errorf("storetest: drop database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		// FORCE: a store the test forgot to close must not fail the drop.
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			tb.Errorf("storetest: drop database %s: %v", name, err)
		}
	})
	u := *admin
	u.Path = "/" + name
	return u.String()
}

// shared is the server Main starts lazily for a whole test binary.
var shared struct {
	mu      sync.Mutex
	enabled bool
	srv     *Server
	err     error
}

// dbSeq numbers databases across servers so names never collide on an
// external server shared by several test binaries (the pid separates
// binaries).
var dbSeq atomic.Int64

// Postgres returns the URL of a fresh, empty database for tb, dropped in
// tb.Cleanup. It uses, in order: the server named by TFDRIFT_TEST_POSTGRES;
// the binary-wide server when the package's TestMain runs Main (one
// start-up for all tests); else a server of its own, stopped in
// tb.Cleanup. With none of those possible it fails tb with how to install
// Postgres.
func Postgres(tb testing.TB) string {
	tb.Helper()
	requireTag(tb)
	name := fmt.Sprintf("tfdrift_test_%d_%d", os.Getpid(), dbSeq.Add(1))
	if env := os.Getenv(EnvPostgres); env != "" {
		u, err := url.Parse(env)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			tb.Fatalf("storetest: %s must be a postgres:// URL", EnvPostgres)
		}
		return newDatabase(tb, u, name)
	}
	shared.mu.Lock()
	if shared.enabled {
		if shared.srv == nil && shared.err == nil {
			shared.srv, shared.err = StartServer(context.Background())
		}
		srv, err := shared.srv, shared.err
		shared.mu.Unlock()
		if err != nil {
			tb.Fatalf("storetest: %v", err)
		}
		return newDatabase(tb, srv.base, name)
	}
	shared.mu.Unlock()
	return newDatabase(tb, ownServer(tb).base, name)
}

// requireTag fails tb in a test binary built without -tags e2e: there
// Postgres is not wanted (make test-short needs no Postgres binaries), and
// a test that asks for it belongs in a file tagged e2e or should range
// over Engines.
func requireTag(tb testing.TB) {
	tb.Helper()
	if !WithPostgres {
		tb.Fatalf("storetest: Postgres is for test binaries built with -tags e2e (make test): range over storetest.Engines, or tag the test's file e2e")
	}
}

// ownServer starts a server for tb alone, stopped in tb.Cleanup.
func ownServer(tb testing.TB) *Server {
	tb.Helper()
	srv, err := StartServer(context.Background())
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	tb.Cleanup(func() {
		if err := srv.Stop(); err != nil {
			tb.Errorf("storetest: stop postgres: %v", err)
		}
	})
	return srv
}

// Databases returns a function that creates fresh, empty Postgres
// databases (each dropped in its test's Cleanup), all on one server that
// lives as long as tb: the server named by TFDRIFT_TEST_POSTGRES, the
// binary-wide one under Main, or one started now and stopped in
// tb.Cleanup. It is for a test that needs several databases in a package
// without a TestMain.
func Databases(tb testing.TB) func(testing.TB) string {
	tb.Helper()
	requireTag(tb)
	shared.mu.Lock()
	enabled := shared.enabled
	shared.mu.Unlock()
	if os.Getenv(EnvPostgres) != "" || enabled {
		return Postgres
	}
	srv := ownServer(tb)
	return func(t testing.TB) string {
		t.Helper()
		return newDatabase(t, srv.base, fmt.Sprintf("tfdrift_test_%d_%d", os.Getpid(), dbSeq.Add(1)))
	}
}

// Main runs a package's tests with one shared Postgres server, started on
// first use and stopped when the tests end. Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }
func Main(m *testing.M) int {
	shared.mu.Lock()
	shared.enabled = true
	shared.mu.Unlock()
	code := m.Run()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.srv != nil {
		if err := shared.srv.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "storetest: stop postgres: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// SQLite returns a sqlite:// DSN for a new database file in tb's temp dir.
func SQLite(tb testing.TB) string {
	tb.Helper()
	return "sqlite://" + filepath.Join(tb.TempDir(), "tfdrift.db")
}

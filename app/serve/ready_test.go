package serve

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/internal/eventually"
)

func (s *server) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + s.addr + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// postStatus posts one alert and returns the status and Retry-After.
func (s *server) postStatus(t *testing.T, alert []byte) (int, string) {
	t.Helper()
	resp, err := http.Post("http://"+s.addr+"/falco", "application/json", bytes.NewReader(alert))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

// drifts are the drifts serve printed.
func (s *server) drifts(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	text := s.out.String()
	text = text[:strings.LastIndexByte(text, '\n')+1] // whole lines only
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		if l == "" {
			continue
		}
		var d map[string]any
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			t.Fatalf("drift line %q: %v", l, err)
		}
		out = append(out, d)
	}
	return out
}

// TestServeStateMissingAtStart is issue 14's first finding, end to end:
// serve started with a state it cannot load (missing, then truncated)
// keeps running, not ready, says so, and journals the alerts posted
// meanwhile; once the state is there they are decided against it: the
// managed resource's edit is a drift, nothing is counted not_in_state,
// and no managed resource is reported as an unmanaged creation.
func TestServeStateMissingAtStart(t *testing.T) {
	sc := extract(t)
	good, err := os.ReadFile(sc.State)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(sc.State); err != nil {
		t.Fatal(err)
	}
	alerts, err := sc.FalcoAlerts()
	if err != nil {
		t.Fatal(err)
	}
	db := "sqlite://" + filepath.Join(t.TempDir(), "tfdrift.db") // its spool beside it
	s := startServe(t, "--state", sc.State, "--repo", sc.Repo, "--database", db)
	if code, body := s.get(t, "/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, sc.State) {
		t.Errorf("/readyz without the state: %d %q", code, body)
	}
	if !strings.Contains(s.errb.String(), `"msg":"state not loaded`) || !strings.Contains(s.errb.String(), "no such file") {
		t.Errorf("serve did not say the state is not loaded:\n%s", s.errb.String())
	}
	for i, a := range alerts {
		if code, _ := s.postStatus(t, a); code != http.StatusAccepted && code != http.StatusOK {
			t.Fatalf("alert %d before the state loads: %d, want 202", i, code)
		}
	}
	// Truncated: still not loaded, still nothing decided.
	if err := os.WriteFile(sc.State, good[:len(good)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	eventually.Within(t, 20*time.Second, "the parse error", func() bool {
		_, body := s.get(t, "/readyz")
		return strings.Contains(body, "parse")
	})
	if _, m := s.get(t, "/metrics"); decidedAny(m) || len(s.drifts(t)) != 0 {
		t.Fatalf("decided before the state loaded:\n%s\n%s", grepLines(m, "tfdrift_events_processed_total"), s.out.String())
	}

	if err := os.WriteFile(sc.State, good, 0o644); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if t.Failed() {
			t.Logf("stderr:\n%s\nstdout:\n%s", s.errb.String(), s.out.String())
		}
	}()
	eventually.Within(t, 30*time.Second, "the managed resource's drift", func() bool {
		for _, d := range s.drifts(t) {
			if d["resource_address"] == "aws_instance.app_server" && d["change_type"] == "modified" {
				return true
			}
		}
		return false
	})
	if code, body := s.get(t, "/readyz"); code != http.StatusOK {
		t.Errorf("/readyz with the state: %d %q", code, body)
	}
	_, m := s.get(t, "/metrics")
	if l := grepLines(m, `outcome="not_in_state"`); l != "" && !strings.HasSuffix(strings.TrimSpace(l), " 0") {
		t.Errorf("alerts counted not_in_state:\n%s", grepLines(m, "not_in_state"))
	}
	for _, d := range s.drifts(t) {
		if d["change_type"] == "created" && d["resource_address"] != "" && d["resource_address"] != nil {
			t.Errorf("a managed resource reported as an unmanaged creation: %v", d)
		}
	}
}

// Without a spool (--database memory) there is nowhere to keep an alert
// until the state loads: 503 with Retry-After, then 202 once loaded.
func TestServeStateMissingWithoutSpool(t *testing.T) {
	sc := extract(t)
	good, err := os.ReadFile(sc.State)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(sc.State); err != nil {
		t.Fatal(err)
	}
	alert, err := os.ReadFile(filepath.Join(sc.Dir, "events", "falco-alerts.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	s := startServe(t, "--state", sc.State, "--repo", sc.Repo, "--database", "memory")
	if code, retry := s.postStatus(t, alert); code != http.StatusServiceUnavailable || retry == "" {
		t.Errorf("before the state loads: %d, Retry-After %q; want 503 with Retry-After", code, retry)
	}
	if err := os.WriteFile(sc.State, good, 0o644); err != nil {
		t.Fatal(err)
	}
	eventually.Within(t, 30*time.Second, "ready", func() bool { code, _ := s.get(t, "/readyz"); return code == http.StatusOK })
	if code, _ := s.postStatus(t, alert); code != http.StatusAccepted {
		t.Errorf("after the state loaded: %d, want 202", code)
	}
	eventually.Within(t, 15*time.Second, "the drift", func() bool { return strings.Contains(s.out.String(), "aws_instance.workers[1]") })
}

// TestServeDefaultDatabaseIsDurable is issue 14's finding 22: the quick
// start (no --database) keeps its records in tfdrift.db in the working
// directory, with its spool beside it; --database memory keeps none.
func TestServeDefaultDatabaseIsDurable(t *testing.T) {
	sc := extract(t)
	alert, err := os.ReadFile(filepath.Join(sc.Dir, "events", "falco-alerts.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	wd := t.TempDir()
	t.Chdir(wd)
	s := startServe(t, "--state", sc.State, "--repo", sc.Repo)
	s.post(t, alert)
	eventually.Within(t, 15*time.Second, "the drift", func() bool { return strings.Contains(s.out.String(), "aws_instance.workers[1]") })
	s.stop(t)
	st, err := store.Open(context.Background(), filepath.Join(wd, "tfdrift.db"), store.MustExist())
	if err != nil {
		t.Fatalf("no store in the working directory: %v", err)
	}
	defer st.Close()
	page, err := st.List(context.Background(), store.Filter{})
	if err != nil || len(page.Records) != 1 {
		t.Errorf("records in the default store: %d, %v; want 1", len(page.Records), err)
	}
	if fi, err := os.Stat(filepath.Join(wd, "spool")); err != nil || !fi.IsDir() {
		t.Errorf("no spool beside the default store: %v", err)
	}

	mem := t.TempDir()
	t.Chdir(mem)
	s = startServe(t, "--state", sc.State, "--repo", sc.Repo, "--database", "memory")
	s.post(t, alert)
	eventually.Within(t, 15*time.Second, "the drift", func() bool { return strings.Contains(s.out.String(), "aws_instance.workers[1]") })
	s.stop(t)
	if ents, _ := os.ReadDir(mem); len(ents) != 0 {
		t.Errorf("--database memory wrote %v", ents)
	}
	// The GitHub App's snapshots go beside the default store too.
	if dir, err := snapshotDir(DefaultDatabase); err != nil || dir != "snapshots" {
		t.Errorf("snapshotDir(%s) = %q, %v; want snapshots (beside tfdrift.db)", DefaultDatabase, dir, err)
	}
}

// TestServeCorruptStoreNotReady is issue 14's finding 10: a SQLite page
// damaged while serve runs makes /readyz fail, naming the store, and
// serve logs it.
func TestServeCorruptStoreNotReady(t *testing.T) {
	sc := extract(t)
	path := filepath.Join(t.TempDir(), "tfdrift.db")
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	var root, pageSize int64
	if _, err := raw.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRow("SELECT rootpage FROM sqlite_master WHERE name = 'drifts'").Scan(&root); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRow("PRAGMA page_size").Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	s := startServe(t, "--state", sc.State, "--repo", sc.Repo, "--database", "sqlite://"+path)
	eventually.Within(t, 15*time.Second, "ready", func() bool { code, _ := s.get(t, "/readyz"); return code == http.StatusOK })
	if _, body := s.get(t, "/readyz"); !strings.Contains(body, "store: ok") {
		t.Errorf("/readyz does not report the store: %q", body)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(bytes.Repeat([]byte{0x0d, 0xff, 0x00, 0x7f}, int(pageSize)/4), (root-1)*pageSize); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var body string
	eventually.Within(t, 20*time.Second, "/readyz to fail", func() bool {
		var code int
		code, body = s.get(t, "/readyz")
		return code == http.StatusServiceUnavailable
	})
	if !strings.Contains(body, "store: ") || !strings.Contains(body, "damaged") {
		t.Errorf("/readyz with a damaged store: %q", body)
	}
	if !strings.Contains(s.errb.String(), `"msg":"readiness check failed: not ready","check":"store"`) {
		t.Errorf("serve did not log the damaged store:\n%s", s.errb.String())
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// decidedAny reports whether a /metrics page counts any decided event: every
// outcome's series exists from the start at 0, so only a non-zero one counts.
func decidedAny(metrics string) bool {
	for _, l := range strings.Split(metrics, "\n") {
		if strings.HasPrefix(l, "tfdrift_events_processed_total{") && !strings.HasSuffix(l, " 0") {
			return true
		}
	}
	return false
}

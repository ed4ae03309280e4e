//go:build e2e

// This file drives a real Chromium (chromedp) over the package's
// unexported test fixtures, so it stays here under the e2e tag: make test
// runs it, make test-short does not (docs/ARCHITECTURE.md, Testing).

package statuspage

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector/drift"
)

// chromiumHint is the failure when no browser is installed: the browser
// test fails rather than skips, like the Terraform tests, so that CI
// cannot pass without it (.ci/run installs it).
const chromiumHint = `chromium not found in PATH: the status page's browser test needs it.
Install it (Debian/Ubuntu): apt-get install -y --no-install-recommends chromium fonts-liberation`

// envArtifacts names a directory that receives a copy of the screenshot,
// for CI to keep.
const envArtifacts = "TFDRIFT_ARTIFACTS"

// TestBrowser loads the page in headless Chromium over a real SQLite
// store and checks, through the DOM: authentication, the rows and their
// groups, the links, the chart, the filter form, pagination, that the
// stylesheet applied under the CSP, and that no hostile value ran. It
// keeps a screenshot.
func TestBrowser(t *testing.T) {
	exe := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	ds := append(fixedDataset(), hostileDataset()[0])
	st := recordDataset(t, ctx, ds)
	_, links := ds.fakes(t)
	auth := Auth{Secrets: []string{secret}}
	main := httptest.NewServer(newTestHandler(t, st, links, Options{Auth: auth}))
	defer main.Close()
	paged := httptest.NewServer(newTestHandler(t, st, links, Options{Auth: auth, PageSize: 3}))
	defer paged.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.WindowSize(1280, 900), chromedp.DisableGPU)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to run as root with its sandbox
	}
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()

	// Every console message, CSP report and dialog the page causes.
	var mu sync.Mutex
	var console []string
	dialogs := 0
	must(t, "start the browser", chromedp.Do(bctx, chromedp.Navigate("about:blank")))
	must(t, "listen", chromedp.Listen(bctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *log.EventEntryAdded:
			console = append(console, string(ev.Entry.Source)+": "+ev.Entry.Text)
		case *runtime.EventConsoleAPICalled:
			console = append(console, "console."+string(ev.Type))
		case *runtime.EventExceptionThrown:
			console = append(console, "exception: "+ev.ExceptionDetails.Text)
		case *page.EventJavascriptDialogOpening:
			dialogs++
		}
	}))

	// Without the secret the page is refused; with it, typed at the
	// browser's password prompt (Basic), it shows.
	prompt := newPasswordPrompt(t, bctx)
	resp, err := chromedp.Run(bctx, chromedp.NavigateResponse(main.URL+"/"))
	must(t, "navigate", err)
	if resp.Status != http.StatusUnauthorized {
		t.Fatalf("without the secret: status %d, want 401", resp.Status)
	}
	prompt.type_(secret)
	resp, err = chromedp.Run(bctx, chromedp.NavigateResponse(main.URL+"/"))
	must(t, "navigate", err)
	if resp.Status != http.StatusOK {
		t.Fatalf("with the secret: status %d, want 200", resp.Status)
	}
	if got := prompt.seen(); len(got) < 2 || got[0] != "basic tfdrift cancel" || got[len(got)-1] != "basic tfdrift ok" {
		t.Errorf("password prompts %q, want a Basic prompt for realm tfdrift, cancelled, then answered", got)
	}

	// Rows and groups.
	hostile := len(ds) - 1
	wantRows := ds.fingerprintsOf(hostile, 0, 1, 2, 8, 3, 4, 5)
	wantRows[0], wantRows[1] = wantRows[1], wantRows[0] // acme/infra sorts before acme/infra"><script>
	if got := evalJS[[]string](t, bctx, `[...document.querySelectorAll("tr.drift")].map(tr => tr.dataset.fingerprint)`); !slices.Equal(got, wantRows) {
		t.Errorf("rows %v\nwant %v", got, wantRows)
	}
	wantGroups := slices.Insert(slices.Clone(fixedGroups), 1, `critical acme/infra"><script> 111111111111 1`)
	gotGroups := evalJS[[]string](t, bctx, `[...document.querySelectorAll("table.drifts")].map(tb =>
		[tb.closest("section").dataset.severity, tb.dataset.repo, tb.dataset.account, tb.querySelectorAll("tr.drift").length].join(" "))`)
	if diff := cmp.Diff(wantGroups, gotGroups); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	if got := evalJS[[]string](t, bctx, `[...document.querySelectorAll("section h2")].map(h => h.textContent)`); !slices.Equal(got,
		[]string{"Critical 2", "High 2", "Medium 2", "Low 1", "Info 1"}) {
		t.Errorf("section headings %q", got)
	}

	// Links: the issue, the PR and the permalink of the first drift; no
	// link anywhere that is not http(s).
	first := ds[0].drift().Fingerprint
	gotLinks := evalJS[[]string](t, bctx, `[...document.querySelectorAll('tr[data-fingerprint="`+first+`"] ul.links a')].map(a => a.closest("li").className + " " + a.href)`)
	wantLinks := []string{
		"link-issue https://github.com/acme/infra/issues/12",
		"link-pull https://github.com/acme/infra/pull/13",
		"link-code https://github.com/acme/infra/blob/" + sha + "/prod/iam.tf#L12-L30",
	}
	if diff := cmp.Diff(wantLinks, gotLinks); diff != "" {
		t.Errorf("links of %s (-want +got):\n%s", first, diff)
	}
	for _, href := range evalJS[[]string](t, bctx, `[...document.querySelectorAll("a")].map(a => a.href)`) {
		if !strings.HasPrefix(href, main.URL+"/?") && !strings.HasPrefix(href, "https://github.com/") {
			t.Errorf("link %q is neither the page's own nor GitHub's", href)
		}
	}

	// Hostile values are text: no script element, the markup shows as
	// typed, and nothing opened a dialog.
	if n := evalJS[int](t, bctx, `document.querySelectorAll("script, img, [onerror], [onmouseover], [onclick]").length`); n != 0 {
		t.Errorf("%d script, image or handler elements in the page", n)
	}
	hostileText := evalJS[string](t, bctx, `document.querySelector('tr[data-fingerprint="`+ds[hostile].drift().Fingerprint+`"]').textContent`)
	for _, s := range []string{`aws_s3_bucket.b["<script>alert(1)</script>"]`, `"><img src=x onerror=alert(3)>`, "javascript:alert(4)"} {
		if !strings.Contains(hostileText, s) {
			t.Errorf("hostile row lacks the text %q: %q", s, hostileText)
		}
	}

	// The stylesheet applied, so the CSP's hash admits it.
	if got := evalJS[string](t, bctx, `getComputedStyle(document.querySelector(".sev-critical h2")).borderLeftColor`); got != "rgb(130, 7, 30)" {
		t.Errorf("critical heading border %q, want rgb(130, 7, 30): the stylesheet did not apply", got)
	}

	// The chart: 30 bars with accessible titles; today holds two drifts.
	bars := evalJS[[]string](t, bctx, `[...document.querySelectorAll("#chart svg g.day")].map(g => g.querySelector("title").textContent)`)
	if len(bars) != chartDays || bars[chartDays-1] != "2026-03-14: 2 drifts" || bars[0] != "2026-02-13: 0 drifts" {
		t.Errorf("chart bars %q", bars)
	}
	if got := evalJS[string](t, bctx, `document.querySelector("#chart svg").getAttribute("aria-labelledby") + " | " + document.getElementById("chart-desc").textContent`); got != "chart-title chart-desc | 9 drifts first detected from 2026-02-13 to 2026-03-14" {
		t.Errorf("chart labels %q", got)
	}

	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	must(t, "screenshot", err)
	keepScreenshot(t, shot)

	// The filter form: high and above, address containing security_group.
	must(t, "fill the form", chromedp.Do(bctx,
		chromedp.SetValue(chromedp.CSS(`select[name="severity"]`), "high"),
		chromedp.SendKeys(chromedp.CSS(`input[name="q"]`), "security_group")))
	resp, err = chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
	must(t, "submit the form", err)
	if resp.Status != http.StatusOK || !strings.Contains(resp.URL, "severity=high") || !strings.Contains(resp.URL, "q=security_group") {
		t.Errorf("form submitted to %s: %d", resp.URL, resp.Status)
	}
	if got := evalJS[[]string](t, bctx, `[...document.querySelectorAll("tr.drift")].map(tr => tr.dataset.fingerprint)`); !slices.Equal(got, ds.fingerprintsOf(1, 2)) {
		t.Errorf("filtered rows %v, want %v", got, ds.fingerprintsOf(1, 2))
	}
	// A bad value typed into the form is refused with the message, as text.
	must(t, "type a bad repository", chromedp.Do(bctx, chromedp.SetValue(chromedp.CSS(`input[name="repo"]`), `<b>x</b>`)))
	resp, err = chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
	must(t, "submit the form", err)
	if msg := evalJS[string](t, bctx, `document.querySelector(".error").textContent`); resp.Status != 400 || !strings.Contains(msg, `"<b>x</b>" is not a repository name`) {
		t.Errorf("bad repository: status %d, message %q", resp.Status, msg)
	}

	// Pagination: follow "Next page" to the end; every unresolved drift
	// shows exactly once.
	_, err = chromedp.Run(bctx, chromedp.NavigateResponse(paged.URL+"/"))
	must(t, "navigate", err)
	var seen []string
	for pages := 1; ; pages++ {
		seen = append(seen, evalJS[[]string](t, bctx, `[...document.querySelectorAll("tr.drift")].map(tr => tr.dataset.fingerprint)`)...)
		if evalJS[int](t, bctx, `document.querySelectorAll('a[rel="next"]').length`) == 0 {
			if pages != 3 {
				t.Errorf("%d pages of 3 for 8 drifts", pages)
			}
			break
		}
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		_, err := chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(`a[rel="next"]`)))
		must(t, "follow Next page", err)
	}
	slices.Sort(seen)
	slices.Sort(wantRows)
	if diff := cmp.Diff(wantRows, seen); diff != "" {
		t.Errorf("drifts over the pages (-want +got):\n%s", diff)
	}

	mu.Lock()
	defer mu.Unlock()
	for _, m := range console {
		if strings.Contains(m, "Content Security Policy") || strings.HasPrefix(m, "exception") || strings.HasPrefix(m, "console.") {
			t.Errorf("browser console: %s", m)
		}
	}
	if dialogs != 0 {
		t.Errorf("%d JavaScript dialogs opened", dialogs)
	}
}

// passwordPrompt answers the browser's Basic authentication prompts as a
// person would: cancel while it knows no password (the 401 page shows),
// then type the password. It intercepts requests with the Fetch domain,
// which is how DevTools sees a prompt in a headless browser.
type passwordPrompt struct {
	mu       sync.Mutex
	password string
	prompts  []string
}

func newPasswordPrompt(t *testing.T, ctx context.Context) *passwordPrompt {
	p := &passwordPrompt{}
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	challenged := chromedp.Events(ctx, fetch.AuthRequired)
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
		}
	}()
	go func() {
		for ev, err := range challenged {
			if err != nil {
				return
			}
			p.mu.Lock()
			answer := &fetch.AuthChallengeResponse{Response: fetch.AuthChallengeResponseResponseCancelAuth}
			what := "cancel"
			if p.password != "" {
				answer = &fetch.AuthChallengeResponse{Response: fetch.AuthChallengeResponseResponseProvideCredentials,
					Username: "ops", Password: p.password}
				what = "ok"
			}
			p.prompts = append(p.prompts, strings.ToLower(ev.AuthChallenge.Scheme)+" "+ev.AuthChallenge.Realm+" "+what)
			p.mu.Unlock()
			_, _ = chromedp.Call(ctx, fetch.ContinueWithAuth, fetch.ContinueWithAuthParams{RequestID: ev.RequestID, AuthChallengeResponse: answer})
		}
	}()
	_, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{HandleAuthRequests: new(true)})
	must(t, "intercept password prompts", err)
	return p
}

func (p *passwordPrompt) type_(password string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.password = password
}

func (p *passwordPrompt) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.prompts)
}

// chromiumPath finds the browser or fails with the install command.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal(chromiumHint)
	return ""
}

// recordDataset writes ds into a fresh SQLite store the way serve does:
// RecordDrift at each sighting's time (a drift seen count times is
// recorded count times), then the status moves people make.
func recordDataset(t *testing.T, ctx context.Context, ds dataset) store.Store {
	t.Helper()
	var mu sync.Mutex
	now := testNow // the migrations are stamped with it
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "tfdrift.db"), store.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	// Record in time order, as the daemon would meet them.
	order := slices.Clone(ds)
	slices.SortStableFunc(order, func(a, b *entry) int { return a.record(0).FirstSeen.Compare(b.record(0).FirstSeen) })
	for _, e := range order {
		r := e.record(0)
		n := max(int(r.Count), 1)
		for i := range n {
			mu.Lock()
			now = r.FirstSeen.Add(time.Duration(i) * r.LastSeen.Sub(r.FirstSeen) / time.Duration(max(n-1, 1)))
			mu.Unlock()
			if _, _, err := st.RecordDrift(ctx, e.drift(), nil); err != nil {
				t.Fatal(err)
			}
		}
		if r.Status != store.StatusOpen {
			if _, err := st.Transition(ctx, r.Fingerprint, r.Status, "alice", "test"); err != nil {
				t.Fatal(err)
			}
		}
		got, err := st.Get(ctx, r.Fingerprint)
		if err != nil {
			t.Fatal(err)
		}
		if !got.FirstSeen.Equal(r.FirstSeen) || !got.LastSeen.Equal(r.LastSeen) || got.Count != r.Count || got.Severity != severityOr(r.Severity) {
			t.Fatalf("stored %s: first %v last %v count %d severity %s, want %v %v %d %s",
				r.ResourceAddress, got.FirstSeen, got.LastSeen, got.Count, got.Severity, r.FirstSeen, r.LastSeen, r.Count, r.Severity)
		}
	}
	return st
}

func severityOr(s drift.Severity) drift.Severity {
	if s == "" {
		return drift.DefaultSeverity
	}
	return s
}

// evalJS reads the DOM with a JavaScript expression run by DevTools (the
// page's CSP forbids the page's own scripts, not the debugger's).
func evalJS[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// keepScreenshot checks the PNG and writes it to the test's artifact
// directory (kept with go test -artifacts) and, when TFDRIFT_ARTIFACTS is
// set, copies it there.
func keepScreenshot(t *testing.T, shot []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() < 600 {
		t.Errorf("screenshot is %dx%d, want the 1280-wide full page", b.Dx(), b.Dy())
	}
	dirs := []string{t.ArtifactDir()}
	if d := os.Getenv(envArtifacts); d != "" {
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(d, "statuspage.png")
		if err := os.WriteFile(p, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", p)
	}
}

package serve

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/job"
)

// notMetrics are tfdrift_ names the docs use for something other than a
// metric.
var notMetrics = map[string]string{
	"tfdrift_rules":             "deploy/falco/tfdrift_rules.yaml, a file",
	"tfdrift_aws_lambda_events": "a Falco list in the generated rules",
	"tfdrift_":                  "tfdrift_<os>_<arch>, a release asset name",
}

// githubOnly: the GitHub App's metrics are registered only with a github:
// block, which the quick start does not have (docs/github-app.md says so).
func githubOnly(name string) bool { return strings.HasPrefix(name, "tfdrift_github_") }

// documentedMetrics are the tfdrift_ names in README.md and docs/*.md,
// with the files that name them.
func documentedMetrics(t *testing.T) map[string][]string {
	t.Helper()
	files, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "../../README.md")
	re := regexp.MustCompile(`tfdrift_[a-z_]+`)
	out := map[string][]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range re.FindAllString(string(b), -1) {
			if _, skip := notMetrics[n]; skip {
				continue
			}
			if !slices.Contains(out[n], filepath.Base(f)) {
				out[n] = append(out[n], filepath.Base(f))
			}
		}
	}
	return out
}

// TestDocumentedMetricsPresent starts the README's quick start and checks
// that every metric README.md and docs/*.md name is on /metrics from the
// start, before any event: a listed metric exists.
func TestDocumentedMetricsPresent(t *testing.T) {
	documented := documentedMetrics(t)
	if len(documented) < 10 {
		t.Fatalf("found only %d metric names in the docs: %v", len(documented), documented)
	}
	sc := extract(t)
	// The quick start keeps its store in the working directory
	// (tfdrift.db, spool/): an empty one, never the package's.
	t.Chdir(t.TempDir())
	started := make(chan string, 1)
	errb := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- runArgs(ctx, job.Env{Stdout: io.Discard, Stderr: errb},
			[]string{"--listen", "127.0.0.1:0", "--state", sc.State, "--repo", sc.Repo, "--format", "json"},
			func(a *Args) { a.Started = func(addr string) { started <- addr } })
	}()
	defer func() {
		cancel()
		<-done
	}()
	var addr string
	select {
	case addr = <-started:
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, errb.String())
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start")
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	present := map[string]bool{}
	for _, l := range strings.Split(string(body), "\n") {
		if rest, ok := strings.CutPrefix(l, "# TYPE "); ok {
			present[strings.Fields(rest)[0]] = true
		}
	}
	var names []string
	for n := range documented {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if githubOnly(n) {
			continue
		}
		if !present[n] {
			t.Errorf("%s is listed in %s but not on /metrics of a started quick start", n, strings.Join(documented[n], ", "))
		}
	}
}

// TestServeMetricsAuth: on a listener that is not loopback, /metrics and
// /readyz refuse a request without /falco's secret; --metrics-listen
// serves them on their own address, without it.
func TestServeMetricsAuth(t *testing.T) {
	const secret = "0123456789abcdef-secret"
	sc := extract(t)
	t.Chdir(t.TempDir()) // the default store goes in the working directory
	for _, withMetricsListen := range []bool{false, true} {
		t.Run(map[bool]string{false: "main listener", true: "metrics listener"}[withMetricsListen], func(t *testing.T) {
			started, mstarted := make(chan string, 1), make(chan string, 1)
			errb := &lockedBuffer{}
			ctx, cancel := context.WithCancel(context.Background())
			args := []string{"--listen", "0.0.0.0:0", "--state", sc.State, "--falco-secret", secret}
			if withMetricsListen {
				args = append(args, "--metrics-listen", "127.0.0.1:0")
			}
			done := make(chan int, 1)
			go func() {
				done <- runArgs(ctx, job.Env{Stdout: io.Discard, Stderr: errb}, args, func(a *Args) {
					a.Started = func(addr string) { started <- addr }
					a.MetricsStarted = func(addr string) { mstarted <- addr }
				})
			}()
			defer func() {
				cancel()
				if code := <-done; code != 0 {
					t.Errorf("serve exited %d: %s", code, errb.String())
				}
			}()
			var addr string
			select {
			case addr = <-started:
			case code := <-done:
				t.Fatalf("serve exited %d: %s", code, errb.String())
			case <-time.After(10 * time.Second):
				t.Fatal("serve did not start")
			}
			main := "http://127.0.0.1:" + addr[strings.LastIndexByte(addr, ':')+1:]
			get := func(url, bearer string) int {
				t.Helper()
				req, _ := http.NewRequest(http.MethodGet, url, nil)
				if bearer != "" {
					req.Header.Set("Authorization", "Bearer "+bearer)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				return resp.StatusCode
			}
			if !withMetricsListen {
				for _, p := range []string{"/metrics", "/readyz"} {
					if c := get(main+p, ""); c != http.StatusUnauthorized {
						t.Errorf("%s without the secret: %d, want 401", p, c)
					}
					if c := get(main+p, secret); c != http.StatusOK {
						t.Errorf("%s with the secret: %d, want 200", p, c)
					}
				}
				return
			}
			m := "http://" + <-mstarted
			for _, p := range []string{"/metrics", "/readyz", "/healthz"} {
				if c := get(m+p, ""); c != http.StatusOK {
					t.Errorf("--metrics-listen %s: %d, want 200", p, c)
				}
			}
			if c := get(main+"/metrics", secret); c != http.StatusNotFound {
				t.Errorf("main listener /metrics with --metrics-listen: %d, want 404", c)
			}
		})
	}
}

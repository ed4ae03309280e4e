package ghissue_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/internal/githubfake"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/ghissue"
)

const token = "ghp_tfdrift_test_token"

// fixture is acme/infra on a fake GitHub, a token client for it, and the
// sink sending every drift there.
type fixture struct {
	gh     *githubfake.Server
	repo   *githubfake.Repo
	client *ghapi.Client
	target ghissue.Target
	sink   *ghissue.Sink
	lose   *loser

	mu       sync.Mutex
	outcomes []ghissue.Outcome
	unrouted int
}

type fixtureOptions struct {
	fake   githubfake.Options
	client ghapi.Options
	target func(*ghissue.Target)
	route  func(d *drift.Drift) bool // false: unrouted
}

func newFixture(t testing.TB, fo fixtureOptions) *fixture {
	t.Helper()
	f := &fixture{gh: githubfake.New(t, fo.fake)}
	f.repo = f.gh.AddRepo(githubfake.RepoSpec{Owner: "acme", Name: "infra", Private: true})
	f.repo.SetPermission("alice", "write")
	f.gh.AddToken(githubfake.TokenSpec{Token: token, Login: "tfdrift-bot"})
	f.lose = &loser{next: http.DefaultTransport}
	opts := fo.client
	opts.APIURL = f.gh.URL
	opts.Transport = f.lose
	if opts.Pacing == nil {
		opts.Pacing = &ghapi.Pacing{} // no pacing unless the test is about it
	}
	client, err := ghapi.NewTokenClient(token, opts)
	if err != nil {
		t.Fatal(err)
	}
	f.client = client
	f.target = ghissue.Target{Client: client, Owner: "acme", Repo: "infra", HTMLURL: f.repo.HTMLURL(),
		Labels: []string{"infra"}, Assignees: []string{"alice"}, Commands: true, Author: "tfdrift-bot"}
	if fo.target != nil {
		fo.target(&f.target)
	}
	f.sink, err = ghissue.New(ghissue.Options{
		Resolver: resolverFunc(func(_ context.Context, d *drift.Drift) (ghissue.Target, bool, error) {
			if fo.route != nil && !fo.route(d) {
				return ghissue.Target{}, false, nil
			}
			return f.target, true, nil
		}),
		OnUnrouted: func(*drift.Drift) { f.mu.Lock(); f.unrouted++; f.mu.Unlock() },
		OnOutcome: func(_ *drift.Drift, o ghissue.Outcome, _ ticket.Receipt) {
			f.mu.Lock()
			f.outcomes = append(f.outcomes, o)
			f.mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

type resolverFunc func(ctx context.Context, d *drift.Drift) (ghissue.Target, bool, error)

func (r resolverFunc) Resolve(ctx context.Context, d *drift.Drift) (ghissue.Target, bool, error) {
	return r(ctx, d)
}

func (f *fixture) lastOutcome() ghissue.Outcome {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.outcomes) == 0 {
		return ""
	}
	return f.outcomes[len(f.outcomes)-1]
}

// send delivers n and fails the test on an error.
func (f *fixture) send(t testing.TB, n *ticket.Notice) ticket.Receipt {
	t.Helper()
	rc, err := f.sink.Send(ctxT(t), n)
	if err != nil {
		t.Fatalf("send %s %s: %v", n.Kind, n.Drift.ResourceAddress, err)
	}
	return rc
}

func (f *fixture) receipt(number int) ticket.Receipt {
	return ticket.Receipt{System: ticket.TypeGitHub, ExternalID: fmt.Sprintf("acme/infra#%d", number),
		URL: fmt.Sprintf("%sacme/infra/issues/%d", f.gh.WebURL, number)}
}

// writes counts the successful writes so far matching method and a path
// suffix ("" for all).
func (f *fixture) writes(method, suffix string) int {
	n := 0
	for _, w := range f.gh.Writes() {
		if (method == "" || w.Method == method) && strings.HasSuffix(w.Path, suffix) {
			n++
		}
	}
	return n
}

func (f *fixture) openIssues() []githubfake.Issue {
	var out []githubfake.Issue
	for _, is := range f.repo.Issues() {
		if is.State == "open" {
			out = append(out, is)
		}
	}
	return out
}

func ctxT(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

func notice(kind ticket.Kind, d *drift.Drift) *ticket.Notice {
	return &ticket.Notice{Sink: ticket.TypeGitHub, Kind: kind, Drift: d, Fingerprint: d.Fingerprint}
}

// sgDrift is a drift of security group i: its own resource, event and
// values, detected at.
func sgDrift(i int, at time.Time, sev drift.Severity, ports ...int) *drift.Drift {
	var rules []any
	for _, p := range ports {
		rules = append(rules, map[string]any{"from_port": float64(p), "to_port": float64(p), "protocol": "tcp", "cidr_blocks": []any{"0.0.0.0/0"}})
	}
	d := &drift.Drift{
		DetectedAt: at, ChangeType: drift.Modified, ResourceType: "aws_security_group",
		ResourceID: fmt.Sprintf("sg-%04d", i), ResourceAddress: fmt.Sprintf("aws_security_group.sg_%d", i),
		Changes:  map[string]drift.AttrChange{"ingress": {Expected: []any{}, Actual: rules}},
		Severity: sev,
		Event: &change.Change{Provider: change.AWS, Account: "123456789012", Region: "us-east-1", EventID: fmt.Sprintf("ev-%d-%d", i, at.UnixNano()),
			EventName: "AuthorizeSecurityGroupIngress", Time: at, Actor: change.Actor{UserName: "dev@example.com"}},
		Terraform: drift.Location{State: "s3://tf/prod.tfstate", Workspace: "default", File: "network.tf", Line: 10 + i, EndLine: 20 + i,
			Repo: "acme/infra", Ref: "0123456789abcdef0123456789abcdef01234567"},
	}
	d.ComputeEventID()
	d.ComputeFingerprint()
	return d
}

// loser forwards requests, and for the next matching ones performs the
// request but loses the answer, as a process killed right after GitHub
// acted would: the write happened, the caller never learns it.
type loser struct {
	next http.RoundTripper

	mu     sync.Mutex
	method string
	suffix string
	left   int
}

func (l *loser) loseNext(method, suffix string, times int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.method, l.suffix, l.left = method, suffix, times
}

func (l *loser) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(req)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err == nil && l.left > 0 && req.Method == l.method && strings.HasSuffix(req.URL.Path, l.suffix) {
		l.left--
		resp.Body.Close()
		return nil, errors.New("connection reset by peer (the write was done)")
	}
	return resp, err
}

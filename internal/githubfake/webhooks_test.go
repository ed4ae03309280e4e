package githubfake_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/internal/githubfake"
)

func newLocalServer(t *testing.T, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// receiver verifies deliveries as the App will: go-github's
// ValidatePayload (constant-time HMAC) and ParseWebHook.
type receiver struct {
	mu     sync.Mutex
	events []any
	ids    []string
}

func (rc *receiver) handler(secret string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		payload, err := github.ValidatePayload(r, []byte(secret))
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		ev, err := github.ParseWebHook(github.WebHookType(r), payload)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rc.mu.Lock()
		rc.events = append(rc.events, ev)
		rc.ids = append(rc.ids, github.DeliveryID(r))
		rc.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	})
}

func TestWebhooksFromState(t *testing.T) {
	f := newFixture(t, githubfake.Options{})
	rc := &receiver{}
	url := newLocalServer(t, rc.handler(f.app.WebhookSecret))
	hook := f.s.Hook(url, f.app.WebhookSecret)
	c := context.Background()

	n := f.repo.CreateIssueAs("tfdrift[bot]", "Drift: x", "body")
	cm := f.repo.CommentAs("alice", n, "/tfdrift accept")
	closed := f.repo.SetIssueStateAs("alice", n, "closed", "not_planned")
	newHead := branchWith(t, f, "main", map[string]string{"main.tf": "v2\n"})
	branchWith(t, f, "feature", map[string]string{"x.tf": "x\n"})
	pr := must[*github.PullRequest](t)(f.gh.PullRequests.Create(ctx(t), "acme", "infra", &github.NewPullRequest{
		Title: github.String("t"), Head: github.String("feature"), Base: github.String("main")}))

	send := func(event string, payload any) *githubfake.Delivery {
		t.Helper()
		d, err := hook.Send(c, event, payload)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != http.StatusAccepted {
			t.Fatalf("%s: %d %s", event, d.Status, d.Response)
		}
		return d
	}
	send("issue_comment", f.repo.IssueCommentEvent("created", cm.ID, "alice"))
	send("issues", f.repo.IssuesEvent("closed", n, "alice"))
	send("pull_request", f.repo.PullRequestEvent("opened", pr.GetNumber(), "tfdrift[bot]"))
	send("push", f.repo.PushEvent("refs/heads/main", f.head, newHead, "alice"))
	send("installation", f.s.InstallationEvent("created", instID, "alice"))
	send("installation_repositories", f.s.InstallationRepositoriesEvent("added", instID, []string{"acme/infra"}, nil, "alice"))
	d := send("ping", f.s.PingEvent(f.app.ID))

	if len(rc.events) != 7 {
		t.Fatalf("%d events", len(rc.events))
	}
	ic := rc.events[0].(*github.IssueCommentEvent)
	if ic.GetComment().GetBody() != "/tfdrift accept" || ic.GetSender().GetLogin() != "alice" || ic.GetInstallation().GetID() != instID ||
		ic.GetIssue().GetUser().GetType() != "Bot" || ic.GetRepo().GetFullName() != "acme/infra" || ic.GetComment().GetUser().GetLogin() != "alice" {
		t.Errorf("issue_comment %+v", ic)
	}
	is := rc.events[1].(*github.IssuesEvent)
	if is.GetIssue().GetStateReason() != closed.StateReason || is.GetIssue().GetState() != "closed" || is.GetAction() != "closed" {
		t.Errorf("issues %+v", is.GetIssue())
	}
	pe := rc.events[2].(*github.PullRequestEvent)
	if pe.GetNumber() != pr.GetNumber() || pe.GetPullRequest().GetHead().GetRef() != "feature" {
		t.Errorf("pull_request %+v", pe)
	}
	push := rc.events[3].(*github.PushEvent)
	if push.GetAfter() != newHead || push.GetRef() != "refs/heads/main" || len(push.Commits) != 1 ||
		push.GetHeadCommit().GetID() != newHead || len(push.GetHeadCommit().Modified) != 1 || push.GetRepo().GetDefaultBranch() != "main" {
		t.Errorf("push %+v", push)
	}
	ins := rc.events[4].(*github.InstallationEvent)
	if ins.GetInstallation().GetID() != instID || len(ins.Repositories) != 1 || ins.GetInstallation().GetAppID() != 42 {
		t.Errorf("installation %+v", ins)
	}
	ir := rc.events[5].(*github.InstallationRepositoriesEvent)
	if len(ir.RepositoriesAdded) != 1 || ir.RepositoriesAdded[0].GetFullName() != "acme/infra" {
		t.Errorf("installation_repositories %+v", ir)
	}
	if p := rc.events[6].(*github.PingEvent); p.GetHookID() != 1 || p.GetZen() == "" {
		t.Errorf("ping %+v", p)
	}

	// Redelivery: the same ID and body.
	again, err := hook.Redeliver(c, d)
	if err != nil || again.ID != d.ID || string(again.Body) != string(d.Body) || !again.Redelivery {
		t.Fatalf("redelivery %+v %v", again, err)
	}
	if rc.ids[7] != rc.ids[6] {
		t.Fatalf("delivery IDs %v", rc.ids)
	}
	if got := f.s.Deliveries(); len(got) != 8 || f.s.Stats().Deliveries != 8 {
		t.Fatalf("%d deliveries recorded", len(got))
	}
	if sig := d.Header.Get("X-Hub-Signature-256"); sig != githubfake.Sign(f.app.WebhookSecret, d.Body) || !strings.HasPrefix(sig, "sha256=") {
		t.Fatalf("signature %q", sig)
	}

	// A forged delivery (wrong secret) is refused by the receiver.
	forged, err := f.s.Hook(url, "not-the-secret").Send(c, "ping", f.s.PingEvent(f.app.ID))
	if err != nil || forged.Status != http.StatusUnauthorized {
		t.Fatalf("forged: %+v %v", forged, err)
	}
}

package githubfake

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
)

// Hook sends webhooks as GitHub's hookshot does: a JSON body signed
// with HMAC-SHA256 (X-Hub-Signature-256) and SHA-1 (X-Hub-Signature)
// under Secret, with X-GitHub-Event and X-GitHub-Delivery.
type Hook struct {
	s      *Server
	URL    string
	Secret string
	// AppID is sent as X-GitHub-Hook-Installation-Target-ID; default the
	// only App, else 0.
	AppID  int64
	Client *http.Client
}

// Hook returns a sender to url signing with secret. A test proves a
// forged delivery is refused by using a different secret.
func (s *Server) Hook(url, secret string) *Hook {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := &Hook{s: s, URL: url, Secret: secret, Client: &http.Client{Timeout: 30 * time.Second}}
	if len(s.apps) == 1 {
		for id := range s.apps {
			h.AppID = id
		}
	}
	return h
}

// Delivery is one webhook sent.
type Delivery struct {
	ID         string
	Event      string
	URL        string
	Body       []byte
	Header     http.Header
	Status     int
	Response   []byte
	Redelivery bool
	Time       time.Time
}

// Send posts payload (a go-github event or anything JSON) as event and
// returns the delivery with the receiver's answer.
func (h *Hook) Send(ctx context.Context, event string, payload any) (*Delivery, error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("githubfake: webhook %s: %w", event, err)
	}
	return h.post(ctx, &Delivery{ID: newGUID(), Event: event, URL: h.URL, Body: body})
}

// Redeliver sends a delivery again with the same ID and body, as
// GitHub's "Redeliver" button does.
func (h *Hook) Redeliver(ctx context.Context, d *Delivery) (*Delivery, error) {
	return h.post(ctx, &Delivery{ID: d.ID, Event: d.Event, URL: h.URL, Body: d.Body, Redelivery: true})
}

// Sign returns the X-Hub-Signature-256 value of body under secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func (h *Hook) post(ctx context.Context, d *Delivery) (*Delivery, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(d.Body))
	if err != nil {
		return nil, err
	}
	m1 := hmac.New(sha1.New, []byte(h.Secret))
	m1.Write(d.Body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "GitHub-Hookshot/githubfake")
	req.Header.Set("X-GitHub-Event", d.Event)
	req.Header.Set("X-GitHub-Delivery", d.ID)
	req.Header.Set("X-GitHub-Hook-ID", "1")
	req.Header.Set("X-GitHub-Hook-Installation-Target-Type", "integration")
	req.Header.Set("X-GitHub-Hook-Installation-Target-ID", strconv.FormatInt(h.AppID, 10))
	req.Header.Set("X-Hub-Signature", "sha1="+hex.EncodeToString(m1.Sum(nil)))
	req.Header.Set("X-Hub-Signature-256", Sign(h.Secret, d.Body))
	d.Header = req.Header.Clone()
	d.Time = h.s.Now()
	resp, err := h.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("githubfake: deliver %s %s: %w", d.Event, d.ID, err)
	}
	defer resp.Body.Close()
	d.Status = resp.StatusCode
	d.Response, _ = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	h.s.mu.Lock()
	h.s.deliveries = append(h.s.deliveries, *d)
	h.s.stats.Deliveries++
	h.s.mu.Unlock()
	return d, nil
}

// Deliveries lists every webhook sent, in order.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deliveries)
}

func newGUID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// convert turns the fake's JSON shapes into a go-github event, so a
// payload is exactly what the REST API shows for the same objects.
func convert[T any](tb interface{ Fatalf(string, ...any) }, m map[string]any) *T {
	b, err := json.Marshal(m)
	if err != nil {
		tb.Fatalf("githubfake: payload: %v", err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		tb.Fatalf("githubfake: payload %T: %v", out, err)
	}
	return &out
}

// installationFor is the installation (lowest ID) that reaches r.
func (s *Server) installationFor(r *repoState) map[string]any {
	for _, inst := range s.sortedInstallations() {
		if inst.reaches(r) {
			return map[string]any{"id": inst.spec.ID, "node_id": fmt.Sprintf("MDIz_%d", inst.spec.ID)}
		}
	}
	return nil
}

func (h *Repo) envelope(r *repoState, action, sender string) map[string]any {
	m := map[string]any{"action": action, "repository": h.s.ghRepo(r), "sender": h.s.ghUser(h.s.user(sender))}
	if inst := h.s.installationFor(r); inst != nil {
		m["installation"] = inst
	}
	if owner := h.s.user(r.owner); owner.Type == "Organization" {
		m["organization"] = map[string]any{"login": owner.Login, "id": owner.ID}
	}
	return m
}

// IssueCommentEvent builds an issue_comment payload (action "created",
// "edited" or "deleted") for a comment, sent by sender.
func (h *Repo) IssueCommentEvent(action string, commentID int64, sender string) *github.IssueCommentEvent {
	var ev *github.IssueCommentEvent
	h.with(func(r *repoState) {
		i := slices.IndexFunc(r.comments, func(c *Comment) bool { return c.ID == commentID })
		if i < 0 {
			h.s.tb.Fatalf("githubfake: %s has no comment %d", r.fullName(), commentID)
		}
		cm := r.comments[i]
		m := h.envelope(r, action, sender)
		m["issue"] = h.s.ghIssue(r, r.issues[cm.Issue])
		m["comment"] = h.s.ghComment(r, cm)
		ev = convert[github.IssueCommentEvent](h.s.tb, m)
	})
	return ev
}

// IssuesEvent builds an issues payload ("opened", "closed", "reopened",
// "edited", "labeled", …) for an issue, sent by sender.
func (h *Repo) IssuesEvent(action string, number int, sender string) *github.IssuesEvent {
	var ev *github.IssuesEvent
	h.with(func(r *repoState) {
		is, ok := r.issues[number]
		if !ok {
			h.s.tb.Fatalf("githubfake: %s has no issue #%d", r.fullName(), number)
		}
		m := h.envelope(r, action, sender)
		m["issue"] = h.s.ghIssue(r, is)
		ev = convert[github.IssuesEvent](h.s.tb, m)
	})
	return ev
}

// PullRequestEvent builds a pull_request payload ("opened", "closed" —
// merged or not, as the pull is —, "synchronize", "reopened", …).
func (h *Repo) PullRequestEvent(action string, number int, sender string) *github.PullRequestEvent {
	var ev *github.PullRequestEvent
	h.with(func(r *repoState) {
		p := h.pullOf(r, number)
		m := h.envelope(r, action, sender)
		m["number"] = number
		m["pull_request"] = h.s.ghPull(r, p, r.issues[number])
		ev = convert[github.PullRequestEvent](h.s.tb, m)
	})
	return ev
}

// PushEvent builds a push payload for ref ("refs/heads/main") moving
// from before (all zeros for a new branch) to after, listing the commits
// after adds on its first-parent line.
func (h *Repo) PushEvent(ref, before, after, pusher string) *github.PushEvent {
	var ev *github.PushEvent
	h.with(func(r *repoState) {
		var commits []map[string]any
		for sha := after; sha != "" && sha != before && len(commits) < 20; {
			c, ok := r.obj.commits[sha]
			if !ok {
				break
			}
			commits = append([]map[string]any{h.s.headCommit(r, c)}, commits...)
			if len(c.Parents) == 0 {
				break
			}
			sha = c.Parents[0]
		}
		m := h.envelope(r, "", pusher)
		delete(m, "action")
		zero := strings.Repeat("0", 40)
		u := h.s.user(pusher)
		m["ref"], m["before"], m["after"] = ref, before, after
		m["created"], m["deleted"], m["forced"] = before == zero, after == zero, false
		m["compare"] = h.s.htmlURL(fmt.Sprintf("/%s/compare/%s...%s", r.fullName(), before[:min(12, len(before))], after[:min(12, len(after))]))
		m["commits"] = nonNil(commits)
		if len(commits) > 0 {
			m["head_commit"] = commits[len(commits)-1]
		}
		m["pusher"] = map[string]any{"name": u.Login, "email": u.noreply()}
		ev = convert[github.PushEvent](h.s.tb, m)
	})
	return ev
}

func (s *Server) headCommit(r *repoState, c *Commit) map[string]any {
	sig := func(g Signature) map[string]any {
		return map[string]any{"name": g.Name, "email": g.Email, "username": g.Name}
	}
	var added, removed, modified []string
	after := r.obj.flatten(c.Tree)
	before := map[string]gitFile{}
	if len(c.Parents) > 0 {
		before = r.obj.flatten(r.obj.commits[c.Parents[0]].Tree)
	}
	for p, f := range after {
		if b, ok := before[p]; !ok {
			added = append(added, p)
		} else if b != f {
			modified = append(modified, p)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			removed = append(removed, p)
		}
	}
	slices.Sort(added)
	slices.Sort(removed)
	slices.Sort(modified)
	return map[string]any{
		"id": c.SHA, "tree_id": c.Tree, "distinct": true, "message": c.Message,
		"timestamp": c.Committer.Date.Format(time.RFC3339),
		"url":       s.htmlURL("/" + r.fullName() + "/commit/" + c.SHA),
		"author":    sig(c.Author), "committer": sig(c.Committer),
		"added": nonNil(added), "removed": nonNil(removed), "modified": nonNil(modified),
	}
}

// InstallationEvent builds an installation payload ("created",
// "deleted", "suspend", "unsuspend", "new_permissions_accepted").
func (s *Server) InstallationEvent(action string, installationID int64, sender string) *github.InstallationEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, ok := s.installations[installationID]
	if !ok {
		s.tb.Fatalf("githubfake: no installation %d", installationID)
	}
	var repos []map[string]any
	for _, r := range s.sortedRepos() {
		if inst.reaches(r) {
			repos = append(repos, map[string]any{"id": r.id, "name": r.name, "full_name": r.fullName(), "private": r.private})
		}
	}
	m := map[string]any{"action": action, "installation": s.ghInstallation(inst),
		"repositories": nonNil(repos), "sender": s.ghUser(s.user(sender))}
	return convert[github.InstallationEvent](s.tb, m)
}

// InstallationRepositoriesEvent builds an installation_repositories
// payload ("added" or "removed") naming repositories "owner/name".
func (s *Server) InstallationRepositoriesEvent(action string, installationID int64, added, removed []string, sender string) *github.InstallationRepositoriesEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, ok := s.installations[installationID]
	if !ok {
		s.tb.Fatalf("githubfake: no installation %d", installationID)
	}
	list := func(names []string) []map[string]any {
		out := []map[string]any{}
		for _, n := range names {
			r, ok := s.repos[strings.ToLower(n)]
			if !ok {
				s.tb.Fatalf("githubfake: no repository %s", n)
			}
			out = append(out, map[string]any{"id": r.id, "name": r.name, "full_name": r.fullName(), "private": r.private})
		}
		return out
	}
	sel := "selected"
	if inst.spec.All {
		sel = "all"
	}
	m := map[string]any{"action": action, "installation": s.ghInstallation(inst), "repository_selection": sel,
		"repositories_added": list(added), "repositories_removed": list(removed), "sender": s.ghUser(s.user(sender))}
	return convert[github.InstallationRepositoriesEvent](s.tb, m)
}

// PingEvent builds the ping GitHub sends when an App's webhook is set.
func (s *Server) PingEvent(appID int64) *github.PingEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := map[string]any{"zen": "Keep it logically awesome.", "hook_id": 1,
		"hook": map[string]any{"id": 1, "type": "App", "active": true, "events": []string{}, "app_id": appID}}
	return convert[github.PingEvent](s.tb, m)
}

package githubapp

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/app/ingest"
)

// MaxWebhookBytes is GitHub's own cap on a delivery: a larger body is
// refused before it is read.
const MaxWebhookBytes = 25 << 20

// Webhook headers.
const (
	headerEvent     = "X-GitHub-Event"
	headerDelivery  = "X-GitHub-Delivery"
	headerSignature = "X-Hub-Signature-256"
)

// Events the App subscribes to (its manifest lists them).
var Events = []string{"installation", "installation_repositories", "push", "issues", "issue_comment", "pull_request"}

// Handler is POST /webhooks/github. It authenticates every request with
// the webhook secret, so the daemon's /falco secrets do not apply to it.
func (a *App) Handler() http.Handler { return http.HandlerFunc(a.serveWebhook) }

func (a *App) serveWebhook(w http.ResponseWriter, r *http.Request) {
	event := r.Header.Get(headerEvent)
	label := eventLabel(event)
	answer := func(status int, outcome, msg string) {
		a.m.webhooks.WithLabelValues(label, outcome).Inc()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(status)
		io.WriteString(w, msg+"\n")
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		answer(http.StatusMethodNotAllowed, "bad_request", "POST only")
		return
	}
	if r.ContentLength > MaxWebhookBytes {
		answer(http.StatusRequestEntityTooLarge, "too_large", "body over 25 MB")
		return
	}
	sig := r.Header.Get(headerSignature)
	if !strings.HasPrefix(sig, "sha256=") {
		answer(http.StatusUnauthorized, "bad_signature", "missing X-Hub-Signature-256")
		return
	}
	ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		ct = "application/json"
	}
	payload, err := github.ValidatePayloadFromBody(ct, http.MaxBytesReader(w, r.Body, MaxWebhookBytes), sig, a.secret)
	if err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			answer(http.StatusRequestEntityTooLarge, "too_large", "body over 25 MB")
		case strings.Contains(err.Error(), "Content-Type"):
			answer(http.StatusUnsupportedMediaType, "bad_request", "want application/json")
		default:
			// One message for every failure: which check failed is no
			// business of the sender's.
			answer(http.StatusUnauthorized, "bad_signature", "signature does not match the webhook secret")
		}
		return
	}
	delivery := r.Header.Get(headerDelivery)
	if event == "" || !validDelivery(delivery) {
		answer(http.StatusBadRequest, "bad_request", "missing X-GitHub-Event or X-GitHub-Delivery")
		return
	}
	if event == "ping" {
		answer(http.StatusOK, "ping", "pong")
		return
	}
	t, ok, err := a.taskOf(event, delivery, payload)
	switch {
	case err != nil:
		answer(http.StatusBadRequest, "bad_request", "payload: "+err.Error())
		return
	case !ok:
		answer(http.StatusNoContent, "ignored", "")
		return
	}
	if !a.recent.add(delivery) {
		answer(http.StatusOK, "duplicate", "already received")
		return
	}
	body, err := json.Marshal(t)
	if err != nil {
		a.recent.forget(delivery)
		answer(http.StatusInternalServerError, "bad_request", "encoding the task failed")
		return
	}
	err = a.accept(r.Context(), ingest.Message{Source: JournalSource, ID: delivery, Body: body, ValidJSON: true, Received: a.o.Now()})
	if err != nil {
		a.recent.forget(delivery)
		w.Header().Set("Retry-After", "30")
		answer(http.StatusServiceUnavailable, "overloaded", "busy: redeliver later")
		return
	}
	answer(http.StatusAccepted, "accepted", "queued")
}

// validDelivery accepts a delivery ID as GitHub writes it (a GUID) or
// anything short and printable.
func validDelivery(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

// eventLabel bounds the event label of the metric to GitHub's names.
func eventLabel(event string) string {
	for _, e := range Events {
		if e == event {
			return e
		}
	}
	if event == "ping" {
		return event
	}
	return "other"
}

// task is a delivery reduced to what the App acts on: what is journaled
// and queued. Its JSON is the journal's format; keep fields additive.
type task struct {
	Event        string       `json:"event"`
	Action       string       `json:"action,omitempty"`
	Delivery     string       `json:"delivery"`
	Received     time.Time    `json:"received"`
	Installation int64        `json:"installation,omitempty"`
	Sender       string       `json:"sender,omitempty"`
	SenderBot    bool         `json:"sender_bot,omitempty"`
	Repo         *taskRepo    `json:"repo,omitempty"`
	Ref          string       `json:"ref,omitempty"`
	After        string       `json:"after,omitempty"`
	Issue        *taskIssue   `json:"issue,omitempty"`
	Comment      *taskComment `json:"comment,omitempty"`
	Pull         *taskPull    `json:"pull,omitempty"`

	// replay is set on a task the journal hands back after a crash.
	replay bool
}

type taskRepo struct {
	Owner         string `json:"owner"`
	Name          string `json:"name"`
	HTMLURL       string `json:"html_url,omitempty"`
	DefaultBranch string `json:"default_branch,omitempty"`
}

func (r *taskRepo) fullName() string { return r.Owner + "/" + r.Name }

type taskIssue struct {
	Number    int    `json:"number"`
	URL       string `json:"url,omitempty"`
	Title     string `json:"title,omitempty"`
	Author    string `json:"author,omitempty"`
	AuthorBot bool   `json:"author_bot,omitempty"`
	IsPull    bool   `json:"is_pull,omitempty"`
}

type taskComment struct {
	ID        int64  `json:"id"`
	Body      string `json:"body"`
	Author    string `json:"author"`
	AuthorBot bool   `json:"author_bot,omitempty"`
	URL       string `json:"url,omitempty"`
}

type taskPull struct {
	Number   int    `json:"number"`
	URL      string `json:"url,omitempty"`
	Merged   bool   `json:"merged,omitempty"`
	HeadRef  string `json:"head_ref,omitempty"`
	HeadSHA  string `json:"head_sha,omitempty"`
	BaseRef  string `json:"base_ref,omitempty"`
	MergeSHA string `json:"merge_sha,omitempty"`
	Body     string `json:"body,omitempty"`
}

// discovery reports whether a task is discovery's (installations,
// pushes): those run on their own worker, and again safely.
func (t *task) discovery() bool {
	return t.Event == "installation" || t.Event == "installation_repositories" || t.Event == "push"
}

// user is a payload's account.
type user struct {
	Login string `json:"login"`
	Type  string `json:"type"`
}

func (u *user) bot() bool { return u != nil && u.Type == "Bot" }

func (u *user) login() string {
	if u == nil {
		return ""
	}
	return u.Login
}

// payload is the part of every event the App reads.
type payload struct {
	Action       string `json:"action"`
	Installation *struct {
		ID int64 `json:"id"`
	} `json:"installation"`
	Repository *struct {
		Name          string `json:"name"`
		FullName      string `json:"full_name"`
		Owner         user   `json:"owner"`
		HTMLURL       string `json:"html_url"`
		DefaultBranch string `json:"default_branch"`
	} `json:"repository"`
	Sender *user  `json:"sender"`
	Ref    string `json:"ref"`
	After  string `json:"after"`
	Issue  *struct {
		Number      int             `json:"number"`
		HTMLURL     string          `json:"html_url"`
		Title       string          `json:"title"`
		Body        string          `json:"body"`
		User        *user           `json:"user"`
		PullRequest json.RawMessage `json:"pull_request"`
	} `json:"issue"`
	Comment *struct {
		ID      int64  `json:"id"`
		Body    string `json:"body"`
		User    *user  `json:"user"`
		HTMLURL string `json:"html_url"`
	} `json:"comment"`
	PullRequest *struct {
		Number         int    `json:"number"`
		HTMLURL        string `json:"html_url"`
		Title          string `json:"title"`
		Body           string `json:"body"`
		User           *user  `json:"user"`
		Merged         bool   `json:"merged"`
		MergeCommitSHA string `json:"merge_commit_sha"`
		Head           struct {
			Ref string `json:"ref"`
			SHA string `json:"sha"`
		} `json:"head"`
		Base struct {
			Ref string `json:"ref"`
		} `json:"base"`
	} `json:"pull_request"`
}

// marker starts every hidden marker the App writes into what it opens.
const marker = "<!-- tfdrift:"

// taskOf reduces a delivery to a task; ok is false for one the App has
// nothing to do with (answered 204).
func (a *App) taskOf(event, delivery string, body []byte) (task, bool, error) {
	switch event {
	case "installation", "installation_repositories", "push", "issues", "issue_comment", "pull_request":
	default:
		return task{}, false, nil
	}
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		return task{}, false, errors.New("not a JSON object of the event's shape")
	}
	t := task{Event: event, Action: p.Action, Delivery: delivery, Received: a.o.Now(),
		Sender: p.Sender.login(), SenderBot: p.Sender.bot()}
	if p.Installation != nil {
		t.Installation = p.Installation.ID
	}
	if rp := p.Repository; rp != nil {
		t.Repo = &taskRepo{Owner: rp.Owner.Login, Name: rp.Name, HTMLURL: rp.HTMLURL, DefaultBranch: rp.DefaultBranch}
		if t.Repo.Owner == "" {
			t.Repo.Owner, _, _ = strings.Cut(rp.FullName, "/")
		}
	}
	needRepo := func() bool { return t.Repo != nil && t.Repo.Owner != "" && t.Repo.Name != "" && t.Installation != 0 }
	ownIssue := func(author *user, body string) bool {
		return a.isOwnBot(author.login(), author.bot()) && strings.Contains(body, marker)
	}
	switch event {
	case "installation", "installation_repositories":
		return t, true, nil
	case "push":
		if !needRepo() || t.Repo.DefaultBranch == "" || p.Ref != "refs/heads/"+t.Repo.DefaultBranch ||
			!commitSHA(p.After) || strings.Trim(p.After, "0") == "" {
			return task{}, false, nil // another branch, a tag, or the branch deleted
		}
		t.Ref, t.After = p.Ref, p.After
		return t, true, nil
	case "issues":
		is := p.Issue
		if !needRepo() || is == nil || (p.Action != "closed" && p.Action != "reopened") || t.SenderBot || !ownIssue(is.User, is.Body) {
			return task{}, false, nil
		}
		t.Issue = &taskIssue{Number: is.Number, URL: is.HTMLURL, Title: is.Title, Author: is.User.login(), AuthorBot: true,
			IsPull: len(is.PullRequest) > 0 && string(is.PullRequest) != "null"}
		return t, true, nil
	case "issue_comment":
		is, cm := p.Issue, p.Comment
		if !needRepo() || is == nil || cm == nil || p.Action != "created" || cm.User.bot() || !hasCommand(cm.Body) || !ownIssue(is.User, is.Body) {
			return task{}, false, nil
		}
		t.Issue = &taskIssue{Number: is.Number, URL: is.HTMLURL, Title: is.Title, Author: is.User.login(), AuthorBot: true,
			IsPull: len(is.PullRequest) > 0 && string(is.PullRequest) != "null"}
		t.Comment = &taskComment{ID: cm.ID, Body: cm.Body, Author: cm.User.login(), URL: cm.HTMLURL}
		return t, true, nil
	case "pull_request":
		pr := p.PullRequest
		if !needRepo() || pr == nil || p.Action != "closed" || !ownIssue(pr.User, pr.Body) {
			return task{}, false, nil
		}
		t.Pull = &taskPull{Number: pr.Number, URL: pr.HTMLURL, Merged: pr.Merged, HeadRef: pr.Head.Ref, HeadSHA: pr.Head.SHA,
			BaseRef: pr.Base.Ref, MergeSHA: pr.MergeCommitSHA, Body: pr.Body}
		return t, true, nil
	}
	return task{}, false, nil
}

func commitSHA(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// queued is a task waiting for a worker, with the journal's verdict
// callback.
type queued struct {
	t    task
	done func(error)
}

// enqueue takes a journaled (or, without a journal, an accepted)
// delivery into its queue without blocking: ingest.ErrOverloaded when
// the queue is full.
func (a *App) enqueue(_ context.Context, m ingest.Message) error {
	return a.put(m, false)
}

// Consumer takes the deliveries the journal replays after a crash
// (daemon.Options.Consumers[JournalSource]).
func (a *App) Consumer() ingest.Handler {
	return func(_ context.Context, m ingest.Message) error { return a.put(m, true) }
}

func (a *App) put(m ingest.Message, replay bool) error {
	var t task
	if err := json.Unmarshal(m.Body, &t); err != nil || t.Event == "" {
		if m.Done != nil {
			m.Done(errors.New("github: a journaled delivery that is not a task"))
		}
		return nil // nothing to redeliver: it can never run
	}
	t.replay = replay
	q := a.workQ
	if t.discovery() {
		q = a.discoveryQ
	}
	select {
	case q <- queued{t: t, done: m.Done}:
		return nil
	default:
		return ingest.ErrOverloaded
	}
}

// work runs one queue's tasks until ctx ends. A task cut short by the
// end is not settled, so the journal replays it at the next start.
func (a *App) work(ctx context.Context, q <-chan queued) {
	for {
		select {
		case <-ctx.Done():
			return
		case it := <-q:
			err := a.run(ctx, &it.t)
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				a.log.Error("github: a webhook's work failed", "event", it.t.Event, "delivery", it.t.Delivery, "err", err)
			}
			if it.done != nil {
				it.done(err)
			}
		}
	}
}

// deliverySource is the event log's source for delivery IDs.
const deliverySource = "github-delivery"

// run does a task's work.
func (a *App) run(ctx context.Context, t *task) error {
	if t.discovery() {
		return a.discover(ctx, t)
	}
	// Lifecycle moves are idempotent, so a replay after a crash runs
	// them again rather than risk losing one; everything else runs at
	// most once, whichever replica or restart sees the delivery.
	if !(t.replay && t.Event == "issues") {
		first, err := a.o.Store.RecordEvent(ctx, deliverySource, t.Delivery)
		if err != nil {
			return err
		}
		if !first {
			a.m.webhooks.WithLabelValues(eventLabel(t.Event), "duplicate").Inc()
			a.log.Info("github: delivery already handled", "event", t.Event, "delivery", t.Delivery)
			return nil
		}
	}
	switch t.Event {
	case "issues":
		return a.issueEvent(ctx, t)
	case "issue_comment":
		return a.commentEvent(ctx, t)
	case "pull_request":
		return a.pullEvent(ctx, t)
	}
	return nil
}

// discover runs the discovery a task asks for.
func (a *App) discover(ctx context.Context, t *task) error {
	switch t.Event {
	case "push":
		a.refreshRepo(ctx, repoMeta{Installation: t.Installation, Owner: t.Repo.Owner, Name: t.Repo.Name,
			HTMLURL: t.Repo.HTMLURL, DefaultBranch: t.Repo.DefaultBranch}, t.After)
		if f, ok := a.recon.(BranchFollower); ok {
			th := Thread{Client: a.gh.Installation(t.Installation), Installation: t.Installation, Owner: t.Repo.Owner, Repo: t.Repo.Name}
			if err := f.DefaultBranchMoved(ctx, th); err != nil {
				a.log.Warn("github: following the default branch failed", "repo", t.Repo.fullName(), "err", err)
			}
		}
		return nil
	default: // installation, installation_repositories
		return a.refreshAll(ctx)
	}
}

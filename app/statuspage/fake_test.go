package statuspage

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
)

// fakeDrifts is an in-memory store.Drifts with the store's List
// semantics (newest first by ID, status/type/severity/since filters, a
// cursor and a page limit). It checks what it receives: a limit outside
// the store's 1..1000, or a cursor it never issued, fails the test.
type fakeDrifts struct {
	t    testing.TB
	recs []store.Record // ascending ID

	mu      sync.Mutex
	calls   []store.Filter
	issued  map[string]bool
	listErr error
}

func newFakeDrifts(t testing.TB, recs ...store.Record) *fakeDrifts {
	f := &fakeDrifts{t: t, issued: map[string]bool{}}
	for i, r := range recs {
		if r.ID == 0 {
			r.ID = int64(i + 1)
		}
		f.recs = append(f.recs, r)
	}
	slices.SortFunc(f.recs, func(a, b store.Record) int { return int(a.ID - b.ID) })
	return f
}

func (f *fakeDrifts) List(_ context.Context, flt store.Filter) (store.Page, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, flt)
	if f.listErr != nil {
		return store.Page{}, f.listErr
	}
	if flt.Limit < 1 || flt.Limit > 1000 {
		f.t.Errorf("List: limit %d outside the store's 1..1000", flt.Limit)
		return store.Page{}, fmt.Errorf("bad limit %d", flt.Limit)
	}
	before := int64(1 << 62)
	if flt.Cursor != "" {
		if !f.issued[flt.Cursor] {
			f.t.Errorf("List: cursor %q was never issued", flt.Cursor)
			return store.Page{}, fmt.Errorf("list drifts: invalid cursor %q", flt.Cursor)
		}
		before, _ = strconv.ParseInt(flt.Cursor, 10, 64)
	}
	var p store.Page
	for i := len(f.recs) - 1; i >= 0; i-- {
		r := f.recs[i]
		if r.ID >= before || !matchFilter(r, flt) {
			continue
		}
		if len(p.Records) == flt.Limit {
			p.Next = strconv.FormatInt(p.Records[len(p.Records)-1].ID, 10)
			f.issued[p.Next] = true
			break
		}
		p.Records = append(p.Records, r)
	}
	return p, nil
}

func matchFilter(r store.Record, f store.Filter) bool {
	if len(f.Status) > 0 && !slices.Contains(f.Status, r.Status) {
		return false
	}
	if f.ResourceType != "" && r.ResourceType != f.ResourceType {
		return false
	}
	if f.Severity != "" && r.Severity.Rank() < f.Severity.Rank() {
		return false
	}
	if !f.Since.IsZero() && r.LastSeen.Before(f.Since) {
		return false
	}
	return true
}

func (f *fakeDrifts) Get(_ context.Context, fp string) (store.Record, error) {
	for _, r := range f.recs {
		if r.Fingerprint == fp {
			return r, nil
		}
	}
	return store.Record{}, fmt.Errorf("drift %s: %w", fp, store.ErrNotFound)
}

func (f *fakeDrifts) listCalls() []store.Filter {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// fakeLinks answers Links from a table keyed by fingerprint and checks
// that each call's resource key is the one the sinks file receipts under.
type fakeLinks struct {
	t     testing.TB
	links map[string][]Link
	keys  map[string]string // fingerprint → expected ticket.ResourceKey
	fail  map[string]bool

	mu    sync.Mutex
	asked []string
}

func (l *fakeLinks) Links(_ context.Context, fp, resourceKey string) ([]Link, error) {
	l.mu.Lock()
	l.asked = append(l.asked, fp)
	l.mu.Unlock()
	if want, ok := l.keys[fp]; ok && want != resourceKey {
		l.t.Errorf("Links(%s): resource key %q, want %q", fp, resourceKey, want)
	}
	if l.fail[fp] {
		return nil, fmt.Errorf("receipts of %s: database is locked", fp)
	}
	return l.links[fp], nil
}

// testNow is the clock of every test: "today" for the chart.
var testNow = time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)

// entry describes one drift of a test dataset.
type entry struct {
	d               *drift.Drift
	status          store.Status
	count           int64
	links           []Link
	failLinks       bool
	provider, acct  string
	region, user    string
	typ, id, addr   string
	sev             drift.Severity
	ct              drift.ChangeType
	loc             drift.Location
	tags, rules     []string
	changes         map[string]drift.AttrChange
	eventID         string
	daysAgo, hrsAgo int
}

// newDrift builds the drift an entry describes, with its fingerprint.
func (e *entry) drift() *drift.Drift {
	if e.d != nil {
		return e.d
	}
	prov := e.provider
	if prov == "" {
		prov = "aws"
	}
	ct := e.ct
	if ct == "" {
		ct = drift.Modified
	}
	ch := e.changes
	if ch == nil {
		ch = map[string]drift.AttrChange{"tags": {Expected: map[string]any{}, Actual: map[string]any{"owner": "x"}}}
	}
	e.d = &drift.Drift{
		DetectedAt: testNow.Add(-time.Duration(e.daysAgo*24+e.hrsAgo) * time.Hour), ChangeType: ct,
		ResourceType: e.typ, ResourceID: e.id, ResourceAddress: e.addr, Changes: ch,
		Severity: e.sev, Rules: e.rules, Tags: e.tags, Terraform: e.loc,
		Event: &change.Change{Provider: change.Provider(prov), Account: e.acct, Region: e.region,
			EventID: e.eventID, EventName: "ModifyThing", Actor: change.Actor{UserName: e.user}},
	}
	e.d.ComputeFingerprint()
	e.d.ComputeEventID()
	return e.d
}

// record is the store.Record the store would hold for e.
func (e *entry) record(id int64) store.Record {
	d := e.drift()
	st := e.status
	if st == "" {
		st = store.StatusOpen
	}
	last := d.DetectedAt
	first := last
	if e.count > 1 {
		first = last.Add(-time.Duration(e.count) * time.Hour)
	}
	sev := d.Severity
	if sev == "" {
		sev = drift.DefaultSeverity
	}
	cnt := e.count
	if cnt == 0 {
		cnt = 1
	}
	return store.Record{
		ID: id, Fingerprint: d.Fingerprint, Status: st, ChangeType: d.ChangeType,
		Provider: d.Provider(), AccountID: d.Account(), Region: d.Region(),
		ResourceType: d.ResourceType, ResourceID: d.ResourceID, ResourceAddress: d.ResourceAddress,
		Severity: sev, FirstSeen: first, LastSeen: last, Count: cnt, SeenSinceOpened: cnt,
		Drift: d.ToRecord(), StatusChangedAt: first, StatusActor: "tfdrift", StatusNote: "detected",
	}
}

// dataset is a fixed set of drifts: the stores, links and expectations
// of the tests are built from it.
type dataset []*entry

func (ds dataset) fakes(t testing.TB) (*fakeDrifts, *fakeLinks) {
	var recs []store.Record
	l := &fakeLinks{t: t, links: map[string][]Link{}, keys: map[string]string{}, fail: map[string]bool{}}
	// The store numbers records as it first sees them.
	order := slices.Clone(ds)
	slices.SortStableFunc(order, func(a, b *entry) int { return a.record(0).FirstSeen.Compare(b.record(0).FirstSeen) })
	for i, e := range order {
		r := e.record(int64(i + 1))
		recs = append(recs, r)
		l.links[r.Fingerprint] = e.links
		l.keys[r.Fingerprint] = ticket.ResourceKey(e.drift())
		l.fail[r.Fingerprint] = e.failLinks
	}
	return newFakeDrifts(t, recs...), l
}

const sha = "4f2c1d0e9b8a7f6e5d4c3b2a190817161514131a"

// fixedDataset is the golden page's data: every severity, repositories
// and accounts to group by, a managed resource with no repository (a
// local --repo), an unmanaged creation, GCP, and drifts resolved and
// ignored that the default page leaves out.
func fixedDataset() dataset {
	return dataset{
		{typ: "aws_iam_role_policy", id: "admin:inline", addr: "aws_iam_role_policy.admin", sev: drift.Critical,
			acct: "111111111111", region: "us-east-1", user: "alice@example.com", tags: []string{"security", "iam"}, rules: []string{"iam-changes"},
			changes: map[string]drift.AttrChange{"policy": {Expected: `{"Statement":[]}`, Actual: `{"Statement":[{"Effect":"Allow"}]}`}},
			loc:     drift.Location{Repo: "acme/infra", Ref: sha, Root: "prod", File: "prod/iam.tf", Line: 12, EndLine: 30},
			links: []Link{{Kind: LinkIssue, Label: "#12", URL: "https://github.com/acme/infra/issues/12"},
				{Kind: LinkPull, Label: "#13", URL: "https://github.com/acme/infra/pull/13"}},
			daysAgo: 0, hrsAgo: 1},
		{typ: "aws_security_group", id: "sg-0a1", addr: "module.network.aws_security_group.web", sev: drift.High,
			acct: "111111111111", region: "us-east-1", user: "bob", tags: []string{"network"},
			changes: map[string]drift.AttrChange{"ingress": {Expected: []any{}, Actual: []any{"22/tcp 0.0.0.0/0"}}, "description": {Expected: "web", Actual: "web!"}},
			loc:     drift.Location{Repo: "acme/infra", Ref: sha, File: "modules/network/sg.tf", Line: 4, EndLine: 20, Module: "modules/network"},
			links:   []Link{{Kind: LinkIssue, Label: "#14", URL: "https://github.com/acme/infra/issues/14"}},
			daysAgo: 1, hrsAgo: 2, count: 3},
		{typ: "aws_security_group", id: "sg-0b2", addr: "aws_security_group.db", sev: drift.High,
			acct: "222222222222", region: "eu-west-1", user: "carol",
			loc:     drift.Location{Repo: "acme/network", Ref: "main", File: "db.tf", Line: 7},
			daysAgo: 2},
		{typ: "aws_s3_bucket", id: "logs-bucket", addr: "aws_s3_bucket.logs", sev: drift.Medium,
			acct: "111111111111", region: "us-east-1", user: "dave",
			loc:     drift.Location{File: "s3.tf", Line: 3},
			daysAgo: 3},
		{typ: "aws_instance", id: "i-0abc123", ct: drift.Created, sev: drift.Low,
			acct: "333333333333", region: "us-west-2", user: "erin",
			changes: map[string]drift.AttrChange{},
			daysAgo: 8},
		{typ: "google_compute_firewall", id: "projects/acme-prod/global/firewalls/allow-ssh", addr: "google_compute_firewall.allow_ssh", sev: drift.Info,
			provider: "gcp", acct: "acme-prod", region: "global", user: "frank@acme.example",
			loc:     drift.Location{Repo: "acme/gcp", Ref: sha, File: "firewall.tf", Line: 1, EndLine: 9},
			daysAgo: 15},
		{typ: "aws_security_group", id: "sg-0c3", addr: "aws_security_group.old", sev: drift.High, status: store.StatusResolved,
			acct: "111111111111", region: "us-east-1", user: "gina", loc: drift.Location{Repo: "acme/infra", Ref: sha, File: "old.tf", Line: 1},
			daysAgo: 20},
		{typ: "aws_s3_bucket", id: "tmp-bucket", addr: "aws_s3_bucket.tmp", sev: drift.Low, status: store.StatusIgnored,
			acct: "111111111111", region: "us-east-1", user: "hank", daysAgo: 40},
		{typ: "aws_iam_user", id: "svc", addr: "aws_iam_user.svc", sev: drift.Medium, status: store.StatusAcknowledged,
			acct: "111111111111", region: "us-east-1", user: "ivan", loc: drift.Location{Repo: "acme/infra", Ref: sha, File: "prod/users.tf", Line: 40, EndLine: 44},
			links:   []Link{{Kind: LinkIssue, Label: "#9", URL: "https://github.com/acme/infra/issues/9"}},
			daysAgo: 5},
	}
}

// hostileDataset carries markup, quotes and script URLs in every value a
// user, a cloud API or a link store controls.
func hostileDataset() dataset {
	return dataset{
		{typ: "aws_s3_bucket", id: `b"><script>alert(1)</script>`, addr: `aws_s3_bucket.b["<script>alert(1)</script>"]`, sev: drift.Critical,
			acct: "111111111111", region: `us-east-1" onmouseover="alert(2)`, user: `"><img src=x onerror=alert(3)>`,
			tags:    []string{"javascript:alert(4)", "<b>bold</b>", `'single' "double"`},
			changes: map[string]drift.AttrChange{`<svg onload=alert(5)>`: {Expected: "a", Actual: "b"}},
			loc:     drift.Location{Repo: `acme/infra"><script>`, Ref: sha, File: "main.tf", Line: 1},
			links: []Link{
				{Kind: LinkIssue, Label: "<i>#1</i>", URL: "javascript:alert(6)"},
				{Kind: LinkPull, Label: "pr", URL: " JaVaScRiPt:alert(7)"},
				{Kind: "jira", Label: "data", URL: "data:text/html,<script>alert(8)</script>"},
				{Kind: `x" onclick="alert(9)`, Label: "scheme-relative", URL: "//evil.example/x"},
				{Kind: LinkIssue, Label: "userinfo", URL: "https://github.com@evil.example/"},
				{Kind: LinkIssue, Label: "vbscript", URL: "vbscript:msgbox(1)"},
				{Kind: LinkPull, Label: "#2", URL: `https://github.com/acme/infra/pull/2?a="><script>`},
			}},
		{typ: "aws_security_group", id: "sg-1", addr: "aws_security_group.traversal", sev: drift.High,
			acct: `javascript:alert(10)`, user: "mallory",
			loc: drift.Location{Repo: "acme/infra", Ref: "../../evil", File: "../../../etc/passwd", Line: 1}},
		{typ: "aws_security_group", id: "sg-2", addr: "aws_security_group.badref", sev: drift.High,
			acct: "111111111111", user: "mallory",
			loc: drift.Location{Repo: "acme/infra", Ref: "main", File: "ok.tf\n<script>", Line: 2}},
	}
}

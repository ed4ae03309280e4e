package ticket

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// Kind says what a notice announces.
type Kind string

// Notice kinds.
const (
	// KindDrift announces a new drift.
	KindDrift Kind = "drift"
	// KindResolved announces that a drift went away (Terraform applied,
	// the change was reverted or accepted): PagerDuty resolves, Jira
	// transitions the ticket.
	KindResolved Kind = "resolved"
	// KindGroup announces many drifts by one actor at once (storm control).
	KindGroup Kind = "group"
)

// Sink delivers notices to one destination: a Slack workspace, a webhook
// URL, a PagerDuty service, a Jira project, a mailbox, a log file.
//
// Send reports how delivery went through its error: nil is delivered; a
// *PermanentError will never succeed and the notice is dead-lettered; a
// *RetryAfterError asks for a retry no sooner than its After; any other
// error is transient and retried with backoff. On success it returns the
// Receipt of what it left at the destination (the Jira key, the PagerDuty
// dedup key), which the outbox keeps for later notices (n.Refs); a sink
// with nothing to identify returns the zero Receipt. Send must be safe for
// concurrent use, and should be idempotent where the destination allows
// it (PagerDuty dedup_key, the Jira marker label), because the outbox
// delivers at least once: a redelivery returns the same receipt.
type Sink interface {
	Name() string
	Send(ctx context.Context, n *Notice) (Receipt, error)
}

// Receipt identifies what a delivery left at its destination, so that
// later steps (a resolve, a comment, a link from another sink) can refer
// to it.
type Receipt struct {
	// System is the kind of destination, one of the Type* constants
	// (TypeJira, TypeGitHub …), so that other sinks can tell a GitHub
	// issue from a Jira ticket.
	System string
	// ExternalID is the destination's own identifier: the Jira key
	// ("INFRA-12"), the PagerDuty dedup key, the GitHub issue number,
	// Slack's "<channel>/<ts>", an email's Message-ID.
	ExternalID string
	// URL opens it in a browser, where the sink knows one.
	URL string
	// PerDrift holds, for a notice about several drifts that the sink
	// handled one by one (a storm group in Jira: one ticket per
	// resource), each drift's own receipt by drift fingerprint.
	PerDrift map[string]Receipt
}

// IsZero reports whether r identifies nothing.
func (r Receipt) IsZero() bool { return r.ExternalID == "" && r.URL == "" && len(r.PerDrift) == 0 }

// Ref is a receipt as the outbox keeps it: tied to the sink and target
// that left it, and to the drift (fingerprint) and resource it was about.
type Ref struct {
	// Sink and Target are the notice's (Notice.Sink, Notice.Target).
	Sink   string
	Target string
	// Fingerprint is the drift's fingerprint, or a group's key for a
	// receipt of a whole storm group.
	Fingerprint string
	// ResourceKey is ResourceKey of the drift; empty for a group's.
	ResourceKey string
	Receipt
	// At is when the outbox recorded it (the latest delivery that
	// returned it).
	At time.Time
}

// Notice is one message for one sink: what the outbox stores and a Sink
// delivers. It is self-contained: a sink needs nothing else to render it.
type Notice struct {
	// Sink names the sink that delivers the notice (Sink.Name()).
	Sink string
	Kind Kind
	// Target narrows the destination within the sink: the Slack channel
	// ("#prod-critical"), the Jira project ("INFRA"). Empty means the
	// sink's default.
	Target string
	// URL overrides the webhook sink's URL: a rule's webhook action.
	URL string
	// Ticket carries a rule's create_ticket fields (project, issue type,
	// summary); nil means the sink's defaults.
	Ticket *TicketSpec
	// Priority is a rule alert action's priority ("p1"); informational.
	Priority string
	// Reason says why a KindResolved notice's drift was resolved, for
	// people: "resolved by alice: fixed in the console", "accepted: the
	// state now holds the cloud's values", "reverted in the cloud". The
	// GitHub issue sink closes the issue with it. Empty for other kinds.
	Reason string

	// Drift is the drift announced by KindDrift and KindResolved; for
	// KindGroup it is nil and Group holds the drifts.
	Drift *drift.Drift
	Group *Group

	// Fingerprint identifies what the notice is about, for sinks that
	// deduplicate: PagerDuty's dedup_key, a Slack thread. For drift and
	// resolved notices it is the drift's fingerprint, so a resolve
	// matches its trigger; for a group it is the group's key.
	Fingerprint string

	// Refs are the receipts earlier deliveries left about the notice's
	// resources, newest first: the Jira key a resolve transitions, the
	// GitHub issue a Slack message links to. The outbox's worker fills
	// them just before Send (they are not part of the stored notice), so
	// they include what a notice delivered a moment earlier left.
	Refs []Ref
}

// RefFrom returns the newest receipt that sink left about d: one for d's
// own fingerprint when there is one, else one for d's resource (a Jira
// ticket is kept per resource, whatever attribute drifted).
func (n *Notice) RefFrom(sink string, d *drift.Drift) (Ref, bool) {
	if d == nil {
		return Ref{}, false
	}
	fp, rk := driftFingerprint(d), ResourceKey(d)
	var byResource *Ref
	for i := range n.Refs {
		r := &n.Refs[i]
		if r.Sink != sink || r.ExternalID == "" && r.URL == "" {
			continue
		}
		if r.Fingerprint == fp {
			return *r, true
		}
		if byResource == nil && r.ResourceKey == rk {
			byResource = r
		}
	}
	if byResource != nil {
		return *byResource, true
	}
	return Ref{}, false
}

// SystemRef returns the newest receipt of a kind of destination
// (TypeGitHub) about d's resource, whichever sink left it: the GitHub
// issue a Slack message or a Jira ticket links to.
func (n *Notice) SystemRef(system string, d *drift.Drift) (Ref, bool) {
	if d == nil {
		return Ref{}, false
	}
	rk := ResourceKey(d)
	for _, r := range n.Refs {
		if r.System == system && r.ResourceKey == rk && r.URL != "" {
			return r, true
		}
	}
	return Ref{}, false
}

// TicketSpec is a rule's create_ticket action.
type TicketSpec struct {
	// System is "jira" or "github".
	System    string `json:"system,omitempty"`
	Project   string `json:"project,omitempty"`
	IssueType string `json:"issue_type,omitempty"`
	Summary   string `json:"summary,omitempty"`
}

// Group is a storm: many drifts by one actor within a window, announced
// once. Drifts are in arrival order.
type Group struct {
	// Actor is who made the changes (drift.Drift.User).
	Actor string
	// First and Last are the detection times of the first and last drift.
	First, Last time.Time
	// Window is the storm-control window the group was collected in.
	Window time.Duration
	Drifts []*drift.Drift
}

// Drifts returns the drifts a notice is about: the one drift, or the
// group's.
func (n *Notice) Drifts() []*drift.Drift {
	if n.Group != nil {
		return n.Group.Drifts
	}
	if n.Drift != nil {
		return []*drift.Drift{n.Drift}
	}
	return nil
}

// Key identifies what a notice is about within its sink, for ordering:
// two notices with the same key (a drift and its resolution, or two drifts
// on one resource) must not be delivered concurrently, or a Jira sink could
// open two tickets for one resource.
func (n *Notice) Key() string {
	if n.Kind == KindGroup || n.Drift == nil {
		return n.Sink + "\x00" + n.Target + "\x00group\x00" + n.Fingerprint
	}
	return n.Sink + "\x00" + n.Target + "\x00" + ResourceKey(n.Drift)
}

// OutboxKey is the notice's idempotency key in the outbox (the store's
// NewNotice.Key): the same drift routed twice to the same destination
// yields the same key, so it is enqueued once.
func (n *Notice) OutboxKey() string {
	return n.Sink + "|" + n.Target + "|" + n.URL + "|" + string(n.Kind) + "|" + n.Fingerprint
}

// ResourceKey identifies the drifted resource independently of what
// changed: the state source and address of a managed resource, or the
// cloud, account, type and ID of an unmanaged one. A Jira ticket is kept
// per ResourceKey.
func ResourceKey(d *drift.Drift) string {
	if d.ResourceAddress != "" {
		return "tf\x00" + d.Terraform.State + "\x00" + d.Terraform.Workspace + "\x00" + d.ResourceAddress
	}
	return "cloud\x00" + d.Provider() + "\x00" + d.Account() + "\x00" + d.ResourceType + "\x00" + d.ResourceID
}

// ResourceHash is a short stable hash of ResourceKey, safe in labels and
// identifiers (12 hex digits).
func ResourceHash(d *drift.Drift) string {
	sum := sha256.Sum256([]byte(ResourceKey(d)))
	return hex.EncodeToString(sum[:6])
}

// driftFingerprint returns d's fingerprint, computing and setting it when
// the detector has not (drifts built by hand in tests and replays).
func driftFingerprint(d *drift.Drift) string {
	if d.Fingerprint != "" {
		return d.Fingerprint
	}
	return d.ComputeFingerprint()
}

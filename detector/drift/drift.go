// Package drift defines Drift, what the detector emits, and its stable JSON
// form (one object per line with --format json).
//
// It imports only detector/change, so every package (ticket, gitops, app)
// may import it.
package drift

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"time"

	"github.com/tfdrift/tfdrift/detector/change"
)

// ChangeType says what happened to a resource.
type ChangeType string

// Change types.
const (
	Modified ChangeType = "modified"
	Created  ChangeType = "created" // a resource no state holds (unmanaged)
	Deleted  ChangeType = "deleted"
)

// AttrChange is one drifted attribute. Expected is the value in Terraform
// state, Actual the value the cloud now has. Both are JSON values (strings,
// numbers, bools, lists, maps); a string attribute stays a string, so a
// policy document is a JSON string.
type AttrChange struct {
	Expected any    `json:"expected"`
	Actual   any    `json:"actual"`
	Diff     string `json:"diff,omitempty"`
	// Unknown is set when the audit record hides the new value
	// (CloudTrail redacts user data, for example): the attribute was
	// written outside Terraform, but its value cannot be compared.
	Unknown bool `json:"unknown,omitempty"`
}

// Location is where the drifted resource is declared.
type Location struct {
	// State names the state source (a file path or backend object).
	State     string `json:"state,omitempty"`
	Workspace string `json:"workspace,omitempty"`
	// Module is the module directory relative to the repo ("modules/iam"),
	// empty for the root module. ModuleAddress is its address
	// ("module.iam").
	Module        string `json:"module,omitempty"`
	ModuleAddress string `json:"module_address,omitempty"`
	File          string `json:"file,omitempty"`
	Line          int    `json:"line,omitempty"`
	// EndLine is the last line of the resource's block (0 when unknown),
	// so a permalink can cover the whole block: #L<Line>-L<EndLine>.
	EndLine int `json:"end_line,omitempty"`
	// Remote is set when the module's code lives outside the repo
	// (registry or git source); File/Line then point at the module call.
	Remote string `json:"remote_source,omitempty"`
	// Repo names the repository holding the code ("owner/name" on GitHub;
	// empty for a local --repo), Root the root module directory inside it
	// ("" for the repository's top), and Ref the commit the file and lines
	// were read at. File is relative to the repository.
	Repo string `json:"repo,omitempty"`
	Root string `json:"root,omitempty"`
	Ref  string `json:"ref,omitempty"`
}

// Drift is one resource changed outside Terraform.
type Drift struct {
	// EventID identifies this drift record ("evt_" + 16 hex digits),
	// derived from the cloud event ID and the resource.
	EventID    string
	DetectedAt time.Time
	ChangeType ChangeType

	ResourceType string
	// ResourceID is the cloud identifier: the state's id attribute for a
	// managed resource, the ID from the event for an unmanaged one.
	ResourceID string
	// ResourceAddress is the Terraform address; empty for Created.
	ResourceAddress string
	// Changes maps Terraform attribute names to what changed.
	Changes map[string]AttrChange
	// Pending is set when the cloud accepted the write but applies it
	// later (an RDS or ElastiCache modification made without
	// ApplyImmediately, an Auto Scaling group's pending change): the
	// drift is real, but the resource still runs with state's values.
	// TakesEffect says when the change lands ("at the next maintenance
	// window"); it is empty unless Pending is set.
	Pending     bool
	TakesEffect string

	Severity Severity
	Rules    []string
	Tags     []string

	// Event is the cloud write that caused the drift.
	Event *change.Change
	// Terraform says where the resource lives in state and code.
	Terraform Location
	// Fingerprint identifies "the same drift": resource + attribute +
	// actual value. See ComputeFingerprint.
	Fingerprint string
}

// Template helpers: tfdrift-falco's payload and message templates use these
// names ({{ .User }}, {{ .CloudTrailEvent }}, {{ .SourceIP }}).

// User is who made the change: the person's name where known.
func (d *Drift) User() string {
	if d.Event == nil {
		return ""
	}
	a := d.Event.Actor
	for _, s := range []string{a.UserName, a.ARN, a.PrincipalID} {
		if s != "" {
			return s
		}
	}
	return ""
}

// CloudTrailEvent is the audit event name (the raw name, as logged).
func (d *Drift) CloudTrailEvent() string {
	if d.Event == nil {
		return ""
	}
	if d.Event.RawEventName != "" {
		return d.Event.RawEventName
	}
	return d.Event.EventName
}

// SourceIP is the caller's IP address.
func (d *Drift) SourceIP() string {
	if d.Event == nil {
		return ""
	}
	return d.Event.SourceIP
}

// Provider is aws or gcp.
func (d *Drift) Provider() string {
	if d.Event == nil {
		return ""
	}
	return string(d.Event.Provider)
}

// Account is the AWS account ID or GCP project.
func (d *Drift) Account() string {
	if d.Event == nil {
		return ""
	}
	return d.Event.Account
}

// Region is the event's region.
func (d *Drift) Region() string {
	if d.Event == nil {
		return ""
	}
	return d.Event.Region
}

// Attributes returns the changed attribute names, sorted.
func (d *Drift) Attributes() []string {
	names := make([]string, 0, len(d.Changes))
	for k := range d.Changes {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// ComputeFingerprint sets d.Fingerprint from the resource and each changed
// attribute's actual value. Two deliveries of the same change, or the same
// console edit seen twice, share a fingerprint; a different new value does not.
func (d *Drift) ComputeFingerprint() string {
	// One buffer hashed at once: the parts are short, and writing them
	// one by one into a hash.Hash allocated for each.
	b := make([]byte, 0, 256)
	w := func(s string) { b = append(append(b, s...), 0) }
	w(string(d.ChangeType))
	w(d.Provider())
	w(d.Account())
	w(d.ResourceType)
	if d.ResourceAddress != "" {
		w(d.ResourceAddress)
		w(d.Terraform.State)
	} else {
		w(d.ResourceID)
	}
	for _, name := range d.Attributes() {
		w(name)
		w(canonicalJSON(d.Changes[name].Actual))
	}
	sum := sha256.Sum256(b)
	d.Fingerprint = hex.EncodeToString(sum[:16])
	return d.Fingerprint
}

// ComputeEventID sets d.EventID from the cloud event ID and the resource,
// so replaying the same record yields the same ID.
func (d *Drift) ComputeEventID() string {
	b := make([]byte, 0, 128)
	if d.Event != nil {
		b = append(append(b, d.Event.EventID...), 0)
	}
	b = append(append(append(append(append(b, d.ResourceType...), 0), d.ResourceAddress...), 0), d.ResourceID...)
	sum := sha256.Sum256(b)
	var out [4 + 16]byte
	copy(out[:], "evt_")
	hex.Encode(out[4:], sum[:8])
	d.EventID = string(out[:])
	return d.EventID
}

// TagsString renders tags as a comma-separated list for plain-text use.
func (d *Drift) TagsString() string { return strings.Join(d.Tags, ",") }

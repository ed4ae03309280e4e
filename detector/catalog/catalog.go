package catalog

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
)

// Op is what a call does to one of its targets.
type Op uint8

// Operations.
const (
	Modify Op = iota // sets attributes of an existing resource
	Create           // makes a new resource (unmanaged unless state has it)
	Delete           // removes the resource
)

func (o Op) String() string {
	switch o {
	case Create:
		return "create"
	case Delete:
		return "delete"
	default:
		return "modify"
	}
}

// Entry describes one audit event.
type Entry struct {
	Provider change.Provider
	// Event is the normalised event name: CloudTrail eventName without
	// API-version suffix, or GCP methodName without version prefix.
	Event string
	// Service is the API host (ec2.amazonaws.com, compute.googleapis.com).
	Service string
	// Doc says in a few words what the call does.
	Doc     string
	Targets []Target
}

// Target is one resource type an event writes.
type Target struct {
	// Type is the Terraform resource type.
	Type string
	Op   Op
	// Key is the state attribute that ID values are matched against:
	// "id", "arn", "bucket", "identifier", or a composite such as
	// "role:name" (attributes joined by ':').
	Key string
	// ID extracts the identifier values from the event. One event may
	// name several resources (RunInstances, TerminateInstances).
	ID IDs
	// Attrs are the Terraform attributes the call sets.
	Attrs []Attr
	// Secondary marks a target that only reports what no primary target
	// of the same event covers:
	//   - a Create is reported as unmanaged only when no other target of
	//     the event was found in state: a new ingress rule on a managed
	//     security group is drift on the group, not a second, unmanaged
	//     resource;
	//   - a Modify is compared only when no primary target was found: a
	//     role's computed inline_policy repeats the drift of the managed
	//     aws_iam_role_policy, and is the drift only when no such resource
	//     manages the policy.
	Secondary bool
	// Inline marks a parent's legacy inline attribute that, since AWS
	// provider v4, a separate resource type manages instead (a bucket's
	// versioning and aws_s3_bucket_versioning, a security group's ingress
	// and aws_vpc_security_group_ingress_rule). Such a target is compared
	// only when
	//   - no other target of the event found the resource it writes (the
	//     split resource itself, or the attachment a re-attach names);
	//   - state holds no resource of the split type for this parent: then
	//     the split resources manage the attribute, and a write no split
	//     resource holds is an unmanaged one, reported by the event's
	//     secondary Create target if it has one;
	//   - and only for the attributes state really holds (not null or
	//     absent).
	// The parent is never blamed for what a split resource manages, so
	// accept never writes a legacy block beside the split resources.
	Inline *Split
	// Match, when set, narrows the resources found by Key to those the
	// event names by their properties: a rule revoked by protocol, ports
	// and source is found among the group's rule resources.
	Match *Match
	// Pending, when set, tells whether the cloud applies the call's
	// change later and when: it returns "" for a change applied at once,
	// else when it takes effect ("at the next maintenance window").
	Pending func(e *Event) string

	names []string // AttrNames, computed once by New
}

// Split names the resource type that manages a parent's inline attribute,
// and the attribute of that type holding the parent's identifier (the
// value the parent target resolves to).
type Split struct {
	Type string // aws_s3_bucket_versioning, aws_vpc_security_group_ingress_rule
	Key  string // bucket, security_group_id
}

// Match selects, among the resources a target's Key lookup found, those an
// event names. Attrs are the state attributes Func reads.
type Match struct {
	Attrs []string
	Func  func(e *Event, attrs map[string]any) bool
}

// Attr derives one Terraform attribute from an event.
type Attr struct {
	Name  string
	Value Value
}

// IDs extracts identifier values from an event.
type IDs func(e *Event) []string

// Value derives the new value of an attribute. current is the value in
// state (nil when unknown or for creations). ok is false when the event does
// not set the attribute.
type Value func(e *Event, current any) (v any, ok bool)

// Unknown is returned by a Value when the event proves the attribute was
// written but hides the new value (CloudTrail redacts user data).
var Unknown = unknownValue{}

type unknownValue struct{}

func (unknownValue) String() string { return "(value not in the audit record)" }

// Catalog is an immutable set of entries indexed by provider, service and
// event. Several services share call names (EKS and ECS both have
// CreateCluster), so the service is part of the key.
type Catalog struct {
	byKey  map[key]*Entry
	byName map[nameKey][]*Entry
	all    []*Entry
}

type key struct {
	p              change.Provider
	service, event string
}

type nameKey struct {
	p     change.Provider
	event string
}

// New builds a catalog from entries. It fails on duplicates and on entries
// that are malformed (no target, no ID function, no key), so a bad table is
// caught at start-up and in tests.
func New(entries ...[]Entry) (*Catalog, error) {
	c := &Catalog{byKey: map[key]*Entry{}, byName: map[nameKey][]*Entry{}}
	for _, list := range entries {
		for i := range list {
			e := &list[i]
			if err := e.validate(); err != nil {
				return nil, err
			}
			for j := range e.Targets {
				t := &e.Targets[j]
				t.names = make([]string, len(t.Attrs))
				for k, a := range t.Attrs {
					t.names[k] = a.Name
				}
			}
			k := key{e.Provider, e.Service, e.Event}
			if _, dup := c.byKey[k]; dup {
				return nil, fmt.Errorf("catalog: %s %s %s defined twice", e.Provider, e.Service, e.Event)
			}
			c.byKey[k] = e
			nk := nameKey{e.Provider, e.Event}
			c.byName[nk] = append(c.byName[nk], e)
			c.all = append(c.all, e)
		}
	}
	sort.Slice(c.all, func(i, j int) bool {
		if c.all[i].Provider != c.all[j].Provider {
			return c.all[i].Provider < c.all[j].Provider
		}
		if c.all[i].Service != c.all[j].Service {
			return c.all[i].Service < c.all[j].Service
		}
		return c.all[i].Event < c.all[j].Event
	})
	return c, nil
}

func (e *Entry) validate() error {
	where := fmt.Sprintf("catalog: %s %s", e.Provider, e.Event)
	if e.Provider == "" || e.Event == "" || e.Service == "" {
		return fmt.Errorf("%s: provider, event and service are required", where)
	}
	if len(e.Targets) == 0 {
		return fmt.Errorf("%s: no targets", where)
	}
	for _, t := range e.Targets {
		if t.Type == "" || t.Key == "" || t.ID == nil {
			return fmt.Errorf("%s: target %q needs Type, Key and ID", where, t.Type)
		}
		if t.Inline != nil && (t.Op != Modify || t.Inline.Type == "" || t.Inline.Key == "") {
			return fmt.Errorf("%s: inline target %s must modify and name its split type and key", where, t.Type)
		}
		if t.Match != nil && (t.Match.Func == nil || len(t.Match.Attrs) == 0) {
			return fmt.Errorf("%s: target %s: a match needs a function and the attributes it reads", where, t.Type)
		}
		if t.Op == Modify && len(t.Attrs) == 0 {
			return fmt.Errorf("%s: modify target %s sets no attributes", where, t.Type)
		}
		for _, a := range t.Attrs {
			if a.Name == "" || a.Value == nil {
				return fmt.Errorf("%s: target %s has an attribute without name or value", where, t.Type)
			}
		}
	}
	return nil
}

// Lookup returns the entry for a normalised event name when exactly one
// service maps it, or nil. Prefer LookupService.
func (c *Catalog) Lookup(p change.Provider, event string) *Entry {
	if es := c.byName[nameKey{p, event}]; len(es) == 1 {
		return es[0]
	}
	return nil
}

// LookupService returns the entry for an event of a service (the API host,
// as in CloudTrail's eventSource or GCP's serviceName). When the record does
// not name its service (some Falco rules omit ct.src), the event name alone
// decides if it is unambiguous.
func (c *Catalog) LookupService(p change.Provider, service, event string) *Entry {
	if service == "" {
		return c.Lookup(p, event)
	}
	return c.byKey[key{p, service, event}]
}

// Has reports whether any service maps the event. It is the cheap
// pre-filter that lets decoders skip irrelevant records before a full
// decode, when only the event name is known.
func (c *Catalog) Has(p change.Provider, event string) bool {
	return len(c.byName[nameKey{p, event}]) > 0
}

// Entries returns every entry, sorted by provider, service and event.
func (c *Catalog) Entries() []*Entry { return c.all }

// Count returns the number of entries for a provider.
func (c *Catalog) Count(p change.Provider) int {
	n := 0
	for _, e := range c.all {
		if e.Provider == p {
			n++
		}
	}
	return n
}

// KeysByType returns, for every resource type, the identifying attributes
// the catalog looks resources up by. The state index is built from it.
func (c *Catalog) KeysByType() map[string][]string {
	out := map[string][]string{}
	for _, e := range c.all {
		for _, t := range e.Targets {
			if !contains(out[t.Type], t.Key) {
				out[t.Type] = append(out[t.Type], t.Key)
			}
			if sp := t.Inline; sp != nil && !contains(out[sp.Type], sp.Key) {
				out[sp.Type] = append(out[sp.Type], sp.Key)
			}
		}
	}
	return out
}

// AttrNames lists the attributes a target sets (the engine decodes only
// these from state). The slice is shared: do not modify it.
func (t *Target) AttrNames() []string {
	if t.names != nil || len(t.Attrs) == 0 {
		return t.names
	}
	names := make([]string, len(t.Attrs)) // a Target not built by New
	for i, a := range t.Attrs {
		names[i] = a.Name
	}
	return names
}

// Resolution is one resource an event names.
type Resolution struct {
	Target *Target
	ID     string
}

// Resolve lists the resources the event names, target by target.
func (e *Entry) Resolve(ev *Event) []Resolution {
	var out []Resolution
	for i := range e.Targets {
		t := &e.Targets[i]
		for _, id := range t.ID(ev) {
			if id = strings.TrimSpace(id); id != "" {
				out = append(out, Resolution{Target: t, ID: id})
			}
		}
	}
	return out
}

// Derive computes the attributes the event sets on one resource, given the
// resource's current state attributes (nil for creations). Attributes the
// event does not set are absent from the result.
func (t *Target) Derive(ev *Event, current map[string]any) map[string]any {
	return t.DeriveFor(ev, "", current)
}

// DeriveFor is Derive for one resolved identifier: hooks that serve calls
// naming several resources (a Route 53 batch) read it from Event.ID.
// Quiet values (see Quiet) are left out.
func (t *Target) DeriveFor(ev *Event, id string, current map[string]any) map[string]any {
	out, _ := t.DeriveQuiet(ev, id, current)
	return out
}

// DeriveQuiet is DeriveFor that also returns the quiet values: what the
// cloud now holds for attributes that are no drift of their own.
func (t *Target) DeriveQuiet(ev *Event, id string, current map[string]any) (values, quiet map[string]any) {
	ev.ID, ev.State = id, current
	values = make(map[string]any, len(t.Attrs))
	for _, a := range t.Attrs {
		var cur any
		if current != nil {
			cur = current[a.Name]
		}
		v, ok := a.Value(ev, cur)
		if !ok {
			continue
		}
		if q, isQuiet := v.(quietValue); isQuiet {
			if quiet == nil {
				quiet = map[string]any{}
			}
			quiet[a.Name] = q.v
			continue
		}
		values[a.Name] = v
	}
	return values, quiet
}

// Quiet wraps a derived value that the cloud now holds but that is no
// drift of its own: tags_all after a write to a tag the code sets, which
// merely follows tags. The engine records it as the cloud's value, so
// later writes build on it, and does not report it.
func Quiet(v any) any { return quietValue{v} }

type quietValue struct{ v any }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

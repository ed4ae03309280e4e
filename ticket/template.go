package ticket

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket/cost"
)

// TemplateData is what message_template (Slack) and payload_template
// (webhooks) see. The names tfdrift-falco templates use (.ResourceID, .ResourceType, .User,
// .ChangeType, .DetectedAt, .Tags, .CloudTrailEvent, .SourceIP,
// .Severity) plus the cost impact, the full drift and its JSON record.
//
// For a group notice (storm control) the scalar fields describe the
// group: ResourceID is the first resource's ID followed by "(+N more)",
// ResourceType, ChangeType, CloudTrailEvent and SourceIP are the drifts'
// common value or "multiple", Severity is the highest, Tags the union,
// DetectedAt the first detection; Drift and Record are the first drift's;
// Drifts lists them all and Count says how many.
type TemplateData struct {
	Kind            Kind
	ResourceID      string
	ResourceType    string
	ResourceAddress string
	User            string
	ChangeType      drift.ChangeType
	// DetectedAt is RFC 3339 in UTC: "2025-01-20T14:32:15Z".
	DetectedAt      string
	Tags            []string
	CloudTrailEvent string
	SourceIP        string
	Severity        drift.Severity
	// CostImpact is nil when the drift changes nothing priced.
	CostImpact *cost.Impact

	Provider    string
	Account     string
	Region      string
	EventID     string
	Fingerprint string
	Rules       []string
	Changes     map[string]drift.AttrChange
	// Title names the resource: "aws_security_group.web (sg-0123)".
	Title string
	// Code is "file:line" and CodeURL its link, when known.
	Code     string
	CodeURL  string
	Priority string

	Count  int
	Drifts []*drift.Drift
	Group  *Group
	Drift  *drift.Drift
	Record drift.Record

	// GitHubIssue and GitHubIssueURL name the GitHub issue of the
	// drift's resource, when one is known: "12" and its html_url (empty
	// for a group). Refs lists every receipt earlier deliveries left about
	// the notice's resources, newest first (Notice.Refs).
	GitHubIssue    string
	GitHubIssueURL string
	Refs           []Ref
}

// NewTemplateData builds the template view of n.
func NewTemplateData(n *Notice, link CodeLink) *TemplateData {
	ds := n.Drifts()
	if len(ds) == 0 {
		return &TemplateData{Kind: n.Kind, Tags: []string{}, Rules: []string{}, Changes: map[string]drift.AttrChange{}, Refs: []Ref{}}
	}
	d := ds[0]
	td := &TemplateData{
		Kind:            n.Kind,
		ResourceID:      d.ResourceID,
		ResourceType:    d.ResourceType,
		ResourceAddress: d.ResourceAddress,
		User:            d.User(),
		ChangeType:      d.ChangeType,
		DetectedAt:      rfc3339(d.DetectedAt),
		Tags:            nonNil(d.Tags),
		CloudTrailEvent: d.CloudTrailEvent(),
		SourceIP:        d.SourceIP(),
		Severity:        d.Severity,
		Provider:        d.Provider(),
		Account:         d.Account(),
		Region:          d.Region(),
		EventID:         d.EventID,
		Fingerprint:     n.Fingerprint,
		Rules:           nonNil(d.Rules),
		Changes:         d.Changes,
		Title:           d.Title(),
		Code:            CodeText(d.Terraform),
		CodeURL:         link.URL(d.Terraform),
		Priority:        n.Priority,
		Count:           len(ds),
		Drifts:          ds,
		Group:           n.Group,
		Drift:           d,
		Record:          d.ToRecord(),
	}
	if td.Changes == nil {
		td.Changes = map[string]drift.AttrChange{}
	}
	td.Refs = nonNilRefs(n.Refs)
	if ref, ok := n.SystemRef(TypeGitHub, d); ok {
		td.GitHubIssue, td.GitHubIssueURL = ref.ExternalID, ref.URL
	}
	if td.Fingerprint == "" {
		td.Fingerprint = d.Fingerprint
	}
	if im, ok := cost.Estimate(d); ok {
		td.CostImpact = im
	}
	if len(ds) > 1 {
		td.summarizeGroup(ds)
	}
	return td
}

// multiple stands for a value the drifts of a group do not share.
const multiple = "multiple"

func (td *TemplateData) summarizeGroup(ds []*drift.Drift) {
	td.ResourceID = fmt.Sprintf("%s (+%d more)", ds[0].ResourceID, len(ds)-1)
	td.Title = fmt.Sprintf("%d resources", len(ds))
	common := func(get func(*drift.Drift) string) string {
		v := get(ds[0])
		for _, d := range ds[1:] {
			if get(d) != v {
				return multiple
			}
		}
		return v
	}
	td.ResourceType = common(func(d *drift.Drift) string { return d.ResourceType })
	td.ResourceAddress = ""
	td.ChangeType = drift.ChangeType(common(func(d *drift.Drift) string { return string(d.ChangeType) }))
	td.CloudTrailEvent = common((*drift.Drift).CloudTrailEvent)
	td.SourceIP = common((*drift.Drift).SourceIP)
	td.Account = common((*drift.Drift).Account)
	td.Region = common((*drift.Drift).Region)
	td.Code, td.CodeURL, td.CostImpact = "", "", nil
	td.GitHubIssue, td.GitHubIssueURL = "", ""
	var tags, rules []string
	for _, d := range ds {
		td.Severity = drift.Max(td.Severity, d.Severity)
		for _, t := range d.Tags {
			if !slices.Contains(tags, t) {
				tags = append(tags, t)
			}
		}
		for _, r := range d.Rules {
			if !slices.Contains(rules, r) {
				rules = append(rules, r)
			}
		}
	}
	td.Tags, td.Rules = nonNil(tags), nonNil(rules)
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func nonNilRefs(r []Ref) []Ref {
	if r == nil {
		return []Ref{}
	}
	return r
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// JSONValue is JSON text produced by the json template function. The
// webhook renderer inserts it as is where a JSON value may stand, instead
// of encoding it again.
type JSONValue string

// TemplateFuncs are the functions message and payload templates may call:
//
//	json   whole value as JSON: {{ .Tags | json }}, {{ .Record | json }}
//	join   {{ join .Tags ", " }}
//	upper  {{ .Severity | upper }}
//	lower  {{ .ChangeType | lower }}
//
// Give the same map to config validation (config.WithTemplateFuncs) so
// templates using them validate.
func TemplateFuncs() template.FuncMap {
	return template.FuncMap{
		"json":  toJSON,
		"join":  func(elems []string, sep string) string { return strings.Join(elems, sep) },
		"upper": func(s any) string { return strings.ToUpper(fmt.Sprint(s)) },
		"lower": func(s any) string { return strings.ToLower(fmt.Sprint(s)) },
	}
}

func toJSON(v any) (JSONValue, error) {
	if j, ok := v.(JSONValue); ok {
		return j, nil
	}
	b, err := MarshalJSON(v)
	if err != nil {
		return "", err
	}
	return JSONValue(b), nil
}

// MarshalJSON encodes v without HTML escaping (payloads are not HTML, and
// "<" reads better than "\u003c" in a SIEM) and without a trailing newline.
func MarshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// SampleNotice is a drift notice with every field that templates use
// set, for test-running templates when the configuration is loaded.
func SampleNotice() *Notice {
	t := time.Date(2025, 1, 20, 14, 32, 15, 0, time.UTC)
	d := &drift.Drift{
		EventID:         "evt_0123456789abcdef",
		DetectedAt:      t,
		ChangeType:      drift.Modified,
		ResourceType:    "aws_instance",
		ResourceID:      "i-0123456789abcdef0",
		ResourceAddress: "aws_instance.app_server",
		Changes: map[string]drift.AttrChange{
			"instance_type": {Expected: "t3.micro", Actual: "m5.8xlarge", Diff: `"t3.micro" → "m5.8xlarge"`},
		},
		Severity: drift.Critical,
		Rules:    []string{"High-Cost Instance Upgrade"},
		Tags:     []string{"cost"},
		Event: &change.Change{
			Provider: change.AWS, Account: "123456789012", Region: "us-east-1",
			Service: "ec2.amazonaws.com", EventName: "ModifyInstanceAttribute", RawEventName: "ModifyInstanceAttribute",
			EventID: "a1b2c3d4-5678-90ab-cdef-1234567890ab", Time: t,
			Actor:    change.Actor{Type: "IAMUser", UserName: "devops-team@example.com", ARN: "arn:aws:iam::123456789012:user/devops-team", AccountID: "123456789012"},
			SourceIP: "203.0.113.42", UserAgent: "console.amazonaws.com",
		},
		Terraform:   drift.Location{State: "terraform.tfstate", File: "main.tf", Line: 12},
		Fingerprint: "0123456789abcdef0123456789abcdef",
	}
	return &Notice{Sink: "sample", Kind: KindDrift, Drift: d, Fingerprint: d.Fingerprint}
}

// SampleTemplateData is the value to test-run templates against when the
// configuration is loaded (config.WithTemplateData).
func SampleTemplateData() *TemplateData { return NewTemplateData(SampleNotice(), CodeLink{}) }

package action

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// SARIFSchema is the OASIS schema URI the log declares.
const SARIFSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// SARIF writes a SARIF 2.1.0 log: one result per drifted attribute (one
// per deleted resource), at the attribute's line in the code, or the
// resource's line when the code does not write the attribute. The rule is
// the drift rule that gave the severity, else DefaultRuleID; the level
// comes from the severity (critical and high: error, medium: warning, low
// and info: note), and each rule carries GitHub's security-severity so
// code scanning ranks the alerts. A root that could not be checked is a
// tool execution notification, and the invocation is then unsuccessful.
// Paths are relative to the repository (uriBaseId %SRCROOT%), as GitHub
// code scanning expects.
type SARIF struct {
	W io.Writer
}

// Write implements Output.
func (s SARIF) Write(r *Report) error {
	enc := json.NewEncoder(s.W)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLogOf(r))
}

// The SARIF object model, as much of it as tfdrift writes. Field order
// follows the specification's.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	ShortDescription     sarifMessage   `json:"shortDescription"`
	FullDescription      sarifMessage   `json:"fullDescription"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level   string       `json:"level"`
	Message sarifMessage `json:"message"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifMessage      `json:"message"`
	Locations           []sarifLocation   `json:"locations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifLogical struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

// sarifLevel maps a severity to a SARIF level.
func sarifLevel(s drift.Severity) string {
	switch {
	case s.AtLeast(drift.High):
		return "error"
	case s.AtLeast(drift.Medium):
		return "warning"
	}
	return "note"
}

// securitySeverity is GitHub code scanning's score for a severity: over
// 9.0 is critical, 7.0–8.9 high, 4.0–6.9 medium, below that low.
func securitySeverity(s drift.Severity) string {
	switch s {
	case drift.Critical:
		return "9.5"
	case drift.High:
		return "8.0"
	case drift.Medium:
		return "5.5"
	case drift.Low:
		return "3.0"
	}
	return "1.0"
}

// fingerprintKey names tfdrift's partial fingerprint; bump the version if
// what it hashes changes, so code scanning does not match unlike alerts.
const fingerprintKey = "tfdriftDrift/v1"

func sarifLogOf(r *Report) sarifLog {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name: "tfdrift", Version: r.Version, InformationURI: "https://github.com/tfdrift/tfdrift",
			Rules: []sarifRule{},
		}},
		Results: []sarifResult{},
	}
	inv := sarifInvocation{ExecutionSuccessful: true}
	for _, root := range r.Failed() {
		inv.ExecutionSuccessful = false
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
			Level:   "error",
			Message: sarifMessage{Text: fmt.Sprintf("root module %s was not checked: %v", root.Dir, root.Err)},
		})
	}
	run.Invocations = []sarifInvocation{inv}

	ruleIndex := map[string]int{}
	for _, root := range r.Roots {
		for _, d := range root.Drifts {
			id := ruleID(d)
			i, ok := ruleIndex[id]
			if !ok {
				i = len(run.Tool.Driver.Rules)
				ruleIndex[id] = i
				run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, newSARIFRule(id))
			}
			raiseRule(&run.Tool.Driver.Rules[i], d)
			for _, attr := range attrs(d) {
				run.Results = append(run.Results, sarifResultOf(root, d, attr, id, i))
			}
		}
	}
	return sarifLog{Schema: SARIFSchema, Version: "2.1.0", Runs: []sarifRun{run}}
}

func newSARIFRule(id string) sarifRule {
	short := "Drift rule: " + id
	full := "A drift that matched the drift rule " + strings.TrimSpace(id) + " in the tfdrift config (drift_rules): the cloud no longer matches what Terraform state and code say."
	if id == DefaultRuleID {
		short = "Infrastructure changed outside Terraform"
		full = "The cloud no longer matches what Terraform state and code say: an attribute was changed, or the object deleted, outside Terraform. No drift rule matched; the severity is the default."
	}
	return sarifRule{
		ID:               id,
		ShortDescription: sarifMessage{Text: short},
		FullDescription:  sarifMessage{Text: full},
		Properties:       map[string]any{"tags": []string{"security", "terraform", "drift"}},
	}
}

// raiseRule makes a rule's level and security severity those of its most
// severe drift in this log.
func raiseRule(rule *sarifRule, d Drift) {
	prev, _ := rule.Properties["severity"].(drift.Severity)
	sev := drift.Max(prev, d.Severity)
	rule.Properties["severity"] = sev
	rule.Properties["security-severity"] = securitySeverity(sev)
	rule.DefaultConfiguration.Level = sarifLevel(sev)
	tags := rule.Properties["tags"].([]string)
	for _, t := range d.Tags {
		if !contains(tags, t) {
			tags = append(tags, t)
		}
	}
	rule.Properties["tags"] = tags
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func sarifResultOf(root Root, d Drift, attr, rule string, index int) sarifResult {
	res := sarifResult{
		RuleID:    rule,
		RuleIndex: index,
		Level:     sarifLevel(d.Severity),
		Message:   sarifMessage{Text: resultText(d, attr)},
		PartialFingerprints: map[string]string{
			fingerprintKey: d.Fingerprint + ":" + attr,
		},
		Properties: map[string]any{
			"severity":         d.Severity,
			"change_type":      d.ChangeType,
			"resource_address": d.ResourceAddress,
			"resource_id":      d.ResourceID,
			"root":             root.Dir,
			"rules":            nonNil(d.Rules),
			"tags":             nonNil(d.Tags),
		},
	}
	if attr != "" {
		res.Properties["attribute"] = attr
	}
	loc := sarifLocation{LogicalLocations: []sarifLogical{{FullyQualifiedName: joinAttr(d.ResourceAddress, attr), Kind: "member"}}}
	if attr == "" {
		loc.LogicalLocations[0].Kind = "resource"
	}
	file, line, declared := root.position(d, attr)
	if file != "" {
		loc.PhysicalLocation = &sarifPhysical{ArtifactLocation: sarifArtifact{URI: fileURI(file), URIBaseID: "%SRCROOT%"}}
		if line > 0 {
			loc.PhysicalLocation.Region = &sarifRegion{StartLine: line}
		}
	}
	if !declared {
		res.Message.Text += " " + notDeclared
	}
	res.Locations = []sarifLocation{loc}
	return res
}

// notDeclared explains a drift shown at the root's DefaultFile.
const notDeclared = "The resource is in the state but not declared in the code."

// resultText is one result's message.
func resultText(d Drift, attr string) string {
	name := d.ResourceAddress
	if d.ResourceID != "" {
		name += " (" + d.ResourceID + ")"
	}
	if attr == "" {
		return fmt.Sprintf("%s was %s outside Terraform; severity %s.", name, d.ChangeType, d.Severity)
	}
	msg := fmt.Sprintf("%s: %s changed outside Terraform; severity %s.", name, attr, d.Severity)
	if diff := d.Changes[attr].Diff; diff != "" {
		msg += " " + oneLine(diff, 500)
	}
	return msg
}

func joinAttr(address, attr string) string {
	if attr == "" {
		return address
	}
	return address + "." + attr
}

// fileURI renders a repository-relative slash path as a relative URI
// reference: spaces and other reserved characters are percent-encoded.
func fileURI(file string) string {
	return (&url.URL{Path: file}).String()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

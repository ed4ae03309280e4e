package falcogrpc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/falcosecurity/client-go/pkg/api/outputs"
	"github.com/falcosecurity/client-go/pkg/api/schema"
)

// alertJSON is the shape of a Falco http_output alert (json_output: true),
// so that the detector decodes alerts from gRPC and HTTP the same way.
// Over gRPC every output field is a string; over HTTP numbers stay numbers
// and absent fields are null. The decoder accepts both.
type alertJSON struct {
	Hostname     string            `json:"hostname"`
	Output       string            `json:"output"`
	OutputFields map[string]string `json:"output_fields"`
	Priority     string            `json:"priority"`
	Rule         string            `json:"rule"`
	Source       string            `json:"source"`
	Tags         []string          `json:"tags"`
	Time         string            `json:"time,omitempty"`
}

// priorityNames are Falco's own spellings in JSON output, indexed by
// schema.Priority. The generated Priority_name map gives upper case.
var priorityNames = [...]string{
	schema.Priority_EMERGENCY:     "Emergency",
	schema.Priority_ALERT:         "Alert",
	schema.Priority_CRITICAL:      "Critical",
	schema.Priority_ERROR:         "Error",
	schema.Priority_WARNING:       "Warning",
	schema.Priority_NOTICE:        "Notice",
	schema.Priority_INFORMATIONAL: "Informational",
	schema.Priority_DEBUG:         "Debug",
}

// sourceNames name the deprecated source enum, used only when a Falco too
// old to fill the source string sends an event.
var sourceNames = [...]string{
	schema.Source_SYSCALL:   "syscall",
	schema.Source_K8S_AUDIT: "k8s_audit",
	schema.Source_INTERNAL:  "internal",
	schema.Source_PLUGIN:    "plugin",
}

// toJSON renders a gRPC output event as an http_output alert.
func toJSON(res *outputs.Response) ([]byte, error) {
	a := alertJSON{
		Hostname:     res.GetHostname(),
		Output:       res.GetOutput(),
		OutputFields: res.GetOutputFields(),
		Rule:         res.GetRule(),
		Source:       res.GetSource(),
		Tags:         res.GetTags(),
	}
	if p := int(res.GetPriority()); p >= 0 && p < len(priorityNames) {
		a.Priority = priorityNames[p]
	} else {
		return nil, fmt.Errorf("rule %q: unknown priority %d", a.Rule, p)
	}
	if a.Source == "" {
		//lint:ignore SA1019 the only source old Falco releases fill in
		if s := int(res.GetSourceDeprecated()); s >= 0 && s < len(sourceNames) {
			a.Source = sourceNames[s]
		}
	}
	if ts := res.GetTime(); ts != nil {
		if err := ts.CheckValid(); err != nil {
			return nil, fmt.Errorf("rule %q: time: %w", a.Rule, err)
		}
		a.Time = ts.AsTime().UTC().Format(time.RFC3339Nano)
	}
	// Falco writes empty collections as {} and [], never null, and the
	// decoder recognises an alert by its output_fields object.
	if a.OutputFields == nil {
		a.OutputFields = map[string]string{}
	}
	if a.Tags == nil {
		a.Tags = []string{}
	}
	// Falco's outputs are full of "<NA>"; keep them readable rather than
	// HTML-escaped.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(a); err != nil {
		return nil, fmt.Errorf("rule %q: encoding alert: %w", a.Rule, err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

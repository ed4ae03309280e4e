package catalog

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/normalize"
)

// TestDefaultTagResentIsNoDrift: with a provider default_tags block, a
// tag write that sets what tags_all already holds is no drift, for the
// services whose tag entries came from the catalog's growth (ECR, Secrets
// Manager, CloudWatch Logs, SSM, Step Functions, ACM, CloudWatch alarms,
// EventBridge). Each record is the service's _default_tags case with its
// tag set back to the default's value (cc-0001): nothing derived differs
// from state, and tags_all is only recorded as the cloud's value (Quiet),
// as the engine's comparison needs.
func TestDefaultTagResentIsNoDrift(t *testing.T) {
	cat := Default()
	cases := loadCases(t)
	for _, name := range []string{
		"ecr/TagResource", "secretsmanager/TagResource", "secretsmanager/TagResource_by_name",
		"logs/TagResource", "logs/TagLogGroup", "ssm/AddTagsToResource", "ssm/AddTagsToResource_document",
		"states/TagResource", "acm/AddTagsToCertificate", "monitoring/TagResource", "events/TagResource",
	} {
		t.Run(name, func(t *testing.T) {
			c := cases["testdata/cases/aws/"+name+"_default_tags.json"]
			if c == nil {
				t.Fatalf("no case %s_default_tags.json", name)
			}
			var rec map[string]any
			if err := json.Unmarshal(c.Record, &rec); err != nil {
				t.Fatal(err)
			}
			req := rec["requestParameters"].(map[string]any)
			if _, isMap := req["tags"].(map[string]any); isMap {
				req["tags"] = map[string]any{"cost-center": "cc-0001"}
			} else {
				req["tags"] = []any{map[string]any{"key": "cost-center", "value": "cc-0001"}}
			}
			raw, _ := json.Marshal(rec)
			ch := changeFromRecord(t, raw)
			entry := cat.LookupService(change.AWS, ch.Service, ch.EventName)
			ev := NewEvent(ch)
			found := 0
			for _, r := range entry.Resolve(ev) {
				for _, s := range c.State {
					if s.Type != r.Target.Type || keyValue(s.Attributes, r.Target.Key) != r.ID {
						continue
					}
					found++
					values, quiet := r.Target.DeriveQuiet(ev, r.ID, s.Attributes)
					for attr, v := range values {
						if v == Unknown || !normalize.Equal(s.Attributes[attr], v) {
							t.Errorf("%s.%s: %v differs from state's %v: reported as drift", r.Target.Type, attr, v, s.Attributes[attr])
						}
					}
					if diff := cmp.Diff(s.Attributes["tags_all"], quiet["tags_all"]); diff != "" {
						t.Errorf("tags_all is not recorded as the cloud's unchanged set (-state +quiet):\n%s", diff)
					}
				}
			}
			if found != 1 {
				t.Errorf("%d managed resources resolved, want 1", found)
			}
		})
	}
}

// TestTagEdits: the tag edits read every request shape the tag entries
// meet.
func TestTagEdits(t *testing.T) {
	tests := []struct {
		name string
		edit TagEdit
		req  string
		want TagChange
		ok   bool
	}{
		{"pairs, lower-case members", TagListEdit("tags", "key", "value", false), `{"tags":[{"key":"env","value":"dev"},{"key":"owner"}]}`,
			TagChange{Set: map[string]any{"env": "dev", "owner": nil}}, true},
		{"pairs, capitalised members", TagListEdit("tags", "key", "value", false), `{"tags":[{"Key":"x","Value":"y"}]}`,
			TagChange{Set: map[string]any{"x": "y"}}, true},
		{"S3's capitalised names, either case", TagListEdit("T.Tag", "Key", "Value", true), `{"T":{"Tag":[{"key":"a","value":"1"}]}}`,
			TagChange{Set: map[string]any{"a": "1"}, Replace: true}, true},
		{"pairs absent", TagListEdit("tags", "key", "value", false), `{"other":1}`, TagChange{}, false},
		{"map", TagMapEdit("tags"), `{"tags":{"env":"qa"}}`, TagChange{Set: map[string]any{"env": "qa"}}, true},
		{"empty map", TagMapEdit("tags"), `{"tags":{}}`, TagChange{}, false},
		{"keys", TagKeysEdit("tagKeys"), `{"tagKeys":["a","b"]}`, TagChange{Remove: []string{"a", "b"}}, true},
		{"key objects, a value only while it matches", TagKeysEdit("tags"), `{"tags":[{"key":"a"},{"Key":"b","Value":"2"}]}`,
			TagChange{Remove: []string{"a"}, RemoveIf: map[string]any{"b": "2"}}, true},
		{"no keys", TagKeysEdit("tagKeys"), `{"tagKeys":[]}`, TagChange{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.edit(NewEvent(&change.Change{Provider: change.AWS, Request: json.RawMessage(tt.req)}))
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if diff := cmp.Diff(tt.want, got); ok && diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

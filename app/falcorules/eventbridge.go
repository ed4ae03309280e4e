package falcorules

import (
	"encoding/json"
	"sort"

	"github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/detector/change"
)

// EventBridgeDetailType is the detail-type of CloudTrail API calls on
// EventBridge.
const EventBridgeDetailType = "AWS API Call via CloudTrail"

// eventBridgePattern fixes the key order of the rendered pattern.
type eventBridgePattern struct {
	DetailType []string          `json:"detail-type"`
	Detail     eventBridgeDetail `json:"detail"`
}

type eventBridgeDetail struct {
	EventSource []string         `json:"eventSource"`
	ErrorCode   []map[string]any `json:"errorCode"`
}

// EventBridgePattern returns the event pattern of an EventBridge rule that
// sends tfdrift (through SQS) every successful API call of the services the
// catalog covers.
//
// It selects by service, not by event name: the names would not fit the
// pattern size limit (2,048 characters by default), and tfdrift drops calls
// its catalog does not map after one scan of the record. Read-only calls
// are not delivered to a rule unless it opts in to them, and failed calls
// (with an errorCode) are filtered here.
func EventBridgePattern(cat *catalog.Catalog) []byte {
	seen := map[string]bool{}
	var sources []string
	for _, e := range cat.Entries() {
		if e.Provider == change.AWS && !seen[e.Service] {
			seen[e.Service] = true
			sources = append(sources, e.Service)
		}
	}
	sort.Strings(sources)
	p := eventBridgePattern{
		DetailType: []string{EventBridgeDetailType},
		Detail: eventBridgeDetail{
			EventSource: sources,
			ErrorCode:   []map[string]any{{"exists": false}},
		},
	}
	// Marshalling strings, slices and a bool cannot fail.
	b, _ := json.MarshalIndent(p, "", "  ")
	return append(b, '\n')
}

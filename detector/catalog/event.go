package catalog

import (
	"encoding/json"
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/internal/jsonany"
)

// Event is a Change with its request and response decoded on first use.
// An Event is used by one goroutine at a time.
type Event struct {
	*change.Change
	// ID is the identifier being derived for (see Target.DeriveFor);
	// empty when the caller derives for the event as a whole.
	ID string
	// State holds the current attributes of the resource being derived
	// for (see Target.DeriveFor): a Value that depends on a sibling
	// attribute reads it here (tags and tags_all). Nil for creations.
	State map[string]any
	// Recorded holds the same attributes as Terraform state records them,
	// when State is the cloud's newer view of them (the engine lays the
	// values of earlier writes over state); nil means State is state's.
	// Tags use it to tell a write that differs from state from one that
	// only repeats an earlier write.
	Recorded          map[string]any
	req, resp         any
	reqDone, respDone bool
}

// NewEvent wraps c.
func NewEvent(c *change.Change) *Event { return &Event{Change: c} }

// Req returns the decoded request (requestParameters / protoPayload.request).
func (e *Event) Req() any {
	if !e.reqDone {
		e.req, e.reqDone = decodeJSON(e.Request), true
	}
	return e.req
}

// Resp returns the decoded response (responseElements / protoPayload.response).
func (e *Event) Resp() any {
	if !e.respDone {
		e.resp, e.respDone = decodeJSON(e.Response), true
	}
	return e.resp
}

func decodeJSON(raw json.RawMessage) any {
	if len(raw) == 0 {
		return nil
	}
	v, err := jsonany.Decode(raw)
	if se, ok := err.(*jsonany.SyntaxError); ok && se.Trailing {
		// json.Decoder, used here before, read the first value and
		// ignored what followed. Decoders hand over whole values, but a
		// doubly-encoded payload below is unchecked text: keep accepting
		// `{"a":1} junk` as the object, as it was. Only this rare input
		// pays for a second pass.
		v, err = jsonany.Decode(raw[:se.Offset])
	}
	if err != nil {
		return nil
	}
	// Falco delivers ct.request as a JSON string holding JSON; tolerate
	// a doubly-encoded payload here too.
	if s, ok := v.(string); ok && len(s) > 1 && (s[0] == '{' || s[0] == '[') {
		return decodeJSON(json.RawMessage(s))
	}
	return v
}

// Path returns every value found at a dot-separated path in v. Lists are
// fanned out: "instancesSet.items.instanceId" yields each instance's ID.
// A segment "[]" is not needed; lists are entered implicitly.
func Path(v any, path string) []any {
	if path == "" || path == "." {
		return flatten(v)
	}
	var out []any
	walk(v, strings.Split(path, "."), &out)
	return out
}

func walk(v any, segs []string, out *[]any) {
	switch t := v.(type) {
	case nil:
		return
	case []any:
		for _, e := range t {
			walk(e, segs, out)
		}
		return
	}
	if len(segs) == 0 {
		*out = append(*out, v)
		return
	}
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	next, ok := m[segs[0]]
	if !ok {
		return
	}
	if len(segs) == 1 {
		// Keep a list whole when the path ends on it.
		if next != nil {
			*out = append(*out, next)
		}
		return
	}
	walk(next, segs[1:], out)
}

func flatten(v any) []any {
	if v == nil {
		return nil
	}
	return []any{v}
}

// First returns the first value at path, or nil.
func First(v any, path string) any {
	if r := Path(v, path); len(r) > 0 {
		return r[0]
	}
	return nil
}

// Strings returns the scalar values at path as strings (lists at the end of
// the path are entered, so a list of IDs yields each ID).
func Strings(v any, path string) []string {
	var out []string
	for _, x := range Path(v, path) {
		appendStrings(&out, x)
	}
	return out
}

func appendStrings(out *[]string, x any) {
	switch t := x.(type) {
	case string:
		if t != "" {
			*out = append(*out, t)
		}
	case json.Number:
		*out = append(*out, t.String())
	case bool:
		if t {
			*out = append(*out, "true")
		} else {
			*out = append(*out, "false")
		}
	case []any:
		for _, e := range t {
			appendStrings(out, e)
		}
	}
}

// Items returns the elements at path with lists flattened: for
// "ipPermissions.items" it yields each permission object.
func Items(v any, path string) []any { return flattenLists(Path(v, path)) }

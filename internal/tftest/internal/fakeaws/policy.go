package fakeaws

import (
	"bytes"
	"encoding/json"
	"reflect"
)

// PolicyEqual reports whether two IAM policy documents are the same JSON
// value: whitespace, key order and number spelling do not matter. Either
// side failing to parse makes them unequal, unless the strings are equal.
//
// The real provider goes further (a lone Action string equals a one-element
// list); drift tests only need the reformatting case.
func PolicyEqual(a, b string) bool {
	if a == b {
		return true
	}
	va, ok := decodePolicy(a)
	if !ok {
		return false
	}
	vb, ok := decodePolicy(b)
	if !ok {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

func decodePolicy(s string) (any, bool) {
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	// Numbers as json.Number keep 1 and 1.0 distinct like the strings do,
	// but they never occur in policies; the point is to avoid float
	// rounding making distinct documents equal.
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, false
	}
	if d.More() {
		return nil, false
	}
	return v, true
}

// compactPolicy is how the cloud stores a document: IAM keeps its own
// canonical text, not the caller's formatting, which is what makes the
// provider's semantic comparison necessary in the first place.
func compactPolicy(s string) (string, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(s)); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// canonicalPolicy spells a document the way Terraform's jsonencode does:
// compact, object keys sorted, and <, > and & escaped, which is exactly
// encoding/json's output for decoded generic values.
func canonicalPolicy(s string) (string, bool) {
	v, ok := decodePolicy(s)
	if !ok {
		return "", false
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", false
	}
	return string(b), true
}

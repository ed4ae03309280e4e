// Package canonjson writes values of the JSON model (map[string]any,
// []any and scalars) in canonical form: object keys sorted bytewise, no
// white space. It is the one sorted-key writer of the module; its callers
// differ only in how they spell a scalar, which each passes as a Spelling:
//
//   - detector/drift's fingerprint text spells scalars as json.Marshal
//     does (stored fingerprints depend on it),
//   - detector/normalize's comparison and diff text quotes strings the Go
//     way (diff lines show it),
//   - detector/rules' semantic text writes numeric and boolean strings as
//     the numbers and booleans they name.
//
// Keys are spelled by Scalar too, unless the caller gives Key.
//
// It imports only the standard library.
package canonjson

import (
	"slices"
)

// Spelling says how a caller spells scalars and keys.
type Spelling struct {
	// Scalar appends v, any value other than a map[string]any or an
	// []any, to b. It may call Append itself, to write a value it
	// converts into the JSON model.
	Scalar func(b []byte, v any) []byte
	// Key appends an object key; nil spells keys with Scalar.
	Key func(b []byte, k string) []byte
}

// Append appends v to b in canonical form.
func (sp Spelling) Append(b []byte, v any) []byte {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			if sp.Key != nil {
				b = sp.Key(b, k)
			} else {
				b = sp.Scalar(b, k)
			}
			b = append(b, ':')
			b = sp.Append(b, t[k])
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, e := range t {
			if i > 0 {
				b = append(b, ',')
			}
			b = sp.Append(b, e)
		}
		return append(b, ']')
	}
	return sp.Scalar(b, v)
}

// String is Append's result as a string.
func (sp Spelling) String(v any) string { return string(sp.Append(nil, v)) }

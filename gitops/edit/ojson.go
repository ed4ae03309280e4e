package edit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// omap is a JSON object that remembers its key order, so that a policy
// document or a .tf.json file keeps the order its author chose.
type omap struct {
	keys []string
	vals map[string]any
}

// decodeOrdered decodes one JSON value; objects become *omap, numbers
// json.Number.
func decodeOrdered(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := &omap{vals: map[string]any{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("object key %v is not a string", kt)
				}
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				if _, dup := m.vals[k]; !dup {
					m.keys = append(m.keys, k)
				}
				m.vals[k] = v
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return m, nil
		case '[':
			out := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				out = append(out, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return out, nil
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		return tok, nil // nil, bool, string, json.Number
	}
}

// plain turns an ordered value into a canonical one.
func plain(v any) any {
	switch x := v.(type) {
	case *omap:
		out := make(map[string]any, len(x.keys))
		for _, k := range x.keys {
			out[k] = plain(x.vals[k])
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	}
	return v
}

// mergeOrdered returns want (canonical) as an ordered value that keeps
// old's key order for the keys that remain; new keys follow in
// generation order.
func mergeOrdered(old, want any) any {
	switch w := want.(type) {
	case map[string]any:
		om, _ := old.(*omap)
		out := &omap{vals: map[string]any{}}
		if om != nil {
			for _, k := range om.keys {
				if v, ok := w[k]; ok {
					out.keys = append(out.keys, k)
					out.vals[k] = mergeOrdered(om.vals[k], v)
				}
			}
		}
		for _, k := range mapKeys(w) {
			if _, ok := out.vals[k]; !ok {
				out.keys = append(out.keys, k)
				out.vals[k] = mergeOrdered(nil, w[k])
			}
		}
		return out
	case []any:
		ol, _ := old.([]any)
		out := make([]any, len(w))
		for i, e := range w {
			var o any
			if i < len(ol) {
				o = ol[i]
			}
			out[i] = mergeOrdered(o, e)
		}
		return out
	}
	return want
}

// jsonStyle is how a JSON value is laid out.
type jsonStyle struct {
	pretty bool
	unit   string // one level of indentation
	prefix string // added to every line after the first
	spaced bool   // compact style with ", " and ": "
}

func writeJSON(v any, st jsonStyle) (string, error) {
	var sb strings.Builder
	if err := writeJSONValue(&sb, v, st, 0); err != nil {
		return "", err
	}
	return sb.String(), nil
}

func writeJSONValue(sb *strings.Builder, v any, st jsonStyle, level int) error {
	nl := func(l int) {
		sb.WriteByte('\n')
		sb.WriteString(st.prefix)
		sb.WriteString(strings.Repeat(st.unit, l))
	}
	sep, colon := ",", ":"
	if st.spaced {
		sep, colon = ", ", ": "
	}
	if st.pretty {
		sep, colon = ",", ": "
	}
	switch x := v.(type) {
	case *omap:
		if len(x.keys) == 0 {
			sb.WriteString("{}")
			return nil
		}
		sb.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				sb.WriteString(sep)
			}
			if st.pretty {
				nl(level + 1)
			}
			sb.WriteString(jsonString(k))
			sb.WriteString(colon)
			if err := writeJSONValue(sb, x.vals[k], st, level+1); err != nil {
				return err
			}
		}
		if st.pretty {
			nl(level)
		}
		sb.WriteByte('}')
	case map[string]any:
		return writeJSONValue(sb, mergeOrdered(nil, x), st, level)
	case []any:
		if len(x) == 0 {
			sb.WriteString("[]")
			return nil
		}
		sb.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				sb.WriteString(sep)
			}
			if st.pretty {
				nl(level + 1)
			}
			if err := writeJSONValue(sb, e, st, level+1); err != nil {
				return err
			}
		}
		if st.pretty {
			nl(level)
		}
		sb.WriteByte(']')
	case string:
		sb.WriteString(jsonString(x))
	case json.Number:
		if !json.Valid([]byte(x)) {
			return fmt.Errorf("invalid JSON number %q", string(x))
		}
		sb.WriteString(string(x))
	case bool:
		fmt.Fprint(sb, x)
	case nil:
		sb.WriteString("null")
	default:
		return fmt.Errorf("unsupported value %T", v)
	}
	return nil
}

// jsonString quotes s without escaping <, > and &, which policies and
// URLs use and encoding/json would otherwise turn into \u003c.
func jsonString(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(buf.String(), "\n")
}

// jsonDoc parses s when it is a JSON object or array (a policy document,
// say); scalars do not count, so "123" stays a string.
func jsonDoc(s string) (any, bool) {
	t := strings.TrimSpace(s)
	if t == "" || (t[0] != '{' && t[0] != '[') {
		return nil, false
	}
	v, err := decodeOrdered([]byte(t))
	if err != nil {
		return nil, false
	}
	return v, true
}

// mapStrings applies fn to every string in an ordered value.
func mapStrings(v any, fn func(string) string) any {
	switch x := v.(type) {
	case *omap:
		out := &omap{keys: x.keys, vals: map[string]any{}}
		for _, k := range x.keys {
			out.vals[k] = mapStrings(x.vals[k], fn)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = mapStrings(e, fn)
		}
		return out
	case string:
		return fn(x)
	}
	return v
}

// anyString reports whether some string in v satisfies fn.
func anyString(v any, fn func(string) bool) bool {
	switch x := v.(type) {
	case *omap:
		for _, k := range x.keys {
			if anyString(x.vals[k], fn) {
				return true
			}
		}
	case map[string]any:
		for _, e := range x {
			if anyString(e, fn) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if anyString(e, fn) {
				return true
			}
		}
	case string:
		return fn(x)
	}
	return false
}

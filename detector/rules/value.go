package rules

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/tfdrift/tfdrift/internal/canonjson"
)

// Attribute values reach the rules in whatever Go form the comparer built
// them: the JSON model (map[string]any, []any, float64, string, bool, nil)
// most of the time, sometimes json.Number, ints, []string or raw JSON.
// generic brings them all to the JSON model so the rest of this file has
// one shape to handle.
func generic(v any) any {
	switch t := v.(type) {
	case nil, string, bool, float64, json.Number:
		return t
	case int:
		return float64(t)
	case int64:
		return float64(t)
	case int32:
		return float64(t)
	case float32:
		return float64(t)
	case []any:
		for _, e := range t {
			if !isGeneric(e) {
				return viaJSON(t)
			}
		}
		return t
	case map[string]any:
		for _, e := range t {
			if !isGeneric(e) {
				return viaJSON(t)
			}
		}
		return t
	case []string:
		out := make([]any, len(t))
		for i, s := range t {
			out[i] = s
		}
		return out
	case json.RawMessage:
		var out any
		d := json.NewDecoder(bytes.NewReader(t))
		d.UseNumber()
		if err := d.Decode(&out); err != nil {
			return string(t)
		}
		return out
	default:
		return viaJSON(t)
	}
}

func isGeneric(v any) bool {
	switch t := v.(type) {
	case nil, string, bool, float64, json.Number:
		return true
	case []any:
		for _, e := range t {
			if !isGeneric(e) {
				return false
			}
		}
		return true
	case map[string]any:
		for _, e := range t {
			if !isGeneric(e) {
				return false
			}
		}
		return true
	}
	return false
}

func viaJSON(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if d.Decode(&out) != nil {
		return nil
	}
	return out
}

// text renders a value for pattern and contains: a string as itself,
// anything else as compact JSON without HTML escaping (keys sorted).
func text(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// leadingKeys come first in the flattened form of an object, in this order,
// so that patterns written as "port=22.*cidr_blocks.*0\.0\.0\.0/0" read the
// way people describe a firewall rule: ports, protocol, then sources.
var leadingKeys = []string{"from_port", "to_port", "port", "ports", "protocol", "ip_protocol"}

// flatten renders an object as space-separated key=value pairs, for
// patterns over blocks such as security group rules. The exact form:
//   - keys from leadingKeys first in that order, then the others sorted;
//   - a synthesized "port" key after to_port: the port when from_port equals
//     to_port ("port=22"), else the range ("port=8000-8080"); for GCP-style
//     blocks with a "ports" list and no from_port, the ports joined by ","
//     ("port=22,443");
//   - strings unquoted, numbers in shortest form, booleans as true/false,
//     null and empty lists as nothing ("self=");
//   - list elements joined by "," ("cidr_blocks=0.0.0.0/0,10.0.0.0/8");
//   - nested objects as compact JSON.
//
// An AWS ingress rule {from_port:22, to_port:22, protocol:"tcp",
// cidr_blocks:["0.0.0.0/0"], description:"ssh"} therefore flattens to
//
//	from_port=22 to_port=22 port=22 protocol=tcp cidr_blocks=0.0.0.0/0 description=ssh
func flatten(m map[string]any) string {
	if _, ok := m["port"]; !ok {
		if p := synthPort(m); p != "" {
			c := make(map[string]any, len(m)+1)
			for k, v := range m {
				c[k] = v
			}
			c["port"] = p
			m = c
		}
	}
	var b strings.Builder
	write := func(k string) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(plain(m[k]))
	}
	for _, k := range leadingKeys {
		if _, ok := m[k]; ok {
			write(k)
		}
	}
	rest := make([]string, 0, len(m))
	for k := range m {
		if !isLeading(k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		write(k)
	}
	return b.String()
}

func isLeading(k string) bool {
	for _, l := range leadingKeys {
		if k == l {
			return true
		}
	}
	return false
}

func synthPort(m map[string]any) string {
	from, okF := m["from_port"]
	to, okT := m["to_port"]
	if okF && okT {
		f, t := plain(from), plain(to)
		if f == t {
			return f
		}
		return f + "-" + t
	}
	if ports, ok := m["ports"]; ok && !okF {
		return plain(ports)
	}
	return ""
}

// plain renders a value inside the flattened form.
func plain(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case bool:
		return strconv.FormatBool(t)
	case float64:
		return formatNumber(t)
	case json.Number:
		if f, err := t.Float64(); err == nil {
			return formatNumber(f)
		}
		return t.String()
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = plain(e)
		}
		return strings.Join(parts, ",")
	default:
		return text(t)
	}
}

func formatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// candidates are the texts a pattern or contains condition is tried on:
// the whole value, its flattened form when it is an object, and for a list
// each element (as text and, for objects, flattened). Trying elements on
// their own keeps "port=22.*0\.0\.0\.0/0" from matching port 22 in one
// rule and 0.0.0.0/0 in another.
func candidates(v any, out []string) []string {
	out = append(out, text(v))
	switch t := v.(type) {
	case map[string]any:
		out = append(out, flatten(t))
	case []any:
		for _, e := range t {
			out = append(out, text(e))
			if m, ok := e.(map[string]any); ok {
				out = append(out, flatten(m))
			}
		}
	}
	return out
}

// canon renders a value so that semantically equal values render the
// same: numbers and numeric strings alike ("22" and 22), "true"/"false"
// strings and booleans alike, object keys sorted.
func canon(v any) string { return canonSpelling.String(v) }

// canonSpelling writes numbers and numeric strings as numbers, boolean
// strings as booleans, other strings and keys as JSON strings; values
// outside the JSON model are brought into it first (generic).
var canonSpelling canonjson.Spelling

func init() {
	canonSpelling = canonjson.Spelling{Scalar: canonScalar, Key: func(b []byte, k string) []byte {
		q, _ := json.Marshal(k)
		return append(b, q...)
	}}
}

func canonScalar(b []byte, v any) []byte {
	switch t := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, t)
	case float64:
		return append(b, formatNumber(t)...)
	case json.Number:
		if f, err := t.Float64(); err == nil {
			return append(b, formatNumber(f)...)
		}
		return append(b, t...)
	case string:
		s := strings.TrimSpace(t)
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return append(b, formatNumber(f)...)
		}
		switch strings.ToLower(s) {
		case "true", "false":
			return append(b, strings.ToLower(s)...)
		}
		q, _ := json.Marshal(t)
		return append(b, q...)
	}
	return canonSpelling.Append(b, generic(v))
}

// semanticEqual compares two values the way a person reading the config
// would: false == "false", 22 == "22" == 22.0.
func semanticEqual(a, b any) bool { return canon(generic(a)) == canon(generic(b)) }

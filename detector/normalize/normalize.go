package normalize

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/tfdrift/tfdrift/internal/canonjson"
)

// Canonical returns v in a canonical form: JSON documents held in strings
// are parsed, IAM policy shapes are folded (a single Statement or Action is
// a one-element list), numbers become *big.Rat-backed strings, booleans stay
// booleans, empty containers become nil, and lists are sorted by their
// canonical text. Two values are Equal when their canonical forms are.
func Canonical(v any) any {
	switch t := v.(type) {
	case nil:
		return nil
	case string:
		if doc, ok := parseDoc(t); ok {
			return foldPolicy(Canonical(doc))
		}
		if t == "" {
			return nil
		}
		if n, ok := parseNumber(t); ok {
			return n
		}
		return t
	case json.Number:
		if n, ok := parseNumber(t.String()); ok {
			return n
		}
		return t.String()
	case float64:
		r := new(big.Rat).SetFloat64(t)
		if r == nil { // NaN or ±Inf
			return fmt.Sprint(t)
		}
		return numText(r)
	case int:
		return number(strconv.Itoa(t))
	case int64:
		return number(strconv.FormatInt(t, 10))
	case float32:
		return Canonical(float64(t))
	case bool:
		return t
	case map[string]any:
		if len(t) == 0 {
			return nil
		}
		out := make(map[string]any, len(t))
		for k, e := range t {
			if c := Canonical(e); c != nil {
				out[k] = c
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		if len(t) == 0 {
			return nil
		}
		out := make([]any, 0, len(t))
		for _, e := range t {
			out = append(out, Canonical(e))
		}
		sort.Slice(out, func(i, j int) bool { return Text(out[i]) < Text(out[j]) })
		return out
	case []string:
		l := make([]any, len(t))
		for i, s := range t {
			l[i] = s
		}
		return Canonical(l)
	case map[string]string:
		m := make(map[string]any, len(t))
		for k, s := range t {
			m[k] = s
		}
		return Canonical(m)
	case fmt.Stringer:
		return t.String()
	}
	return fmt.Sprint(v)
}

// Equal reports whether a and b mean the same value.
func Equal(a, b any) bool {
	return Text(Canonical(a)) == Text(Canonical(b))
}

// Text renders a canonical value as compact JSON with sorted keys,
// strings quoted the Go way (diff lines show them).
func Text(v any) string { return canonjson.Spelling{Scalar: textScalar}.String(v) }

func textScalar(b []byte, v any) []byte {
	switch t := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return strconv.AppendQuote(b, t)
	case number:
		return append(b, t...)
	case bool:
		return strconv.AppendBool(b, t)
	default:
		return strconv.AppendQuote(b, fmt.Sprint(t))
	}
}

// number is a canonical numeric text, so 22, 22.0, "22" and json.Number("22") agree.
type number string

func parseNumber(s string) (number, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return "", false
	}
	// Only plain decimal forms count as numbers: "0x1F", "1e5" strings in
	// attributes are identifiers more often than numbers.
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || (i == 0 && c == '-')) {
			return "", false
		}
	}
	// Leading zeros ("007") are identifiers, not numbers.
	if len(s) > 1 && s[0] == '0' && s[1] != '.' {
		return "", false
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return "", false
	}
	return numText(r), true
}

func numText(r *big.Rat) number {
	if r.IsInt() {
		return number(r.Num().String())
	}
	return number(r.FloatString(10))
}

// parseDoc parses a string holding a JSON object or array, URL-encoded or not.
func parseDoc(s string) (any, bool) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "%7B") || strings.HasPrefix(t, "%7b") || strings.HasPrefix(t, "%5B") || strings.HasPrefix(t, "%5b") {
		u, err := url.QueryUnescape(t)
		if err != nil {
			return nil, false
		}
		t = strings.TrimSpace(u)
	}
	if len(t) < 2 || !(t[0] == '{' && t[len(t)-1] == '}' || t[0] == '[' && t[len(t)-1] == ']') {
		return nil, false
	}
	dec := json.NewDecoder(strings.NewReader(t))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if dec.More() {
		return nil, false
	}
	return v, true
}

// policyListKeys are IAM policy elements that may be a string or a list.
var policyListKeys = map[string]bool{
	"Statement": true, "Action": true, "NotAction": true, "Resource": true,
	"NotResource": true, "AWS": true, "Service": true, "Federated": true,
	"CanonicalUser": true,
}

// foldPolicy makes IAM's "string or list" elements always lists, so
// {"Action":"s3:GetObject"} equals {"Action":["s3:GetObject"]}.
func foldPolicy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			e = foldPolicy(e)
			if policyListKeys[k] {
				if _, isList := e.([]any); !isList && e != nil {
					e = []any{e}
				}
			}
			t[k] = e
		}
		return t
	case []any:
		for i, e := range t {
			t[i] = foldPolicy(e)
		}
		sort.Slice(t, func(i, j int) bool { return Text(t[i]) < Text(t[j]) })
		return t
	}
	return v
}

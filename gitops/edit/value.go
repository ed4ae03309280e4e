package edit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// normalize turns a caller's value into the canonical JSON shape the
// editor works on: nil, bool, string, json.Number, []any, map[string]any.
// A JSON round trip does it for every Go type a caller may reasonably pass
// ([]string, map[string]string, int, float64); values JSON cannot carry
// (NaN, channels) are errors.
func normalize(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return decodeJSON(b)
}

// decodeJSON decodes one JSON value with numbers kept exact.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	return out, nil
}

// equal compares two canonical values the way Terraform's type conversion
// would: numbers by value, and a string equals a number or bool it spells.
func equal(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		switch y := b.(type) {
		case bool:
			return x == y
		case string:
			return y == fmt.Sprint(x)
		}
		return false
	case json.Number:
		switch y := b.(type) {
		case json.Number:
			return numEqual(string(x), string(y))
		case string:
			return numEqual(string(x), y)
		}
		return false
	case string:
		switch y := b.(type) {
		case string:
			return x == y
		case json.Number, bool:
			return equal(b, a)
		}
		return false
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equal(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

func numEqual(a, b string) bool {
	x, _, err1 := big.ParseFloat(a, 10, 512, big.ToNearestEven)
	y, _, err2 := big.ParseFloat(b, 10, 512, big.ToNearestEven)
	if err1 != nil || err2 != nil {
		return a == b
	}
	return x.Cmp(y) == 0
}

// isDefault reports the values a provider uses for an unset optional
// argument: null, "", false, empty lists and maps. Nested blocks written
// by Accept leave these out.
func isDefault(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case bool:
		return !x
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// literalValue evaluates an expression that uses no variables and no
// functions. ok is false for anything else.
func literalValue(e hclsyntax.Expression) (any, bool) {
	if len(e.Variables()) > 0 {
		return nil, false
	}
	v, diags := e.Value(nil)
	if diags.HasErrors() {
		return nil, false
	}
	return ctyToAny(v)
}

func ctyToAny(v cty.Value) (any, bool) {
	if !v.IsWhollyKnown() {
		return nil, false
	}
	if v.IsNull() {
		return nil, true
	}
	t := v.Type()
	switch {
	case t == cty.String:
		return v.AsString(), true
	case t == cty.Number:
		s, ok := numString(v.AsBigFloat())
		return json.Number(s), ok
	case t == cty.Bool:
		return v.True(), true
	case t.IsListType() || t.IsSetType() || t.IsTupleType():
		out := []any{}
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			x, ok := ctyToAny(ev)
			if !ok {
				return nil, false
			}
			out = append(out, x)
		}
		return out, true
	case t.IsMapType() || t.IsObjectType():
		out := map[string]any{}
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			x, ok := ctyToAny(ev)
			if !ok {
				return nil, false
			}
			out[k.AsString()] = x
		}
		return out, true
	}
	return nil, false
}

// preferredKeys orders the keys of generated objects the way people write
// them: IAM documents lead with Version and Effect, security group rules
// with the description and ports. Other keys follow alphabetically.
var preferredKeys = []string{
	"Version", "Id", "Statement",
	"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition",
	"description", "from_port", "to_port", "protocol",
	"cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "security_groups", "self",
}

func keyRank(k string) int {
	if i := slices.Index(preferredKeys, k); i >= 0 {
		return i
	}
	return len(preferredKeys)
}

// sortKeys returns keys in generation order.
func sortKeys(keys []string) []string {
	out := slices.Clone(keys)
	sort.SliceStable(out, func(i, j int) bool {
		ri, rj := keyRank(out[i]), keyRank(out[j])
		if ri != rj {
			return ri < rj
		}
		return out[i] < out[j]
	})
	return out
}

func mapKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return sortKeys(keys)
}

// objectKey renders an object key: a bare name when HCL reads it back as
// the same string, quoted otherwise.
func objectKey(k string) string {
	if hclsyntax.ValidIdentifier(k) && k != "null" && k != "true" && k != "false" {
		return k
	}
	return quoteString(k)
}

// quoteString renders s as an HCL quoted string, escaping template
// introducers so that "${aws:username}" stays a literal.
func quoteString(s string) string {
	return string(hclwrite.TokensForValue(cty.StringVal(s)).Bytes())
}

// maxBinaryExp bounds the numbers Accept writes to about ±1e308, the
// range of the float64 values clouds and providers use. Beyond it, writing
// the digits out (HCL number literals have no exponent in hclwrite's
// spelling) would take time and memory proportional to the exponent.
const maxBinaryExp = 1024

// numString spells a number in full, as hclwrite does; ok is false for
// numbers out of range.
func numString(bf *big.Float) (string, bool) {
	if bf.IsInf() {
		return "", false
	}
	if e := bf.MantExp(nil); e > maxBinaryExp || e < -maxBinaryExp {
		return "", false
	}
	return bf.Text('f', -1), true
}

// numberText renders a JSON number as an HCL number literal.
func numberText(n json.Number) (string, error) {
	bf, _, err := big.ParseFloat(string(n), 10, 512, big.ToNearestEven)
	if err != nil {
		return "", fmt.Errorf("number %q: %w", string(n), err)
	}
	s, ok := numString(bf)
	if !ok {
		return "", fmt.Errorf("number %q is out of range", string(n))
	}
	return s, nil
}

// hclText renders a canonical value as an HCL expression, laid out and
// aligned as hclwrite.Format would, starting at column 0. Continuation
// lines are indented relative to that column; indent() shifts them.
func hclText(v any) (string, error) {
	var sb strings.Builder
	if err := writeHCL(&sb, v); err != nil {
		return "", err
	}
	return formatExpr(sb.String())
}

func writeHCL(sb *strings.Builder, v any) error {
	switch x := v.(type) {
	case nil:
		sb.WriteString("null")
	case bool:
		fmt.Fprint(sb, x)
	case json.Number:
		s, err := numberText(x)
		if err != nil {
			return err
		}
		sb.WriteString(s)
	case string:
		sb.WriteString(quoteString(x))
	case []any:
		multi := false
		for _, e := range x {
			switch e.(type) {
			case map[string]any, []any:
				multi = true
			}
		}
		if !multi {
			sb.WriteByte('[')
			for i, e := range x {
				if i > 0 {
					sb.WriteString(", ")
				}
				if err := writeHCL(sb, e); err != nil {
					return err
				}
			}
			sb.WriteByte(']')
			return nil
		}
		// One object in a list reads best as [{ ... }], the way policy
		// statements are usually written; several go one per line.
		if len(x) == 1 {
			if _, ok := x[0].(map[string]any); ok {
				sb.WriteByte('[')
				if err := writeHCL(sb, x[0]); err != nil {
					return err
				}
				sb.WriteByte(']')
				return nil
			}
		}
		sb.WriteString("[\n")
		for _, e := range x {
			if err := writeHCL(sb, e); err != nil {
				return err
			}
			sb.WriteString(",\n")
		}
		sb.WriteByte(']')
	case map[string]any:
		if len(x) == 0 {
			sb.WriteString("{}")
			return nil
		}
		sb.WriteString("{\n")
		for _, k := range mapKeys(x) {
			sb.WriteString(objectKey(k))
			sb.WriteString(" = ")
			if err := writeHCL(sb, x[k]); err != nil {
				return err
			}
			sb.WriteByte('\n')
		}
		sb.WriteByte('}')
	default:
		return fmt.Errorf("unsupported value %T", v)
	}
	return nil
}

// formatExpr lays out an expression with hclwrite.Format, by formatting
// it as the value of a throwaway attribute at column 0.
func formatExpr(expr string) (string, error) {
	const prefix = "x = "
	out := string(hclwrite.Format([]byte(prefix + expr + "\n")))
	if !strings.HasPrefix(out, prefix) {
		return "", fmt.Errorf("formatting %q moved the attribute", expr)
	}
	return strings.TrimSuffix(out[len(prefix):], "\n"), nil
}

// indent shifts every line but the first by ind: generated text is laid
// out for column 0 and lands after "name = " on an indented line.
func indent(text, ind string) string {
	if ind == "" || !strings.Contains(text, "\n") {
		return text
	}
	lines := strings.Split(text, "\n")
	for i := 1; i < len(lines); i++ {
		if lines[i] != "" {
			lines[i] = ind + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

// jsonNumber is json.Number, spelled shorter where it is matched often.
type jsonNumber = json.Number

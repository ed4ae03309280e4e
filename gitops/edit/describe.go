package edit

import (
	"fmt"
	"sort"
	"strings"
)

// maxNoteItems bounds how many changed paths a note lists.
const maxNoteItems = 4

// describe says what an edit changes, for a note: `"t3.micro" →
// "t3.large"`, `added Owner = "alice"; removed Temporary`, or for a JSON
// document the paths inside it that changed.
func describe(old any, hasOld bool, act any) string {
	if !hasOld {
		return "set to " + short(act)
	}
	if os, ok := old.(string); ok {
		if as, ok := act.(string); ok {
			od, ok1 := jsonDoc(os)
			ad, ok2 := jsonDoc(as)
			if ok1 && ok2 {
				return "document " + joinItems(pathDiff(plain(od), plain(ad), ""))
			}
			if strings.Contains(os, "\n") || strings.Contains(as, "\n") {
				return lineDiff(os, as)
			}
		}
	}
	switch old.(type) {
	case map[string]any, []any:
		if items := pathDiff(old, act, ""); len(items) > 0 {
			return joinItems(items)
		}
	}
	return short(old) + " → " + short(act)
}

func joinItems(items []string) string {
	if len(items) > maxNoteItems {
		items = append(items[:maxNoteItems:maxNoteItems], fmt.Sprintf("and %d more", len(items)-maxNoteItems))
	}
	return strings.Join(items, "; ")
}

// pathDiff lists the differences between two values by path.
func pathDiff(a, b any, prefix string) []string {
	name := func(k string) string {
		if prefix == "" {
			return objectKey(k)
		}
		return prefix + "." + objectKey(k)
	}
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		var keys []string
		seen := map[string]bool{}
		for k := range am {
			keys, seen[k] = append(keys, k), true
		}
		for k := range bm {
			if !seen[k] {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		var out []string
		for _, k := range keys {
			av, ina := am[k]
			bv, inb := bm[k]
			switch {
			case !ina:
				out = append(out, "added "+name(k)+" = "+short(bv))
			case !inb:
				out = append(out, "removed "+name(k))
			case !equal(av, bv):
				out = append(out, pathDiff(av, bv, name(k))...)
			}
		}
		return out
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	if aok && bok {
		if len(al) == len(bl) && !(allScalars(al) && allScalars(bl)) {
			var out []string
			for i := range al {
				if !equal(al[i], bl[i]) {
					out = append(out, pathDiff(al[i], bl[i], fmt.Sprintf("%s[%d]", prefix, i))...)
				}
			}
			return out
		}
		{
			var added, removed []string
			for _, x := range bl {
				if !containsValue(al, x) {
					added = append(added, short(x))
				}
			}
			for _, x := range al {
				if !containsValue(bl, x) {
					removed = append(removed, short(x))
				}
			}
			var parts []string
			if len(added) > 0 {
				parts = append(parts, "added "+strings.Join(added, ", "))
			}
			if len(removed) > 0 {
				parts = append(parts, "removed "+strings.Join(removed, ", "))
			}
			lead := ""
			if prefix != "" {
				lead = prefix + ": "
			}
			return []string{lead + strings.Join(parts, ", ")}
		}
	}
	if prefix == "" {
		return []string{short(a) + " → " + short(b)}
	}
	return []string{prefix + ": " + short(a) + " → " + short(b)}
}

func containsValue(l []any, v any) bool {
	for _, x := range l {
		if equal(x, v) {
			return true
		}
	}
	return false
}

// short renders a value on one line, shortened.
func short(v any) string {
	if m, ok := v.(map[string]any); ok {
		return compactObject(m)
	}
	text, err := hclText(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	s := oneLine(text)
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// compactObject renders an object's non-default attributes on one line:
// { from_port = 22, to_port = 22, protocol = "tcp" }.
func compactObject(m map[string]any) string {
	var parts []string
	for _, k := range mapKeys(m) {
		if isDefault(m[k]) {
			continue
		}
		parts = append(parts, objectKey(k)+" = "+short(m[k]))
	}
	s := "{ " + strings.Join(parts, ", ") + " }"
	if len(parts) == 0 {
		s = "{}"
	}
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

// lineDiff describes a change to a multi-line string (a script) by the
// lines that changed.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	if len(al) != len(bl) {
		return fmt.Sprintf("%d lines → %d lines", len(al), len(bl))
	}
	var items []string
	for i := range al {
		if al[i] != bl[i] {
			items = append(items, fmt.Sprintf("line %d: %s → %s", i+1, short(al[i]), short(bl[i])))
		}
	}
	return joinItems(items)
}

package edit

import (
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUnifiedDiff(t *testing.T) {
	tests := []struct {
		name          string
		before, after string
		want          string
	}{
		{"equal", "a\nb\n", "a\nb\n", ""},
		{"change in the middle", "1\n2\n3\n4\n5\n6\n7\n", "1\n2\n3\nX\n5\n6\n7\n",
			"--- a/f\n+++ b/f\n@@ -1,7 +1,7 @@\n 1\n 2\n 3\n-4\n+X\n 5\n 6\n 7\n"},
		{"insert at the start", "a\nb\n", "new\na\nb\n",
			"--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n+new\n a\n b\n"},
		{"delete at the end", "a\nb\nc\n", "a\nb\n",
			"--- a/f\n+++ b/f\n@@ -1,3 +1,2 @@\n a\n b\n-c\n"},
		{"from empty", "", "a\n", "--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+a\n"},
		{"to empty", "a\n", "", "--- a/f\n+++ b/f\n@@ -1 +0,0 @@\n-a\n"},
		{"no final newline", "a\nb", "a\nc",
			"--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"},
		{"two hunks", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "X\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\nY\n",
			"--- a/f\n+++ b/f\n@@ -1,4 +1,4 @@\n-1\n+X\n 2\n 3\n 4\n@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+Y\n"},
		{"close changes share a hunk", "1\n2\n3\n4\n5\n6\n7\n8\n", "X\n2\n3\n4\n5\n6\n7\nY\n",
			"--- a/f\n+++ b/f\n@@ -1,8 +1,8 @@\n-1\n+X\n 2\n 3\n 4\n 5\n 6\n 7\n-8\n+Y\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := UnifiedDiff("a/f", "b/f", []byte(tt.before), []byte(tt.after))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestUnifiedDiffApplies checks random edits: applying the diff to the
// old text, checking every context and removed line, gives the new text.
func TestUnifiedDiffApplies(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 500; i++ {
		var a []string
		for j := rng.Intn(40); j > 0; j-- {
			a = append(a, strconv.Itoa(rng.Intn(8))+"\n")
		}
		b := append([]string(nil), a...)
		for j := rng.Intn(6); j > 0; j-- {
			switch p := rng.Intn(len(b) + 1); rng.Intn(3) {
			case 0:
				b = append(b[:p], append([]string{"new" + strconv.Itoa(j) + "\n"}, b[p:]...)...)
			case 1:
				if p < len(b) {
					b = append(b[:p], b[p+1:]...)
				}
			default:
				if p < len(b) {
					b[p] = "changed\n"
				}
			}
		}
		before, after := strings.Join(a, ""), strings.Join(b, "")
		d := UnifiedDiff("a", "b", []byte(before), []byte(after))
		got, err := applyUnified(before, d)
		if err != nil {
			t.Fatalf("case %d: %v\nbefore:\n%s\nafter:\n%s\ndiff:\n%s", i, err, before, after, d)
		}
		if got != after {
			t.Fatalf("case %d: patched text differs\nwant:\n%s\ngot:\n%s\ndiff:\n%s", i, after, got, d)
		}
	}
}

// applyUnified is a strict patch(1) for the tests.
func applyUnified(before, d string) (string, error) {
	if d == "" {
		return before, nil
	}
	src := splitLines([]byte(before))
	lines := strings.SplitAfter(d, "\n")
	var out []string
	pos := 0
	for i := 2; i < len(lines) && lines[i] != ""; {
		var from, to string
		if _, err := fmt.Sscanf(lines[i], "@@ %s %s @@", &from, &to); err != nil || from[0] != '-' {
			return "", fmt.Errorf("bad hunk header %q", lines[i])
		}
		aStart, _ := parseRange(from[1:])
		for pos < aStart-1 {
			out = append(out, src[pos])
			pos++
		}
		i++
		for i < len(lines) && lines[i] != "" && !strings.HasPrefix(lines[i], "@@") {
			l := lines[i]
			body := l[1:]
			if i+1 < len(lines) && strings.HasPrefix(lines[i+1], `\ No newline`) {
				body = strings.TrimSuffix(body, "\n")
				i++
			}
			switch l[0] {
			case ' ', '-':
				if pos >= len(src) || src[pos] != body {
					return "", fmt.Errorf("line %d: want %q, have %q", pos+1, body, at(src, pos))
				}
				if l[0] == ' ' {
					out = append(out, body)
				}
				pos++
			case '+':
				out = append(out, body)
			}
			i++
		}
	}
	out = append(out, src[pos:]...)
	return strings.Join(out, ""), nil
}

// parseRange reads "start[,len]"; an empty range names the line before
// it, so its first line is start+1.
func parseRange(s string) (start, n int) {
	a, b, ok := strings.Cut(s, ",")
	start, _ = strconv.Atoi(a)
	n = 1
	if ok {
		n, _ = strconv.Atoi(b)
	}
	if n == 0 {
		start++
	}
	return start, n
}

func at(l []string, i int) string {
	if i < len(l) {
		return l[i]
	}
	return "<EOF>"
}

func BenchmarkUnifiedDiff(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&sb, "  attribute_%d = \"value %d\"\n", i, i)
	}
	before := sb.String()
	after := strings.Replace(strings.Replace(before, "value 100\"", "changed\"", 1), "value 1900\"", "changed\"", 1)
	b.ReportAllocs()
	for b.Loop() {
		UnifiedDiff("a/f", "b/f", []byte(before), []byte(after))
	}
}

package config

import (
	"fmt"
	"strings"
)

// unknownKeyMessage says a key is not part of the schema and proposes the
// closest known key, or lists them all when none is close.
func unknownKeyMessage(key string, known []string) string {
	if s := closest(key, known); s != "" {
		return fmt.Sprintf("unknown key; did you mean %q?", s)
	}
	return fmt.Sprintf("unknown key (known keys here: %s)", strings.Join(known, ", "))
}

// closest returns the known word nearest to w when it is near enough to be
// a typo: an edit distance of at most a third of the word (and at least
// 1), or the same word with "_" and "-" confused or a plural "s".
func closest(w string, known []string) string {
	best, bestDist := "", -1
	lw := strings.ToLower(strings.ReplaceAll(w, "-", "_"))
	for _, k := range known {
		if lw == k {
			return k
		}
		dist := levenshtein(lw, k)
		if bestDist < 0 || dist < bestDist {
			best, bestDist = k, dist
		}
	}
	limit := max(len(w)/3, 1)
	if bestDist >= 0 && bestDist <= limit {
		return best
	}
	return ""
}

// levenshtein is the edit distance between a and b (bytes; keys are ASCII).
func levenshtein(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		// Long keys are not typos of schema keys; skip the quadratic work.
		return max(len(a), len(b))
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

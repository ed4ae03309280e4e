package config

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// A secret holding a newline, a quote or a tab was printed %q-escaped, and
// a long one truncated to its first 40 characters; neither matched the
// raw value the scrubber looked for (issue 14, item 13).
func TestScrubEscapedAndTruncatedSecrets(t *testing.T) {
	for _, secret := range []string{
		"line1\nline2-hunter2",
		`say "hunter2" twice`,
		"tab\tseparated-hunter2",
		"a-very-long-secret-value-" + strings.Repeat("x", 60) + "-tail",
		"<html>&amp;hunter2",
	} {
		env := envOf(map[string]string{"MODE": secret})
		_, err := Parse("t.yaml", []byte("output:\n  mode: \"${MODE}\"\n"), env)
		if err == nil {
			t.Fatalf("%q: the config was accepted", secret)
		}
		msg := err.Error()
		if !strings.Contains(msg, "${MODE}") {
			t.Errorf("%q: the reference is not shown: %s", secret, msg)
		}
		for _, r := range renderings(secret) {
			if strings.Contains(msg, r[:min(len(r), minScrubPrefix)]) {
				t.Errorf("%q: a rendering of the secret is in the message: %s", secret, msg)
			}
		}
	}
}

func TestScrubLeavesOtherText(t *testing.T) {
	sc := newScrubber(map[string]string{"https://hooks.example.com/services/T0/B0/XYZ": "HOOK", "abc": "SHORT"})
	for in, want := range map[string]string{
		"not an absolute http:// or https:// URL":             "not an absolute http:// or https:// URL",
		"got \"https://hooks.example.com/services/T0/B0/X…\"": "got \"${HOOK}…\"",
		"HTTPS://HOOKS.EXAMPLE.COM/services/T0/B0/XYZ!":       "${HOOK}!",
		"abc is too short to be a secret":                     "abc is too short to be a secret",
	} {
		if got := sc.Scrub(in); got != want {
			t.Errorf("Scrub(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzScrub: whatever the secret and however a message renders it
// (raw, %q, %+q, JSON, truncated), no prefix of minScrubPrefix bytes of
// the rendering is left, and text without secrets is unchanged.
func FuzzScrub(f *testing.F) {
	f.Add("line1\nline2", uint8(0), uint8(40), "before ", " after")
	f.Add(`"quoted" value`, uint8(1), uint8(0), "x", "y")
	f.Add("tab\there\u2028ünïcode", uint8(3), uint8(20), "", "")
	f.Add(strings.Repeat("s3cr3t", 20), uint8(4), uint8(40), "token ", "…")
	f.Add("\xff\xfeinvalid utf8 secret", uint8(2), uint8(13), "a", "b")
	f.Fuzz(func(t *testing.T, secret string, form, cut uint8, before, after string) {
		if len(secret) < minScrubLen {
			return
		}
		ref := "${SECRET}"
		sc := newScrubber(map[string]string{secret: "SECRET"})
		var r string
		switch form % 5 {
		case 0:
			r = secret
		case 1:
			r = fmt.Sprintf("%q", secret)
		case 2:
			r = strconv.QuoteToASCII(secret)
		case 3:
			b, _ := json.Marshal(secret)
			r = string(b)
		case 4:
			r = fmt.Sprintf("%+q", secret)
		}
		if n := int(cut); n > 0 && n < len(r) {
			for n > 0 && !utf8.RuneStart(r[n]) {
				n--
			}
			r = r[:n] + "…"
		}
		got := sc.Scrub(before + r + after)
		// The surrounding text must not itself spell out the secret for
		// the check to be meaningful.
		if strings.Contains(strings.ToLower(before+after), strings.ToLower(secret[:min(len(secret), minScrubPrefix)])) {
			return
		}
		for _, rend := range renderings(secret) {
			k := min(len(rend), minScrubPrefix)
			if strings.Contains(strings.ToLower(ref), strings.ToLower(rend[:k])) {
				continue
			}
			// Text around the secret may join with it into a match; only
			// the rendering's own bytes are checked.
			if strings.Contains(got, rend[:k]) && strings.Contains(r, rend[:k]) {
				t.Fatalf("secret %q rendered %q: %q left in %q", secret, r, rend[:k], got)
			}
		}
		if plain := "no secrets here"; sc.Scrub(plain) != plain && !strings.Contains(strings.ToLower(plain), strings.ToLower(secret[:min(len(secret), minScrubPrefix)])) {
			t.Fatalf("text without the secret changed: %q", sc.Scrub(plain))
		}
	})
}

package reconcile

import "strings"

// BranchPrefix starts every accept branch.
const BranchPrefix = "tfdrift/accept/"

// maxSlug bounds the address part of a branch name; refs may be longer,
// but people read these.
const maxSlug = 80

// BranchName is the accept branch of a resource address and a drift
// fingerprint: tfdrift/accept/<address-slug>-<fingerprint[:8]>. The slug
// keeps letters, digits, '.', '_' and '-' of the address, turns every
// other run into one '-' (module.x.aws_y.z["a"] → module.x.aws_y.z-a,
// aws_instance.w[1] → aws_instance.w-1), and never makes a name git
// refuses (no "..", no leading '.' or '-', no ".lock" at the end).
func BranchName(address, fingerprint string) string {
	fp := sanitize(fingerprint)
	if len(fp) > 8 {
		// A cut can leave a name git refuses ("0000000." or "abc.lock"),
		// so the cut is sanitized again.
		fp = sanitize(fp[:8])
	}
	slug := sanitize(address)
	if len(slug) > maxSlug {
		slug = sanitize(slug[:maxSlug])
	}
	if slug == "" {
		slug = "resource"
	}
	if fp == "" {
		return BranchPrefix + slug
	}
	return BranchPrefix + slug + "-" + fp
}

// sanitize keeps [A-Za-z0-9._-], folds other runs into '-', and removes
// what git's ref rules forbid.
func sanitize(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		ok := r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-')
		if !ok {
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = true
			continue
		}
		if r == '-' {
			if dash {
				continue
			}
			dash = true
		} else {
			dash = false
		}
		b.WriteRune(r)
	}
	out := b.String()
	for strings.Contains(out, "..") {
		out = strings.ReplaceAll(out, "..", ".")
	}
	out = strings.TrimLeft(out, ".-")
	out = strings.TrimRight(out, ".-")
	for strings.HasSuffix(out, ".lock") {
		out = strings.TrimRight(strings.TrimSuffix(out, ".lock"), ".-")
	}
	return out
}

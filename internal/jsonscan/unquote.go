package jsonscan

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// StringValue returns the Go string for the contents of a string token
// (as ReadString returns them, without the quotes), the way encoding/json
// decodes it: escapes resolved, and each invalid UTF-8 byte and each
// unpaired surrogate escape turned into U+FFFD. escaped says whether raw
// holds escapes; false costs only a UTF-8 check and the copy. ok is false
// when raw is not the inside of a valid string token.
func StringValue(raw []byte, escaped bool) (s string, ok bool) {
	if !escaped && utf8.Valid(raw) {
		return string(raw), true
	}
	return unquote(raw)
}

// Unquote is StringValue for a whole string token, quotes included.
func Unquote(tok []byte) (string, bool) {
	if len(tok) < 2 || tok[0] != '"' || tok[len(tok)-1] != '"' {
		return "", false
	}
	inner := tok[1 : len(tok)-1]
	// The token may not have been through the Scanner: anything but plain
	// text goes the careful way, which also rejects what is not JSON.
	return StringValue(inner, !isPlain(inner))
}

// isPlain reports whether b holds no quote, backslash or control
// character.
func isPlain(b []byte) bool {
	i := skipPlain(b, 0)
	for i < len(b) && b[i] != '"' && b[i] != '\\' && b[i] >= 0x20 {
		i++
	}
	return i == len(b)
}

// plainASCII marks the bytes a string may hold as they are: printable
// ASCII other than the quote and the backslash.
var plainASCII = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// unquote decodes raw the way encoding/json does.
func unquote(raw []byte) (string, bool) {
	var b strings.Builder
	// Unescaping only shrinks the text, except that an invalid UTF-8 byte
	// grows into the three of U+FFFD.
	b.Grow(len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case plainASCII[c]:
			j := i + 1
			for j < len(raw) && plainASCII[raw[j]] {
				j++
			}
			b.Write(raw[i:j])
			i = j
		case c == '\\':
			if i+1 >= len(raw) {
				return "", false
			}
			switch e := raw[i+1]; e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r := getu4(raw[i:])
				if r < 0 {
					return "", false
				}
				i += 6
				if utf16.IsSurrogate(r) {
					// A valid pair is read whole; otherwise the first half
					// becomes U+FFFD and what follows is read on its own,
					// as encoding/json does.
					if r2 := getu4(raw[i:]); r2 >= 0 {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							b.WriteRune(dec)
							i += 6
							continue
						}
					}
					r = utf8.RuneError
				}
				b.WriteRune(r)
				continue
			default:
				return "", false
			}
			i += 2
		case c == '"' || c < 0x20:
			return "", false
		default:
			r, size := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && size == 1 {
				b.WriteRune(utf8.RuneError)
			} else {
				b.Write(raw[i : i+size])
			}
			i += size
		}
	}
	return b.String(), true
}

// getu4 decodes a \uXXXX escape at the start of s, or returns -1.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		var h byte
		switch {
		case '0' <= c && c <= '9':
			h = c - '0'
		case 'a' <= c && c <= 'f':
			h = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			h = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(h)
	}
	return r
}

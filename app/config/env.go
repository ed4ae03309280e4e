package config

import (
	"fmt"
	"strings"
)

// expansion is the result of expanding ${…} references in one string.
type expansion struct {
	value   string
	used    []string // variables referenced (set or defaulted)
	missing []string // variables unset with no default
	// secrets maps each expanded value to its variable, so messages
	// about this value can show the reference instead of the secret.
	secrets map[string]string
}

// expand replaces ${NAME} and ${NAME:-default} in s. "$${" writes a
// literal "${". A bare "$NAME" is left alone: payload templates use "$"
// for template variables. ${NAME:-default} uses the default when NAME is
// unset or empty, as a shell does. An unset variable with no default
// expands to "" and is listed in missing; the caller decides whether that
// is an error.
func expand(s string, lookup func(string) (string, bool)) (expansion, error) {
	if !strings.Contains(s, "$") {
		return expansion{value: s}, nil
	}
	var out expansion
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '$' {
			b.WriteByte(s[i])
			i++
			continue
		}
		if strings.HasPrefix(s[i:], "$${") {
			b.WriteString("${")
			i += 3
			continue
		}
		if !strings.HasPrefix(s[i:], "${") {
			b.WriteByte('$')
			i++
			continue
		}
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			return expansion{}, fmt.Errorf("unterminated variable reference %q (want ${NAME} or ${NAME:-default}; write $${ for a literal ${)", truncate(s[i:], 24))
		}
		ref := s[i+2 : i+2+end]
		i += 2 + end + 1
		name, def, hasDef := strings.Cut(ref, ":-")
		if !validEnvName(name) {
			return expansion{}, fmt.Errorf("invalid variable reference ${%s} (a name is letters, digits and _, not starting with a digit)", truncate(ref, 40))
		}
		out.used = append(out.used, name)
		v, ok := lookup(name)
		switch {
		case ok && (v != "" || !hasDef):
			b.WriteString(v)
			if v != "" {
				if out.secrets == nil {
					out.secrets = make(map[string]string)
				}
				out.secrets[v] = name
			}
		case hasDef:
			b.WriteString(def)
		default:
			out.missing = append(out.missing, name)
		}
	}
	out.value = b.String()
	return out, nil
}

func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// truncate shortens s to n runes for a message.
func truncate(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i] + "…"
		}
		n--
	}
	return s
}

// noEnv is Parse's default environment: every variable is unset. Only
// Load reads the process environment, so library callers stay explicit.
func noEnv(string) (string, bool) { return "", false }

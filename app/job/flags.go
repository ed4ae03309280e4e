package job

import (
	"errors"
	"flag"
	"io"
	"strings"
	"unicode/utf8"
)

// Parse parses args with fs, accepting flags after positional arguments
// as well as before them ("config validate --strict-env FILE",
// "drifts resolve FP --note x", "/tfdrift ignore aws_x.y --for 7d").
// The positional arguments, in order, are then fs.Args(). A "--" ends the
// flags: everything after it is positional, even "-x".
func Parse(fs *flag.FlagSet, args []string) error {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		rest := fs.Args()
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" && !isFlagValue(fs, args, consumed-1) {
			positional = append(positional, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	// Parsing "--" plus the positionals leaves exactly them in fs.Args()
	// and changes no flag.
	return fs.Parse(append([]string{"--"}, positional...))
}

// isFlagValue reports whether args[i] is the value of the flag before it
// ("--note --"), rather than the end of the flags.
func isFlagValue(fs *flag.FlagSet, args []string, i int) bool {
	if i == 0 {
		return false
	}
	prev := args[i-1]
	if !strings.HasPrefix(prev, "-") || strings.Contains(prev, "=") {
		return false
	}
	f := fs.Lookup(strings.TrimLeft(prev, "-"))
	if f == nil {
		return false
	}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return false
	}
	return true
}

// StringList is a repeatable string flag: each use appends.
type StringList []string

// String joins the values with commas.
func (s *StringList) String() string { return strings.Join(*s, ",") }

// Set appends one value.
func (s *StringList) Set(v string) error { *s = append(*s, v); return nil }

// Errors of Fields.
var (
	ErrUnterminatedQuote = errors.New("unterminated quote")
	ErrInvalidUTF8       = errors.New("not valid UTF-8")
)

// Fields splits one command line written by a person, such as the text
// of a "/tfdrift ignore aws_s3_bucket.logs --attr 'tags.owner'" comment,
// into arguments much as a POSIX shell would for plain words: blanks
// separate; single quotes keep everything literally; double quotes keep
// blanks and honour \" and \\; a backslash outside quotes escapes the
// next character. Unlike a shell, a quote opens quoting only at the start
// of a word or right after the "=" of a "--flag=", so a Terraform address
// pasted as it is (aws_s3_bucket.b["logs"]) stays one literal word.
// Nothing is expanded ($, *, ~ stay as written). A line that is not valid
// UTF-8 or leaves a quote open is an error, so a half-typed comment never
// runs as something else.
func Fields(line string) ([]string, error) {
	if !utf8.ValidString(line) {
		return nil, ErrInvalidUTF8
	}
	var (
		out   []string
		cur   strings.Builder
		in    bool // inside a word
		quote rune
	)
	runes := []rune(line)
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		switch {
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case quote == '"':
			switch {
			case r == '"':
				quote = 0
			case r == '\\' && i+1 < len(runes) && (runes[i+1] == '"' || runes[i+1] == '\\'):
				i++
				cur.WriteRune(runes[i])
			default:
				cur.WriteRune(r)
			}
		case (r == '\'' || r == '"') && opensQuote(in, cur.String()):
			quote, in = r, true
		case r == '\\':
			in = true
			if i+1 < len(runes) {
				i++
				cur.WriteRune(runes[i])
			}
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			in = true
			cur.WriteRune(r)
		}
	}
	if quote != 0 {
		return nil, ErrUnterminatedQuote
	}
	if in {
		out = append(out, cur.String())
	}
	return out, nil
}

// ParseLine parses a command line written by a person, such as the rest
// of a "/tfdrift revert aws_security_group.web --allow-destroy" comment,
// with the flags register binds (a job's RegisterShared): Fields, then
// Parse. It returns the positional arguments. Flag errors name the flag;
// nothing is printed.
func ParseLine(name, line string, register func(fs *flag.FlagSet)) ([]string, error) {
	words, err := Fields(line)
	if err != nil {
		return nil, err
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	register(fs)
	if err := Parse(fs, words); err != nil {
		return nil, err
	}
	return fs.Args(), nil
}

// opensQuote reports whether a quote character here starts quoting: at
// the start of a word, or right after the "=" of a "--flag=".
func opensQuote(inWord bool, word string) bool {
	return !inWord || strings.HasPrefix(word, "-") && strings.HasSuffix(word, "=")
}

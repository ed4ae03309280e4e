package job

import (
	"errors"
	"flag"
	"io"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

type parsed struct {
	strict bool
	note   string
	tags   StringList
	args   []string
}

func parseLine(args []string) (parsed, error) {
	var p parsed
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&p.strict, "strict-env", false, "")
	fs.StringVar(&p.note, "note", "", "")
	fs.Var(&p.tags, "tag", "")
	err := Parse(fs, args)
	p.args = fs.Args()
	return p, err
}

func TestParseFlagsAnywhere(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want parsed
	}{
		{"flags first", []string{"--strict-env", "validate", "f.yaml"}, parsed{strict: true, args: []string{"validate", "f.yaml"}}},
		{"flags last", []string{"validate", "f.yaml", "--strict-env"}, parsed{strict: true, args: []string{"validate", "f.yaml"}}},
		{"flags between", []string{"validate", "--strict-env", "f.yaml"}, parsed{strict: true, args: []string{"validate", "f.yaml"}}},
		{"value flag after", []string{"resolve", "fp1", "--note", "reverted", "fp2"}, parsed{note: "reverted", args: []string{"resolve", "fp1", "fp2"}}},
		{"repeated", []string{"a", "--tag", "x", "b", "--tag=y"}, parsed{tags: StringList{"x", "y"}, args: []string{"a", "b"}}},
		{"stdin dash stays positional", []string{"-", "--strict-env"}, parsed{strict: true, args: []string{"-"}}},
		{"double dash ends flags", []string{"a", "--", "--strict-env", "-x"}, parsed{args: []string{"a", "--strict-env", "-x"}}},
		{"double dash as a value", []string{"a", "--note", "--"}, parsed{note: "--", args: []string{"a"}}},
		{"value then double dash", []string{"--note", "--", "--", "--tag"}, parsed{note: "--", args: []string{"--tag"}}},
		{"bool then double dash", []string{"--strict-env", "--", "--note"}, parsed{strict: true, args: []string{"--note"}}},
		{"nothing", nil, parsed{args: []string{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseLine(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.strict != tt.want.strict || got.note != tt.want.note || !slices.Equal(got.tags, tt.want.tags) || !slices.Equal(got.args, tt.want.args) {
				t.Errorf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseUnknownFlagAfterArgs(t *testing.T) {
	if _, err := parseLine([]string{"validate", "--bogus"}); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("unknown flag after an argument: %v", err)
	}
}

func TestFields(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  error
	}{
		{"revert --allow-destroy", []string{"revert", "--allow-destroy"}, nil},
		{"  ignore\taws_s3_bucket.logs   --attr tags.owner \n", []string{"ignore", "aws_s3_bucket.logs", "--attr", "tags.owner"}, nil},
		{`ignore 'aws_s3_bucket.b["logs"]' --attr "tags.Owner Name"`, []string{"ignore", `aws_s3_bucket.b["logs"]`, "--attr", "tags.Owner Name"}, nil},
		{`revert aws_s3_bucket.b["logs"] module.m["a b"]`, []string{"revert", `aws_s3_bucket.b["logs"]`, `module.m["a`, `b"]`}, nil},
		{`ignore x --attr="tags.Owner Name" --for='7d'`, []string{"ignore", "x", "--attr=tags.Owner Name", "--for=7d"}, nil},
		{`it's fine`, []string{"it's", "fine"}, nil},
		{`a "x\"y\\z\n"`, []string{"a", `x"y\z\n`}, nil},
		{`a\ b c`, []string{"a b", "c"}, nil},
		{`'' ""`, []string{"", ""}, nil},
		{`$HOME *`, []string{"$HOME", "*"}, nil},
		{"", nil, nil},
		{`ignore 'open`, nil, ErrUnterminatedQuote},
		{`ignore "open`, nil, ErrUnterminatedQuote},
		{"bad \xff", nil, ErrInvalidUTF8},
	}
	for _, tt := range tests {
		got, err := Fields(tt.in)
		if !errors.Is(err, tt.err) || !slices.Equal(got, tt.want) {
			t.Errorf("Fields(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

// FuzzFields: any comment text splits without panicking, into valid
// UTF-8 words; a line of plain words splits exactly as strings.Fields.
func FuzzFields(f *testing.F) {
	for _, s := range []string{"revert --allow-destroy", `ignore 'a b' "c\"d"`, `x\ y`, "'", "\"\\", "a\tb\nc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Fields(s)
		if err != nil {
			return
		}
		for _, w := range got {
			if !utf8.ValidString(w) {
				t.Fatalf("Fields(%q) gave invalid UTF-8 %q", s, w)
			}
		}
		if !strings.ContainsAny(s, `'"\`) && !strings.ContainsFunc(s, func(r rune) bool { return r > 127 || r < 32 && r != '\t' && r != '\n' && r != '\r' }) {
			plain := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' })
			if !slices.Equal(got, plain) && !(len(got) == 0 && len(plain) == 0) {
				t.Fatalf("Fields(%q) = %q, want %q", s, got, plain)
			}
		}
	})
}

func TestStatus(t *testing.T) {
	typed := codeErr{5}
	tests := []struct {
		name string
		err  error
		code int
		msg  string
	}{
		{"nil", nil, 0, ""},
		{"help", flag.ErrHelp, 0, ""},
		{"plain", errors.New("boom"), 1, "boom"},
		{"typed", typed, 5, "code 5"},
		{"wrapped typed", errors.Join(errors.New("ctx"), typed), 5, "ctx\ncode 5"},
		{"reported typed", Reported(typed), 5, ""},
		{"exit", Exit(2), 2, ""},
	}
	for _, tt := range tests {
		code, msg := Status(tt.err)
		if code != tt.code || msg != tt.msg {
			t.Errorf("%s: Status = %d %q, want %d %q", tt.name, code, msg, tt.code, tt.msg)
		}
	}
	var ce codeErr
	if !errors.As(Reported(typed), &ce) {
		t.Error("Reported hides the typed error from errors.As")
	}
}

type codeErr struct{ c int }

func (e codeErr) Error() string { return "code " + string(rune('0'+e.c)) }
func (e codeErr) ExitCode() int { return e.c }

func TestEnvComplete(t *testing.T) {
	e := Env{}.Complete()
	if n, err := e.Stdin.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("empty stdin: %d %v", n, err)
	}
	if e.Getenv("HOME") != "" {
		t.Error("nil LookupEnv must read nothing")
	}
	e.LookupEnv = func(k string) (string, bool) { return "v-" + k, true }
	if e.Getenv("X") != "v-X" {
		t.Error("Getenv does not use LookupEnv")
	}
}

func TestParseLine(t *testing.T) {
	var destroy bool
	register := func(fs *flag.FlagSet) { fs.BoolVar(&destroy, "allow-destroy", false, "") }
	rest, err := ParseLine("revert", `aws_s3_bucket.b["logs"] --allow-destroy 'module.x.aws_iam_role.r'`, register)
	if err != nil || !destroy || !slices.Equal(rest, []string{`aws_s3_bucket.b["logs"]`, "module.x.aws_iam_role.r"}) {
		t.Errorf("ParseLine: %q %v %v", rest, destroy, err)
	}
	if _, err := ParseLine("revert", "x --binary /tmp/evil", register); err == nil || !strings.Contains(err.Error(), "binary") {
		t.Errorf("an unregistered flag: %v", err)
	}
	if _, err := ParseLine("revert", "x 'open", register); !errors.Is(err, ErrUnterminatedQuote) {
		t.Errorf("an open quote: %v", err)
	}
	if code, msg := Status(Usage(2, "want list or retry")); code != 2 || msg != "want list or retry" {
		t.Errorf("Usage: %d %q", code, msg)
	}
}

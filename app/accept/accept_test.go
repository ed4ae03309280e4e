package accept

import (
	"flag"
	"testing"

	"github.com/tfdrift/tfdrift/app/job"
)

// TestCommentGrammar: "/tfdrift accept --confirm" parses with the CLI's
// flag definitions; paths and binaries of the machine are not accepted
// from a comment.
func TestCommentGrammar(t *testing.T) {
	parse := func(line string) (Args, error) {
		var a Args
		rest, err := job.ParseLine("accept", line, a.RegisterShared)
		a.Inputs = rest
		return a, err
	}
	a, err := parse("--confirm --dry-run")
	if err != nil || !a.Confirm || !a.DryRun || len(a.Inputs) != 0 {
		t.Errorf("got %+v, %v", a, err)
	}
	for _, local := range []string{"--terraform /tmp/evil", "--binary x", "--repo /", "--state /etc/passwd", "--config c.yaml"} {
		if _, err := parse(local); err == nil {
			t.Errorf("a comment set %s", local)
		}
	}
}

// TestBinaryAliases: --binary and --terraform are one flag, and the help
// names no placeholder taken from backquotes.
func TestBinaryAliases(t *testing.T) {
	for _, name := range []string{"binary", "terraform"} {
		var a Args
		fs := flag.NewFlagSet("accept", flag.ContinueOnError)
		a.RegisterFlags(fs)
		if err := fs.Parse([]string{"--" + name, "tofu"}); err != nil || a.Binary != "tofu" {
			t.Errorf("--%s: %+v, %v", name, a, err)
		}
		if n, _ := flag.UnquoteUsage(fs.Lookup(name)); n != "string" {
			t.Errorf("--%s shows the placeholder %q in --help", name, n)
		}
	}
}

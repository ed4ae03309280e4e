package accept

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/app/demo/scenario"
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

// accept with an input it cannot read says so once and edits nothing
// (issue 14, item 17: "events: events: read: read events: is a
// directory").
func TestUnreadableInputEditsNothing(t *testing.T) {
	sc, err := scenario.Extract(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	before, _ := os.ReadFile(filepath.Join(sc.Repo, "main.tf"))
	var errb strings.Builder
	err = Run(t.Context(), job.Env{Stderr: &errb}, Args{Repo: sc.Repo, States: []string{sc.State}, Inputs: append([]string{dir}, sc.Events...)})
	code, msg := job.Status(err)
	all := errb.String() + msg
	if code != 1 || strings.Count(all, dir) != 2 || !strings.Contains(all, "is a directory") || !strings.Contains(msg, "nothing was edited") {
		t.Errorf("exit %d; want the directory named once in one error line and nothing edited:\n%s", code, all)
	}
	if after, _ := os.ReadFile(filepath.Join(sc.Repo, "main.tf")); string(after) != string(before) {
		t.Error("main.tf was edited")
	}
}

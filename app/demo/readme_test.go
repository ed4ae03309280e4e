package demo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/app/demo/scenario"
	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/internal/golden"
)

// readmePath is the repository's README, whose GitHub App section shows
// what the demo renders.
var readmePath = filepath.Join("..", "..", "README.md")

// TestREADMEShowsWhatDemoRenders: the drift issue, the accept pull
// request and the commands in the README's "Install the GitHub App"
// section are exactly what `make demo` renders, so the two cannot drift
// apart. -update writes the demo's into the README.
func TestREADMEShowsWhatDemoRenders(t *testing.T) {
	sc, err := scenario.Extract(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := wiring.LoadConfig(sc.Config, func(string) (string, bool) { return "", false }, &strings.Builder{}, false)
	if err != nil {
		t.Fatal(err)
	}
	p, err := previewGitHub(context.Background(), sc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	got := readme
	for _, blk := range []struct{ name, md string }{{"issue", p.Issue}, {"pull", p.Pull}, {"commands", p.Commands}} {
		var ok bool
		if got, ok = replaceBlock(got, "<!-- demo:github-"+blk.name+" -->\n````markdown\n", blk.md); !ok {
			t.Errorf("README.md has no <!-- demo:github-%s --> block followed by a ````markdown fence", blk.name)
		}
	}
	if got == readme {
		return
	}
	if golden.Update() {
		if err := os.WriteFile(readmePath, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's GitHub App examples differ from what the demo renders: run go test ./app/demo -run TestREADMEShowsWhatDemoRenders -update")
}

// replaceBlock puts md (ending in a newline) between start and the
// ```` that closes the fence after it.
func replaceBlock(doc, start, md string) (string, bool) {
	i := strings.Index(doc, start)
	if i < 0 {
		return doc, false
	}
	body := i + len(start)
	j := strings.Index(doc[body:], "````\n")
	if j < 0 {
		return doc, false
	}
	if !strings.HasSuffix(md, "\n") {
		md += "\n"
	}
	return doc[:body] + md + doc[body+j:], true
}

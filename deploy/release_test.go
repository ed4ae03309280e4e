package deploy

import (
	"os"
	"strings"
	"testing"
)

// TestDockerfileVersion: the image builds without tags or git. The
// version comes from a build argument with a default, and no build step
// asks git (the build context has no .git).
func TestDockerfileVersion(t *testing.T) {
	var arg string
	for _, in := range parseDockerfile(t, "Dockerfile") {
		if in.cmd == "ARG" && strings.HasPrefix(in.args, "VERSION") {
			arg = in.args
		}
		if in.cmd == "RUN" && strings.Contains(in.args, "git ") {
			t.Errorf("line %d runs git: %s", in.line, in.args)
		}
		if in.cmd == "RUN" && strings.Contains(in.args, "go build") && !strings.Contains(in.args, "-X main.version=${VERSION}") {
			t.Errorf("line %d: the build does not stamp VERSION: %s", in.line, in.args)
		}
	}
	if arg != "VERSION=v0.0.0-dev" {
		t.Errorf("ARG %q, want VERSION=v0.0.0-dev: a default, so a build without --build-arg works", arg)
	}
	ignore, err := os.ReadFile("Dockerfile.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains("\n"+string(ignore), "\n.git\n") {
		t.Error("the build context holds .git")
	}
}

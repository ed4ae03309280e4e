//go:build e2e

package docs

// The rows of terraform.* keys run a real Terraform (internal/tftest),
// so they run only under -tags e2e (make test); make test-short builds
// world_noterraform_test.go instead. They stay in this package rather than
// internal/e2etest because they share the whole world of the key walk
// (TestDocumentedKeysChangeBehaviour).

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/app/revert"
	"github.com/tfdrift/tfdrift/internal/tftest"
)

// terraformWorlds holds each world's terraformWorld, made when a row first
// needs it (rows run one at a time).
var terraformWorlds = map[*world]*terraformWorld{}

// terraformWorld is a real Terraform root (the test provider, a local
// state outside the repo) applied once, and a wrapper of the terraform
// binary that logs every command line.
type terraformWorld struct {
	env     *tftest.Env
	wrapper string
	log     string
	empty   string
}

func (w *world) terraform() *terraformWorld {
	w.t.Helper()
	if tw := terraformWorlds[w]; tw != nil {
		return tw
	}
	t := w.root
	env := tftest.New(t, "testdata/tf")
	main := filepath.Join(env.Dir, "main.tf")
	src := mustRead(t, main)
	if err := os.WriteFile(main, []byte(strings.Replace(src, "STATE_PATH", filepath.Join(t.TempDir(), "terraform.tfstate"), 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	tf := env.Tf(t)
	ctx := context.Background()
	if err := tf.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tf.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FAKEAWS_CLOUD_FILE", env.CloudFile)
	tw := &terraformWorld{env: env, log: filepath.Join(w.dir, "terraform.log"), wrapper: filepath.Join(w.dir, "terraform-wrapper"), empty: filepath.Join(w.dir, "empty-mirror")}
	os.MkdirAll(tw.empty, 0o755)
	script := fmt.Sprintf("#!/bin/sh\necho \"$*\" >> %q\nexec %q \"$@\"\n", tw.log, env.Terraform)
	if err := os.WriteFile(tw.wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	terraformWorlds[w] = tw
	return tw
}

// reverting runs revert --dry-run on the security group with the config's
// terraform block: its exit status, the plan commands the binary got, and
// what landed in the plugin cache.
func reverting(w *world, cfg string) string {
	tw := w.terraform()
	cfg = w.config("tf-"+filepath.Base(cfg), mustRead(w.t, cfg),
		"${TF}", tw.env.Terraform, "${WRAPPER}", tw.wrapper, "${MIRROR}", tw.env.Mirror, "${EMPTY_MIRROR}", tw.empty)
	os.Remove(tw.log)
	cache := filepath.Join(w.dir, "plugin-cache")
	os.RemoveAll(cache)
	os.MkdirAll(cache, 0o755)
	out, errs := run(func(env job.Env) error {
		return revert.Run(context.Background(), env, revert.Args{Repo: tw.env.Dir, DryRun: true, ConfigFile: cfg, Addresses: []string{"aws_security_group.web"}})
	})
	var plans []string
	for _, l := range strings.Split(mustReadOr(tw.log), "\n") {
		if strings.HasPrefix(l, "plan") {
			plans = append(plans, l)
		}
	}
	var cached []string
	filepath.WalkDir(cache, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(cache, p)
			cached = append(cached, rel)
		}
		return nil
	})
	code := "exit 0"
	if i := strings.LastIndex(errs, "exit "); i >= 0 {
		code = strings.SplitN(errs[i:], ":", 2)[0]
	}
	return fmt.Sprintf("%s\nplans: %s\ncache: %s\nstdout: %.300s\nstderr: %.600s", code, strings.Join(plans, " | "), strings.Join(cached, ", "), out, errs)
}

func mustReadOr(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

package terraform

import (
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fakeScript stands in for terraform in unit tests. It appends each
// invocation's arguments to $FAKE_LOG (tab-separated, one line per run)
// and answers from files the test names in the environment, so tests can
// assert the exact argv without a real binary and without timing.
const fakeScript = `#!/bin/sh
for a in "$@"; do printf '%s\t' "$a" >>"$FAKE_LOG"; done
printf '\n' >>"$FAKE_LOG"
case "$1" in
version)
	if [ -n "$FAKE_VERSION_TEXT" ]; then printf '%s\n' "$FAKE_VERSION_TEXT"; exit 0; fi
	printf '{"terraform_version":"%s","platform":"linux_amd64","provider_selections":{},"terraform_outdated":false}\n' "${FAKE_VERSION:-1.5.7}"
	;;
plan)
	for a in "$@"; do
		case "$a" in -out=*) : >"${a#-out=}" ;; esac
	done
	if [ -n "$FAKE_PLAN_STDOUT" ]; then cat "$FAKE_PLAN_STDOUT"; fi
	if [ -n "$FAKE_PLAN_STDERR" ]; then cat "$FAKE_PLAN_STDERR" >&2; exit 1; fi
	exit "${FAKE_PLAN_EXIT:-0}"
	;;
show)
	if [ "$2" = "-json" ]; then cat "$FAKE_SHOW_JSON"; else printf 'Terraform will perform the following actions:\n'; fi
	;;
apply)
	if [ -n "$FAKE_APPLY_STDERR" ]; then cat "$FAKE_APPLY_STDERR" >&2; exit 1; fi
	printf 'Apply complete! Resources: 0 added, 1 changed, 0 destroyed.\n'
	;;
init)
	printf 'Terraform has been successfully initialized!\n'
	;;
workspace)
	case "$2" in
	list) printf '* default\n  prod\n' ;;
	select|new) ;;
	esac
	;;
esac
`

// fake is a fake terraform binary and the environment that drives it.
type fake struct {
	t   *testing.T
	bin string
	log string
	env map[string]string
}

func newFake(t *testing.T, name string) *fake {
	t.Helper()
	dir := t.TempDir()
	f := &fake{t: t, bin: filepath.Join(dir, name), log: filepath.Join(dir, "argv.log"), env: map[string]string{}}
	if err := os.WriteFile(f.bin, []byte(fakeScript), 0o755); err != nil {
		t.Fatal(err)
	}
	f.env["FAKE_LOG"] = f.log
	return f
}

// set names a testdata file for one of the FAKE_* variables.
func (f *fake) set(key, value string) *fake {
	f.env[key] = value
	return f
}

// runner builds a Runner on a fresh directory that runs the fake.
func (f *fake) runner(opts ...Option) *Runner {
	f.t.Helper()
	env := []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range f.env {
		if strings.HasSuffix(k, "_JSON") || strings.HasSuffix(k, "_STDOUT") || strings.HasSuffix(k, "_STDERR") {
			abs, err := filepath.Abs(v)
			if err != nil {
				f.t.Fatal(err)
			}
			v = abs
		}
		env = append(env, k+"="+v)
	}
	r, err := New(f.t.TempDir(), append([]Option{Binary(f.bin), Env(env)}, opts...)...)
	if err != nil {
		f.t.Fatalf("New: %v", err)
	}
	return r
}

var planPathRE = regexp.MustCompile(`/[^\t]*tfdrift-plan-[^/\t]+/`)

// calls returns the recorded invocations, with plan-file directories
// replaced by "PLANDIR/".
func (f *fake) calls() [][]string {
	f.t.Helper()
	b, err := os.ReadFile(f.log)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		f.t.Fatal(err)
	}
	var out [][]string
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\t")
		line = planPathRE.ReplaceAllString(line, "PLANDIR/")
		out = append(out, strings.Split(line, "\t"))
	}
	return out
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

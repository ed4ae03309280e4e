package chartmem

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/tfdrift/tfdrift/internal/e2etest"
)

// chartDir finds deploy/helm/tfdrift from the test's directory.
func chartDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "deploy", "helm", "tfdrift")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

func helm(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return e2etest.Helm(t, ".", args...)
}

// goMemLimit renders the chart with set and returns the tfdrift
// container's GOMEMLIMIT, and whether it has one.
func goMemLimit(t *testing.T, set ...string) (string, bool) {
	t.Helper()
	args := []string{"template", "t", chartDir(t), "--kube-version", "1.30.0"}
	for _, s := range set {
		args = append(args, "--set", s)
	}
	out, err := helm(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(strings.NewReader(out))
	for {
		var doc struct {
			Kind string
			Spec struct {
				Template struct {
					Spec struct {
						Containers []struct {
							Name string
							Env  []struct{ Name, Value string }
						}
					}
				}
			}
		}
		if err := dec.Decode(&doc); err != nil {
			t.Fatalf("no Deployment in the chart's output: %v", err)
		}
		if doc.Kind != "Deployment" {
			continue
		}
		for _, c := range doc.Spec.Template.Spec.Containers {
			if c.Name != "tfdrift" {
				continue
			}
			for _, e := range c.Env {
				if e.Name == "GOMEMLIMIT" {
					return e.Value, true
				}
			}
			return "", false
		}
		t.Fatal("the Deployment has no tfdrift container")
	}
}

// TestGoMemLimit: by default the daemon's soft memory limit is 90% of the
// container's memory limit, in bytes; it follows the limit, can be given
// or turned off, and there is none without a limit.
func TestGoMemLimit(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  []string
		want string // "" for none
	}{
		{"default 768Mi", nil, "724775731"},
		{"1Gi", []string{"resources.limits.memory=1Gi"}, "966367641"},
		{"decimal suffix", []string{"resources.limits.memory=512M"}, "460800000"},
		{"fraction", []string{"resources.limits.memory=1.5Gi"}, "1449551462"},
		{"percent", []string{"goMemLimitPercent=80"}, "644245094"},
		{"given", []string{"goMemLimit=600MiB"}, "600MiB"},
		{"off", []string{"goMemLimit=off"}, ""},
		{"no limit", []string{"resources.limits=null"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := goMemLimit(t, tc.set...)
			if tc.want == "" {
				if ok {
					t.Errorf("GOMEMLIMIT = %q, want none", got)
				}
				return
			}
			if !ok || got != tc.want {
				t.Errorf("GOMEMLIMIT = %q (set: %v), want %q", got, ok, tc.want)
			}
		})
	}
}

// TestGoMemLimitRefusesUnknownUnit: a memory limit the chart cannot read
// fails the render, naming the value, rather than dropping GOMEMLIMIT.
func TestGoMemLimitRefusesUnknownUnit(t *testing.T) {
	_, err := helm(t, "template", "t", chartDir(t), "--kube-version", "1.30.0", "--set", "resources.limits.memory=1Xi")
	if err == nil || !strings.Contains(err.Error(), `resources.limits.memory "1Xi"`) {
		t.Fatalf("render with limit 1Xi: %v, want an error naming it", err)
	}
}

package workspace

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/internal/golden"

	"github.com/google/go-cmp/cmp"
)

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.CheckString(t, filepath.Join("testdata", "golden", name), got)
}

func TestCLIConfig(t *testing.T) {
	tests := []struct {
		name             string
		cache, mirror    string
		include          []string
		wantErrSubstring string
	}{
		{name: "defaults"},
		{name: "cache-and-mirror-only", cache: "/var/cache/tfdrift/plugins", mirror: "/opt/mirror"},
		{name: "mirror-for-hashicorp", mirror: "/opt/mirror", include: []string{"registry.terraform.io/hashicorp/*", "example.com/acme/*"}},
		{name: "quote", cache: `/tmp/a"b`, wantErrSubstring: "quotes"},
		{name: "template", mirror: "/tmp/${HOME}", wantErrSubstring: "template"},
		{name: "newline", mirror: "/opt/m", include: []string{"a\nb"}, wantErrSubstring: "control"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cliConfig(tt.cache, tt.mirror, tt.include)
			if tt.wantErrSubstring != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErrSubstring) {
					t.Fatalf("err = %v, want %q", err, tt.wantErrSubstring)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "cliconfig-"+tt.name+".hcl", got)
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name    string
		spec    Spec
		want    Key
		wantErr string
	}{
		{"defaults", Spec{Repo: "/r", Job: "j"}, Key{Repo: "/r", Dir: ".", Workspace: "default"}, ""},
		{"repo id and cleaned dir", Spec{Repo: "/r", RepoID: "acme/infra", Dir: "envs//prod/", Workspace: "prod", Job: "j"},
			Key{Repo: "acme/infra", Dir: "envs/prod", Workspace: "prod"}, ""},
		{"escaping dir", Spec{Repo: "/r", Dir: "../other", Job: "j"}, Key{}, "relative path inside"},
		{"absolute dir", Spec{Repo: "/r", Dir: "/etc", Job: "j"}, Key{}, "relative path inside"},
		{"bad workspace", Spec{Repo: "/r", Workspace: "a/b", Job: "j"}, Key{}, "invalid Terraform workspace"},
		{"dash workspace", Spec{Repo: "/r", Workspace: "-x", Job: "j"}, Key{}, "invalid Terraform workspace"},
		{"no job", Spec{Repo: "/r"}, Key{}, "no job name"},
		{"no repo", Spec{Job: "j"}, Key{}, "no repository"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got, err := normalize(tt.spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("key (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLocalStatePath(t *testing.T) {
	tests := []struct {
		name      string
		backend   string // contents of .terraform/terraform.tfstate; "" = none
		workspace string
		want      string // relative to the module dir unless absolute; "" = not local
	}{
		{"no backend block", "", "default", "terraform.tfstate"},
		{"no backend block, other workspace", "", "prod", "terraform.tfstate.d/prod/terraform.tfstate"},
		{"local defaults", `{"backend":{"type":"local","config":{"path":null,"workspace_dir":null}}}`, "default", "terraform.tfstate"},
		{"local absolute", `{"backend":{"type":"local","config":{"path":"/srv/state/prod.tfstate"}}}`, "default", "/srv/state/prod.tfstate"},
		{"local absolute, other workspace, relative dir", `{"backend":{"type":"local","config":{"path":"/srv/s.tfstate"}}}`, "prod", "terraform.tfstate.d/prod/terraform.tfstate"},
		{"local workspace dir", `{"backend":{"type":"local","config":{"workspace_dir":"/srv/ws"}}}`, "prod", "/srv/ws/prod/terraform.tfstate"},
		{"s3", `{"backend":{"type":"s3","config":{"bucket":"b"}}}`, "default", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mod := t.TempDir()
			data := filepath.Join(mod, ".terraform")
			if tt.backend != "" {
				if err := os.MkdirAll(data, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(data, "terraform.tfstate"), []byte(tt.backend), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := localStatePath(mod, data, tt.workspace)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if want != "" && !filepath.IsAbs(want) {
				want = filepath.Join(mod, want)
			}
			if got != want {
				t.Errorf("localStatePath = %q, want %q", got, want)
			}
		})
	}
}

func TestInside(t *testing.T) {
	for _, tt := range []struct {
		path, dir string
		want      bool
	}{
		{"/a/b/c", "/a/b", true}, {"/a/b", "/a/b", true}, {"/a/bc", "/a/b", false}, {"/a", "/a/b", false}, {"/a/..b/x", "/a", true},
	} {
		if got := inside(tt.path, tt.dir); got != tt.want {
			t.Errorf("inside(%q, %q) = %v", tt.path, tt.dir, got)
		}
	}
}

func TestCopyTree(t *testing.T) {
	src := t.TempDir()
	write := func(name, body string, mode fs.FileMode) {
		p := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
	}
	write("main.tf", "# main", 0o644)
	write(".terraform.lock.hcl", "# lock", 0o644)
	write("scripts/run.sh", "#!/bin/sh", 0o755)
	write(".terraform/providers/x", "binary", 0o755)
	write("modules/net/.terraform/modules/m", "module", 0o644)
	if err := os.Symlink("../main.tf", filepath.Join(src, "modules", "link.tf")); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "copy")
	if err := copyTree(src, dst); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	err := filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dst, p)
		info, _ := os.Lstat(p)
		got[rel] = info.Mode().String()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"main.tf": "-rw-r--r--", ".terraform.lock.hcl": "-rw-r--r--", "scripts/run.sh": "-rwxr-xr-x", "modules/link.tf": "Lrwxrwxrwx",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("copied files (-want +got):\n%s", diff)
	}
}

func TestJobEnv(t *testing.T) {
	got := jobEnv([]string{"PATH=/bin", "TF_CLI_CONFIG_FILE=/missing", "TF_PLUGIN_CACHE_DIR=/c", "TF_DATA_DIR=/d", "AWS_REGION=eu-west-1"}, "/job/terraform.rc")
	want := []string{"PATH=/bin", "AWS_REGION=eu-west-1", "TF_CLI_CONFIG_FILE=/job/terraform.rc"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("env (-want +got):\n%s", diff)
	}
}

func TestNewManagerErrors(t *testing.T) {
	if _, err := NewManager(FilesystemMirror(filepath.Join(t.TempDir(), "nope"))); err == nil || !strings.Contains(err.Error(), "is not a directory") {
		t.Errorf("missing mirror: err = %v", err)
	}
	if _, err := NewManager(PluginCacheDir(`/tmp/we"ird`)); err == nil {
		t.Error("unquotable plugin cache: want an error")
	}
}

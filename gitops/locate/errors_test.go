package locate

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

func mapFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, content := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(content)}
	}
	return fsys
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		root  string
		// want is the error text, or its first line for diagnostics
		// that carry hcl's long detail.
		want string
		// at is the position the first ConfigError must name.
		at string
	}{
		{
			name:  "broken native syntax",
			files: map[string]string{"main.tf": "resource \"aws_instance\" \"web\" {\n  ami = \n}\n"},
			at:    "main.tf:2:9",
		},
		{
			name:  "broken JSON syntax",
			files: map[string]string{"main.tf.json": "{\n  \"resource\": {\n    \"aws_instance\": [1,\n}\n"},
			at:    "main.tf.json:4:1",
		},
		{
			name:  "broken file in a nested module",
			files: map[string]string{"main.tf": "module \"a\" {\n  source = \"./a\"\n}\n", "a/x.tf": "variable \"v\" {\n  default = \"unterminated\n}\n"},
			at:    "a/x.tf:2:26",
		},
		{
			name:  "resource with one label",
			files: map[string]string{"main.tf": "\nresource \"aws_instance\" {\n}\n"},
			at:    "main.tf:2:25",
		},
		{
			name:  "duplicate resource across files",
			files: map[string]string{"a.tf": "resource \"t\" \"n\" {}\n", "b.tf": "\n\nresource \"t\" \"n\" {}\n"},
			want:  "b.tf:3:1: duplicate t.n: also declared at a.tf:1:1",
		},
		{
			name:  "duplicate module call",
			files: map[string]string{"a.tf": "module \"m\" {\n  source = \"x/y/z\"\n}\n", "b.tf": "module \"m\" {\n  source = \"x/y/z\"\n}\n"},
			want:  "b.tf:1:1: duplicate module \"m\": also declared at a.tf:1:1",
		},
		{
			name:  "module without source",
			files: map[string]string{"main.tf": "module \"m\" {\n}\n"},
			want:  "main.tf:1:1: module \"m\" has no source",
		},
		{
			name:  "module source not a literal",
			files: map[string]string{"main.tf": "module \"m\" {\n  source = var.src\n}\n"},
			want:  "main.tf:2:12: module \"m\": source must be a literal string",
		},
		{
			name:  "missing local module",
			files: map[string]string{"main.tf": "module \"net\" {\n  source = \"./modules/net\"\n}\n"},
			want:  "main.tf:2:12: module \"net\": source directory modules/net does not exist",
		},
		{
			name:  "module outside the repository",
			files: map[string]string{"main.tf": "module \"x\" {\n  source = \"../../etc\"\n}\n"},
			want:  "main.tf:2:12: module \"x\": source \"../../etc\" is outside the repository",
		},
		{
			name: "module cycle",
			files: map[string]string{
				"main.tf":   "module \"a\" {\n  source = \"./a\"\n}\n",
				"a/main.tf": "module \"b\" {\n  source = \"../b\"\n}\n",
				"b/main.tf": "\nmodule \"back\" {\n  source = \"../a\"\n}\n",
			},
			want: "b/main.tf:3:12: module cycle: module.a.module.b.module.back calls a again (a → b → a)",
		},
		{
			name:  "module calling itself",
			files: map[string]string{"main.tf": "module \"me\" {\n  source = \"./\"\n}\n"},
			want:  "main.tf:2:12: module cycle: module.me calls . again (. → .)",
		},
		{
			name:  "bad ignore_changes",
			files: map[string]string{"main.tf": "resource \"t\" \"n\" {\n  lifecycle {\n    ignore_changes = \"tags\"\n  }\n}\n"},
			want:  "main.tf:3:22: ignore_changes must be a list of attribute paths or the keyword all",
		},
		{
			name:  "bad ignore_changes entry",
			files: map[string]string{"main.tf": "resource \"t\" \"n\" {\n  lifecycle {\n    ignore_changes = [1 + 1]\n  }\n}\n"},
			want:  "main.tf:3:23: ignore_changes entry is not an attribute path",
		},
		{
			name:  "bad moved",
			files: map[string]string{"main.tf": "moved {\n  from = aws_instance.a\n  to   = module.b\n}\n"},
			want:  "main.tf:1:1: moved block must move a resource to a resource or a module to a module",
		},
		{
			name:  "moved to a non-address",
			files: map[string]string{"main.tf": "moved {\n  from = aws_instance.a\n  to   = \"x\"\n}\n"},
			want:  "main.tf:3:10: moved to must be an address",
		},
		{
			name:  "duplicate variable",
			files: map[string]string{"a.tf": "variable \"v\" {}\n", "b.tf": "variable \"v\" {}\n"},
			want:  "b.tf:1:1: duplicate variable \"v\": also declared at a.tf:1:1",
		},
		{
			name:  "duplicate local",
			files: map[string]string{"a.tf": "locals {\n  x = 1\n}\n", "b.tf": "locals {\n  x = 2\n}\n"},
			want:  "b.tf:2:3: duplicate local \"x\": also declared at a.tf:2:3",
		},
		{
			name:  "broken tfvars",
			files: map[string]string{"main.tf": "", "terraform.tfvars": "a = \n"},
			at:    "terraform.tfvars:1:5",
		},
		{
			name:  "dynamic without a label",
			files: map[string]string{"main.tf": "resource \"t\" \"n\" {\n  dynamic {\n  }\n}\n"},
			want:  "main.tf:2:3: dynamic block needs one label, the nested block type",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := tt.root
			if root == "" {
				root = "."
			}
			_, err := LoadFS(mapFS(tt.files), root)
			if err == nil {
				t.Fatal("no error")
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v (%T), want a *ConfigError", err, err)
			}
			if tt.want != "" && err.Error() != tt.want {
				t.Errorf("err:\n got %q\nwant %q", err, tt.want)
			}
			if tt.at != "" {
				if got := ce.File + ":" + strconv.Itoa(ce.Line) + ":" + strconv.Itoa(ce.Column); got != tt.at {
					t.Errorf("error at %s, want %s (%v)", got, tt.at, err)
				}
				if !strings.HasPrefix(err.Error(), tt.at+": ") {
					t.Errorf("message %q does not start with %s", err, tt.at)
				}
			}
		})
	}
}

func TestSymlinkOutOfRepoIsRefused(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "main.tf"), []byte(`resource "t" "secret" {}`), 0o644); err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	if err := os.WriteFile(filepath.Join(repo, "main.tf"), []byte("module \"m\" {\n  source = \"./linked\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(repo, "linked")); err != nil {
		t.Fatal(err)
	}
	r, err := Load(repo, ".")
	if err == nil {
		_, ferr := r.Find("module.m.t.secret")
		t.Fatalf("symlink out of the repo was followed (Find err = %v)", ferr)
	}
}

func TestModuleTreeIsBounded(t *testing.T) {
	// Each level calls the next one twice: 2^20 instances without the
	// bound, a few thousand directories' worth of work with it.
	files := map[string]string{"main.tf": "module \"a\" {\n  source = \"./l1\"\n}\nmodule \"b\" {\n  source = \"./l1\"\n}\n"}
	dir := "l1"
	for i := 2; i <= 20; i++ {
		next := "l" + strconv.Itoa(i)
		files[dir+"/main.tf"] = "module \"a\" {\n  source = \"../" + next + "\"\n}\nmodule \"b\" {\n  source = \"../" + next + "\"\n}\n"
		dir = next
	}
	files[dir+"/main.tf"] = `resource "t" "n" {}`
	_, err := LoadFS(mapFS(files), ".")
	if err == nil || !strings.Contains(err.Error(), "module instances") {
		t.Fatalf("err = %v, want the instance bound", err)
	}
}

func TestSameModuleTwice(t *testing.T) {
	files := map[string]string{
		"main.tf":        "module \"blue\" {\n  source = \"./app\"\n}\nmodule \"green\" {\n  source = \"./app/\"\n}\n",
		"app/main.tf":    "resource \"aws_instance\" \"web\" {\n  ami = var.ami\n}\n",
		"app/vars.tf":    "variable \"ami\" {\n  default = \"ami-1\"\n}\n",
		"app/moved.tf":   "moved {\n  from = aws_instance.old\n  to   = aws_instance.web\n}\n",
		"README.md":      "not terraform",
		"app/.hidden.tf": "this is not parsed {",
		"app/x.tf~":      "nor this {",
	}
	r, err := LoadFS(mapFS(files), ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"module.blue.aws_instance.web", "module.green.aws_instance.web", "module.green.aws_instance.old"} {
		b, err := r.Find(a)
		if err != nil {
			t.Errorf("Find(%q): %v", a, err)
			continue
		}
		if b.File != "app/main.tf" || b.Range.Start.Line != 1 {
			t.Errorf("Find(%q) = %s:%d", a, b.File, b.Range.Start.Line)
		}
	}
	if b, _ := r.Find("module.green.aws_instance.old"); b == nil || b.Address != "module.green.aws_instance.web" || b.Module != "module.green" {
		t.Errorf("moved inside a module instance resolved to %+v", b)
	}
	if v, ok := r.Variable("module.blue", "ami"); !ok || v.Module != "module.blue" {
		t.Errorf("module.blue var.ami = %+v", v)
	}
	if n := len(r.Files()); n != 4 {
		t.Errorf("Files = %v, want each file once", r.Files())
	}
}

func TestAttributeRangeKeys(t *testing.T) {
	src := "resource \"aws_instance\" \"web\" {\n" +
		"  tags = {\n" +
		"    \"kubernetes.io/role\" = \"node\"\n" +
		"    (local.k)            = \"computed\"\n" +
		"    Plain                = \"p\"\n" +
		"  }\n" +
		"  ports = { 22 = \"ssh\" }\n" +
		"}\n"
	r, err := LoadFS(mapFS(map[string]string{"main.tf": src}), ".")
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Find("aws_instance.web")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path, matched string
		line          int
	}{
		{`tags["kubernetes.io/role"]`, "tags.kubernetes.io/role", 3},
		{"tags.Plain", "tags.Plain", 5},
		{"tags.computed", "tags", 2}, // a computed key is never guessed
		{"ports.22", "ports.22", 7},
	} {
		rng, matched, ok := b.AttributeRange(tt.path)
		if !ok || matched != tt.matched || rng.Start.Line != tt.line {
			t.Errorf("AttributeRange(%q) = line %d, %q, %v; want line %d, %q", tt.path, rng.Start.Line, matched, ok, tt.line, tt.matched)
		}
	}
	if _, _, ok := b.AttributeRange(""); ok {
		t.Error("empty path matched")
	}
	_, err = r.Find("aws_instance.db[0]")
	if want := "resource aws_instance.db[0] is not declared in the configuration"; err == nil || err.Error() != want {
		t.Errorf("Find error = %v, want %q", err, want)
	}
}

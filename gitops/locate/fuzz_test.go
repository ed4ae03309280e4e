package locate

import (
	"errors"
	"os"
	"testing"
	"testing/fstest"
)

// FuzzLoad parses one arbitrary file as the root module (native or JSON
// syntax) next to a fixed local module. Load must never panic; it either
// fails with errors naming positions or yields a Repo whose queries work.
func FuzzLoad(f *testing.F) {
	for _, name := range []string{"main.tf", "variables.tf", "moved.tf", "buckets.tf.json", "modules/sg/main.tf", "modules/network/main.tf"} {
		src, err := os.ReadFile("testdata/repo/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src), len(name) > 8 && name[len(name)-8:] == ".tf.json")
	}
	f.Add("resource \"a\" \"b\" {\n  dynamic \"x\" {}\n  lifecycle { ignore_changes = [a[\"b\"], c.0] }\n}\n", false)
	f.Add("module \"m\" {\n  source = \"./mod\"\n}\nmoved {\n  from = module.m\n  to = module.n\n}\n", false)
	f.Add("module \"m\" {\n  source = \"./\"\n}\n", false)
	f.Add(`{"resource": {"t": {"n": [{"lifecycle": {"ignore_changes": ["a"]}}]}}}`, true)
	f.Add(`{"module": {"m": {"source": "./mod"}}, "locals": [{"a": 1}]}`, true)
	f.Add("resource \"t\" \"n\" {\n  ami = \n}\n", false)

	f.Fuzz(func(t *testing.T, src string, isJSON bool) {
		name := "main.tf"
		if isJSON {
			name = "main.tf.json"
		}
		fsys := fstest.MapFS{
			name:          {Data: []byte(src)},
			"mod/main.tf": {Data: []byte("resource \"aws_instance\" \"web\" {\n  ami = var.ami\n}\nvariable \"ami\" {\n  default = \"x\"\n}\n")},
		}
		r, err := LoadFS(fsys, ".")
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error is not positioned: %v", err)
			}
			return
		}
		for _, b := range r.Blocks() {
			found, err := r.Find(b.Address)
			if err != nil {
				t.Fatalf("Find(%q) of a listed block: %v", b.Address, err)
			}
			if found.Address != b.Address {
				t.Fatalf("Find(%q) = %q", b.Address, found.Address)
			}
			r.Location(b.Address)
			r.IgnoreChanges(b.Address)
			for name := range b.Attributes {
				b.AttributeRange(name + ".x.0")
			}
		}
		r.Find("module.m.aws_instance.web")
		r.Find("module.n.module.x.t.n")
	})
}

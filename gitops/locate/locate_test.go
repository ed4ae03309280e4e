package locate

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/drift"
)

const corpus = "testdata/repo"

func loadCorpus(t testing.TB) *Repo {
	t.Helper()
	r, err := Load(corpus, ".")
	if err != nil {
		t.Fatalf("Load(%s): %v", corpus, err)
	}
	return r
}

// text returns the source a range covers, so tests can check byte offsets
// against the file itself rather than against numbers.
func text(t *testing.T, r Range) string {
	t.Helper()
	if r.Start.File != r.End.File {
		t.Fatalf("range spans files: %+v", r)
	}
	src, err := os.ReadFile(filepath.Join(corpus, filepath.FromSlash(r.Start.File)))
	if err != nil {
		t.Fatal(err)
	}
	if r.Start.Byte < 0 || r.End.Byte > len(src) || r.Start.Byte > r.End.Byte {
		t.Fatalf("range %+v outside %s (%d bytes)", r, r.Start.File, len(src))
	}
	return string(src[r.Start.Byte:r.End.Byte])
}

func TestFind(t *testing.T) {
	r := loadCorpus(t)
	type want struct {
		Address, Module, ModuleDir, File string
		StartLine, EndLine               int
		Remote, MovedFrom                string
		Count, ForEach, Data             bool
	}
	tests := []struct {
		address string
		want    want
	}{
		{"aws_instance.workers[1]", want{Address: "aws_instance.workers", ModuleDir: ".", File: "main.tf", StartLine: 27, EndLine: 44, Count: true}},
		{"aws_instance.workers", want{Address: "aws_instance.workers", ModuleDir: ".", File: "main.tf", StartLine: 27, EndLine: 44, Count: true}},
		{`aws_s3_bucket.b["logs"]`, want{Address: "aws_s3_bucket.b", ModuleDir: ".", File: "main.tf", StartLine: 46, EndLine: 53, ForEach: true}},
		{"data.aws_ami.ubuntu", want{Address: "data.aws_ami.ubuntu", ModuleDir: ".", File: "main.tf", StartLine: 55, EndLine: 58, Data: true}},
		{"aws_iam_role.app", want{Address: "aws_iam_role.app", ModuleDir: ".", File: "main.tf", StartLine: 60, EndLine: 63}},
		// JSON syntax: the block starts at the resource name's key.
		{"aws_s3_bucket.archive", want{Address: "aws_s3_bucket.archive", ModuleDir: ".", File: "buckets.tf.json", StartLine: 4, EndLine: 12}},
		{"aws_sqs_queue.jobs[1]", want{Address: "aws_sqs_queue.jobs", ModuleDir: ".", File: "buckets.tf.json", StartLine: 15, EndLine: 19, Count: true}},
		// Local modules, nested.
		{"module.network.aws_vpc.main", want{Address: "module.network.aws_vpc.main", Module: "module.network", ModuleDir: "modules/network", File: "modules/network/main.tf", StartLine: 1, EndLine: 7}},
		{`module.network.aws_subnet.private["a"]`, want{Address: "module.network.aws_subnet.private", Module: "module.network", ModuleDir: "modules/network", File: "modules/network/main.tf", StartLine: 16, EndLine: 20, ForEach: true}},
		{"module.network.module.sg.aws_security_group.web", want{Address: "module.network.module.sg.aws_security_group.web", Module: "module.network.module.sg", ModuleDir: "modules/sg", File: "modules/sg/main.tf", StartLine: 1, EndLine: 34}},
		// Remote modules: the module call block.
		{"module.vpc.aws_vpc.this[0]", want{Address: "module.vpc.aws_vpc.this", Module: "module.vpc", File: "main.tf", StartLine: 16, EndLine: 21, Remote: "terraform-aws-modules/vpc/aws"}},
		{`module.legacy.module.zone["a"].aws_route53_record.www`, want{Address: "module.legacy.module.zone.aws_route53_record.www", Module: "module.legacy.module.zone", File: "main.tf", StartLine: 23, EndLine: 25, Remote: "git::https://example.com/infra/legacy-modules.git//dns?ref=v1.4.0"}},
		// moved blocks: a resource rename, a module rename, and a chain.
		{"aws_instance.worker[0]", want{Address: "aws_instance.workers", ModuleDir: ".", File: "main.tf", StartLine: 27, EndLine: 44, Count: true, MovedFrom: "aws_instance.worker"}},
		{"module.net.module.sg.aws_security_group.web", want{Address: "module.network.module.sg.aws_security_group.web", Module: "module.network.module.sg", ModuleDir: "modules/sg", File: "modules/sg/main.tf", StartLine: 1, EndLine: 34, MovedFrom: "module.net.module.sg.aws_security_group.web"}},
		{"aws_iam_role.application", want{Address: "aws_iam_role.app", ModuleDir: ".", File: "main.tf", StartLine: 60, EndLine: 63, MovedFrom: "aws_iam_role.application"}},
	}
	for _, tt := range tests {
		t.Run(tt.address, func(t *testing.T) {
			b, err := r.Find(tt.address)
			if err != nil {
				t.Fatal(err)
			}
			got := want{
				Address: b.Address, Module: b.Module, ModuleDir: b.ModuleDir, File: b.File,
				StartLine: b.Range.Start.Line, EndLine: b.Range.End.Line,
				Remote: b.Remote, MovedFrom: b.MovedFrom,
				Count: b.Count, ForEach: b.ForEach, Data: b.Data,
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Find(%q) (-want +got):\n%s", tt.address, diff)
			}
		})
	}
}

func TestFindErrors(t *testing.T) {
	r := loadCorpus(t)
	for _, address := range []string{
		"aws_instance.nope",
		"module.network.aws_instance.workers", // declared in the root, not in the module
		"module.nope.aws_vpc.main",
		"module.network.module.sg.aws_vpc.main",
	} {
		_, err := r.Find(address)
		var nf *ErrNotFound
		if !errors.As(err, &nf) || nf.Address != address {
			t.Errorf("Find(%q) err = %v, want *ErrNotFound for the address", address, err)
		}
	}
	for _, address := range []string{"", "aws_instance", "module.network", "aws_instance.web.extra", "aws_instance.web[*]", `aws_instance.web["a`} {
		_, err := r.Find(address)
		var nf *ErrNotFound
		if err == nil || errors.As(err, &nf) {
			t.Errorf("Find(%q) err = %v, want a syntax error", address, err)
		}
	}
}

func TestLocation(t *testing.T) {
	r := loadCorpus(t)
	tests := []struct {
		address string
		want    drift.Location
		ok      bool
	}{
		{"aws_instance.workers[0]", drift.Location{File: "main.tf", Line: 27, EndLine: 44}, true},
		{"aws_s3_bucket.archive", drift.Location{File: "buckets.tf.json", Line: 4, EndLine: 12}, true},
		{"module.network.aws_vpc.main", drift.Location{Module: "modules/network", ModuleAddress: "module.network", File: "modules/network/main.tf", Line: 1, EndLine: 7}, true},
		{"module.network.module.sg.aws_security_group.web", drift.Location{Module: "modules/sg", ModuleAddress: "module.network.module.sg", File: "modules/sg/main.tf", Line: 1, EndLine: 34}, true},
		{"module.vpc.aws_nat_gateway.this[0]", drift.Location{ModuleAddress: "module.vpc", File: "main.tf", Line: 16, EndLine: 21, Remote: "terraform-aws-modules/vpc/aws"}, true},
		{"aws_iam_role.application", drift.Location{File: "main.tf", Line: 60, EndLine: 63}, true},
		{"aws_instance.nope", drift.Location{}, false},
	}
	for _, tt := range tests {
		got, ok := r.Location(tt.address)
		if ok != tt.ok {
			t.Errorf("Location(%q) ok = %v, want %v", tt.address, ok, tt.ok)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Location(%q) (-want +got):\n%s", tt.address, diff)
		}
	}
}

func TestIgnoreChanges(t *testing.T) {
	r := loadCorpus(t)
	tests := []struct {
		address string
		want    []string
	}{
		{"aws_instance.workers[2]", []string{"ami", "tags.Owner"}},
		{`aws_s3_bucket.b["assets"]`, []string{"*"}},
		{"aws_s3_bucket.archive", []string{"tags"}}, // JSON: strings parsed as traversals
		{"module.network.module.sg.aws_security_group.web", []string{"description", "ingress.0.cidr_blocks"}},
		{"aws_iam_role.app", nil},
		{"module.vpc.aws_vpc.this", nil}, // remote: unknown
		{"aws_instance.nope", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, r.IgnoreChanges(tt.address)); diff != "" {
			t.Errorf("IgnoreChanges(%q) (-want +got):\n%s", tt.address, diff)
		}
	}
}

func TestBlockDetail(t *testing.T) {
	r := loadCorpus(t)

	w, err := r.Find("aws_instance.workers[0]")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name string
		r    Range
		line int
		text string
	}{
		{"TypeRange", w.TypeRange, 27, `"aws_instance"`},
		{"NameRange", w.NameRange, 27, `"workers"`},
		{"Attributes[instance_type]", w.Attributes["instance_type"], 30, `instance_type = "t3.micro"`},
		{"Exprs[instance_type]", w.Exprs["instance_type"], 30, `"t3.micro"`},
		{"Exprs[count]", w.Exprs["count"], 28, "var.worker_count"},
		{"NestedBlocks[root_block_device][0]", w.NestedBlocks["root_block_device"][0], 37, "root_block_device {\n    volume_size = 20\n  }"},
	}
	for _, c := range checks {
		if c.r.Start.Line != c.line {
			t.Errorf("%s starts on line %d, want %d", c.name, c.r.Start.Line, c.line)
		}
		if got := text(t, c.r); got != c.text {
			t.Errorf("%s covers %q, want %q", c.name, got, c.text)
		}
	}
	if _, ok := w.NestedBlocks["lifecycle"]; ok {
		t.Error("lifecycle listed as a nested block")
	}
	if got, want := text(t, w.Range), "resource \"aws_instance\" \"workers\" {"; !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "}") {
		t.Errorf("Range covers %.40q…, want the whole block", got)
	}

	sg, err := r.Find("module.network.module.sg.aws_security_group.web")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"egress"}, sg.Dynamic); diff != "" {
		t.Errorf("Dynamic (-want +got):\n%s", diff)
	}
	if n := len(sg.NestedBlocks["ingress"]); n != 2 {
		t.Fatalf("%d ingress blocks, want 2", n)
	}
	if got := []int{sg.NestedBlocks["ingress"][0].Start.Line, sg.NestedBlocks["ingress"][1].Start.Line, sg.DynamicBlocks["egress"][0].Range.Start.Line}; !cmp.Equal(got, []int{6, 13, 20}) {
		t.Errorf("ingress, ingress, dynamic egress start on lines %v, want [6 13 20]", got)
	}
	if _, ok := sg.NestedBlocks["egress"]; ok {
		t.Error("dynamic block listed as a literal nested block")
	}
	in := sg.Nested["ingress"][1]
	if got := text(t, in.Exprs["from_port"]); got != "80" {
		t.Errorf("second ingress from_port = %q, want 80", got)
	}
	if got := text(t, sg.DynamicBlocks["egress"][0].Nested["content"][0].Exprs["from_port"]); got != "egress.value" {
		t.Errorf("dynamic content from_port = %q", got)
	}

	arch, err := r.Find("aws_s3_bucket.archive")
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, arch.Exprs["bucket"]); got != `"acme-archive"` {
		t.Errorf("JSON bucket expr = %q", got)
	}
	if arch.Exprs["bucket"].Start.Line != 5 {
		t.Errorf("JSON bucket on line %d, want 5", arch.Exprs["bucket"].Start.Line)
	}
	if _, ok := arch.Attributes["lifecycle"]; ok {
		t.Error("JSON lifecycle kept as an attribute")
	}
}

func TestAttributeRange(t *testing.T) {
	r := loadCorpus(t)
	tests := []struct {
		address, path string
		line          int
		text, matched string
		ok            bool
	}{
		{"aws_instance.workers", "ami", 29, "ami           = data.aws_ami.ubuntu.id", "ami", true},
		{"aws_instance.workers", "tags.Owner", 34, `Owner = "platform"`, "tags.Owner", true},
		{"aws_instance.workers", `tags["Name"]`, 33, `Name  = "worker"`, "tags.Name", true},
		{"aws_instance.workers", "tags.Missing", 32, "", "tags", true},
		{"aws_instance.workers", "root_block_device.volume_size", 38, "volume_size = 20", "root_block_device.volume_size", true},
		{"aws_instance.workers", "root_block_device.0.volume_size", 38, "volume_size = 20", "root_block_device.0.volume_size", true},
		{"aws_instance.workers", "user_data", 0, "", "", false},
		{"module.network.module.sg.aws_security_group.web", "ingress.1.cidr_blocks.1", 17, `"172.16.0.0/12"`, "ingress.1.cidr_blocks.1", true},
		{"module.network.module.sg.aws_security_group.web", "ingress.0.protocol", 9, `protocol    = "tcp"`, "ingress.0.protocol", true},
		{"module.network.module.sg.aws_security_group.web", "ingress.from_port", 6, "", "ingress", true}, // ambiguous: two blocks
		{"module.network.module.sg.aws_security_group.web", "ingress.7.from_port", 6, "", "ingress", true},
		{"module.network.module.sg.aws_security_group.web", "egress.0.to_port", 20, "", "egress", true}, // dynamic
		{"aws_s3_bucket.archive", "tags.Team", 7, `"Team": "data"`, "tags.Team", true},
	}
	for _, tt := range tests {
		b, err := r.Find(tt.address)
		if err != nil {
			t.Fatal(err)
		}
		rng, matched, ok := b.AttributeRange(tt.path)
		if ok != tt.ok || matched != tt.matched || rng.Start.Line != tt.line {
			t.Errorf("%s AttributeRange(%q) = line %d, %q, %v; want line %d, %q, %v", tt.address, tt.path, rng.Start.Line, matched, ok, tt.line, tt.matched, tt.ok)
			continue
		}
		if tt.text != "" {
			if got := text(t, rng); got != tt.text {
				t.Errorf("%s AttributeRange(%q) covers %q, want %q", tt.address, tt.path, got, tt.text)
			}
		}
	}
}

func TestVariablesLocalsAndCalls(t *testing.T) {
	r := loadCorpus(t)

	v, ok := r.Variable("", "vpc_cidr")
	if !ok {
		t.Fatal("root variable vpc_cidr not found")
	}
	if v.File != "variables.tf" || v.Range.Start.Line != 6 || v.Default == nil || v.Default.Start.Line != 8 || text(t, *v.Default) != `"10.0.0.0/16"` {
		t.Errorf("vpc_cidr = %+v (default %v)", v, v.Default)
	}
	if v, ok := r.Variable("", "worker_count"); !ok || v.Default != nil {
		t.Errorf("worker_count: ok=%v default=%v, want declared without default", ok, v)
	}
	v, ok = r.Variable("module.network", "name")
	if !ok || v.ModuleDir != "modules/network" || v.Default == nil || text(t, *v.Default) != `"main"` {
		t.Errorf("module.network var.name = %+v", v)
	}
	if v, ok := r.Variable("module.network[0].module.sg", "ports"); !ok || v.File != "modules/sg/variables.tf" || v.Range.Start.Line != 5 {
		t.Errorf("module.network.module.sg var.ports = %+v, %v", v, ok)
	}
	if _, ok := r.Variable("module.vpc", "cidr"); ok {
		t.Error("found a variable in a remote module")
	}
	if _, ok := r.Variable("not an address", "x"); ok {
		t.Error("found a variable under a bad module address")
	}

	lc, ok := r.Local("", "env")
	if !ok || lc.Range.Start.Line != 67 || text(t, lc.Expr) != `"prod"` {
		t.Errorf("local.env = %+v", lc)
	}

	c, ok := r.ModuleCall("module.network")
	if !ok {
		t.Fatal("module.network call not found")
	}
	wantCall := struct {
		Source, Dir, File, Parent string
		Line, ArgLine             int
		Remote                    bool
	}{"./modules/network", "modules/network", "main.tf", "", 9, 12, false}
	gotCall := wantCall
	gotCall.Source, gotCall.Dir, gotCall.File, gotCall.Parent = c.Source, c.Dir, c.File, c.Parent
	gotCall.Line, gotCall.ArgLine, gotCall.Remote = c.Range.Start.Line, c.Exprs["cidr_block"].Start.Line, c.Remote
	if diff := cmp.Diff(wantCall, gotCall); diff != "" {
		t.Errorf("module.network (-want +got):\n%s", diff)
	}
	if got := text(t, c.Exprs["cidr_block"]); got != "var.vpc_cidr" {
		t.Errorf("cidr_block argument = %q", got)
	}

	sg, ok := r.ModuleCall(`module.network["x"].module.sg`)
	if !ok || sg.Parent != "module.network" || sg.Dir != "modules/sg" || sg.File != "modules/network/main.tf" || text(t, sg.Exprs["ports"]) != "[22, 443]" {
		t.Errorf("module.network.module.sg = %+v", sg)
	}
	vpc, ok := r.ModuleCall("module.vpc")
	if !ok || !vpc.Remote || vpc.Version != "5.1.2" || vpc.Dir != "" {
		t.Errorf("module.vpc = %+v", vpc)
	}
	for mod, want := range map[string]string{"": ".", "module.network": "modules/network", "module.network[0].module.sg": "modules/sg", "module.vpc": "", "module.nope": ""} {
		if got, ok := r.ModuleDir(mod); got != want || ok != (want != "") {
			t.Errorf("ModuleDir(%q) = %q, %v; want %q", mod, got, ok, want)
		}
	}
	chain := r.CallChain("module.network.module.sg")
	if len(chain) != 2 || chain[0].Address != "module.network" || chain[1].Address != "module.network.module.sg" {
		t.Errorf("CallChain = %v", chain)
	}
	if r.CallChain("module.nope") != nil || r.CallChain("") != nil {
		t.Error("CallChain of an unknown module is not nil")
	}
}

func TestTFVars(t *testing.T) {
	r := loadCorpus(t)
	tests := []struct {
		name, file, text string
		ok               bool
	}{
		{"worker_count", "prod.auto.tfvars", "5", true}, // auto file beats terraform.tfvars
		{"vpc_cidr", "terraform.tfvars", `"10.1.0.0/16"`, true},
		{"region", "staging.tfvars", `"us-west-2"`, true}, // only one non-auto file sets it
		{"nope", "", "", false},
	}
	for _, tt := range tests {
		rng, ok := r.TFVar(tt.name)
		if ok != tt.ok || rng.Start.File != tt.file {
			t.Errorf("TFVar(%q) = %v, %v; want file %q, %v", tt.name, rng, ok, tt.file, tt.ok)
			continue
		}
		if ok && text(t, rng) != tt.text {
			t.Errorf("TFVar(%q) covers %q, want %q", tt.name, text(t, rng), tt.text)
		}
	}
	var files []string
	for _, d := range r.TFVarDefs("worker_count") {
		files = append(files, d.File)
	}
	if diff := cmp.Diff([]string{"terraform.tfvars", "prod.auto.tfvars"}, files); diff != "" {
		t.Errorf("TFVarDefs order (-want +got):\n%s", diff)
	}
}

func TestFilesAndOverrides(t *testing.T) {
	r := loadCorpus(t)
	want := []string{
		"buckets.tf.json", "main.tf",
		"modules/network/main.tf", "modules/network/variables.tf",
		"modules/sg/main.tf", "modules/sg/variables.tf",
		"moved.tf", "variables.tf",
	}
	if diff := cmp.Diff(want, r.Files()); diff != "" {
		t.Errorf("Files (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"override.tf"}, r.Overrides()); diff != "" {
		t.Errorf("Overrides (-want +got):\n%s", diff)
	}
	// The override sets instance_type = "t3.large"; locate reports the
	// primary declaration.
	b, _ := r.Find("aws_instance.workers")
	if b.File != "main.tf" {
		t.Errorf("workers declared in %s, want main.tf", b.File)
	}
	var addrs []string
	for _, b := range r.Blocks() {
		addrs = append(addrs, b.Address)
	}
	wantAddrs := []string{
		"aws_iam_role.app", "aws_instance.workers", "aws_s3_bucket.archive", "aws_s3_bucket.b",
		"aws_sqs_queue.jobs", "data.aws_ami.ubuntu",
		"module.network.aws_subnet.private", "module.network.aws_vpc.main",
		"module.network.module.sg.aws_security_group.web",
	}
	if diff := cmp.Diff(wantAddrs, addrs); diff != "" {
		t.Errorf("Blocks (-want +got):\n%s", diff)
	}
}

func TestLoadRootDirSpellings(t *testing.T) {
	abs, err := filepath.Abs(corpus)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ repo, dir, wantRoot string }{
		{corpus, ".", "."},
		{corpus, "", "."},
		{corpus, corpus, "."},
		{abs, abs, "."},
		{corpus, "envs/staging", "envs/staging"},
		{corpus, filepath.Join(corpus, "envs", "staging"), "envs/staging"},
		{abs, filepath.Join(abs, "envs", "staging"), "envs/staging"},
	} {
		r, err := Load(tt.repo, tt.dir)
		if err != nil {
			t.Errorf("Load(%q, %q): %v", tt.repo, tt.dir, err)
			continue
		}
		if r.RootDir() != tt.wantRoot {
			t.Errorf("Load(%q, %q).RootDir() = %q, want %q", tt.repo, tt.dir, r.RootDir(), tt.wantRoot)
		}
		// Both roots call modules/network; paths stay repo-relative.
		loc, ok := r.Location("module.network.aws_vpc.main")
		if !ok || loc.File != "modules/network/main.tf" {
			t.Errorf("Load(%q, %q): module.network.aws_vpc.main at %+v", tt.repo, tt.dir, loc)
		}
	}
	if _, err := Load(corpus, "../.."); err == nil || !strings.Contains(err.Error(), "outside the repository") {
		t.Errorf("root outside the repo: err = %v", err)
	}
	if _, err := Load(corpus, "main.tf"); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("root is a file: err = %v", err)
	}
	if _, err := Load(corpus, "nope"); err == nil {
		t.Error("missing root: no error")
	}
	if _, err := Load(filepath.Join(corpus, "nope"), "."); err == nil {
		t.Error("missing repo: no error")
	}
}

func TestLoadMulti(t *testing.T) {
	m, err := LoadMulti(corpus, []RootSpec{
		{Dir: ".", Workspace: "prod", StateKey: "prod/terraform.tfstate", VarFiles: []string{"staging.tfvars"}},
		{Dir: "envs/staging", Workspace: "staging", StateKey: "staging/terraform.tfstate"},
		{Dir: "envs/staging", Workspace: "staging-eu", StateKey: "staging-eu/terraform.tfstate"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(m.Repos()); n != 3 {
		t.Fatalf("%d repos, want 3", n)
	}
	prod := m.ForState("prod/terraform.tfstate")
	if prod == nil || prod.RootDir() != "." || prod.Workspace() != "prod" || prod.StateKey() != "prod/terraform.tfstate" {
		t.Fatalf("ForState(prod key) = %+v", prod)
	}
	if m.ForState("prod") != prod {
		t.Error("ForState(workspace prod) is not the prod root")
	}
	// A named var file is loaded, so it now counts as effective.
	if rng, ok := prod.TFVar("region"); !ok || rng.Start.File != "staging.tfvars" {
		t.Errorf("prod region = %v, %v", rng, ok)
	}
	if d := prod.TFVarDefs("region"); len(d) != 1 || !d[0].AutoLoaded {
		t.Errorf("prod region defs = %+v", d)
	}
	st := m.ForState("staging")
	if st == nil || st.StateKey() != "staging/terraform.tfstate" {
		t.Fatalf("ForState(staging) = %+v", st)
	}
	loc, ok := st.Location("module.network.module.sg.aws_security_group.web")
	want := drift.Location{Workspace: "staging", Module: "modules/sg", ModuleAddress: "module.network.module.sg", File: "modules/sg/main.tf", Line: 1, EndLine: 34}
	if diff := cmp.Diff(want, loc); !ok || diff != "" {
		t.Errorf("staging Location (-want +got):\n%s", diff)
	}
	if _, ok := st.Location("aws_instance.workers"); ok {
		t.Error("staging root found a prod-only resource")
	}
	if m.ForState("envs/staging") != nil {
		t.Error("ForState by a directory two roots share should be ambiguous")
	}
	if m.ForState(".") != prod {
		t.Error("ForState by the prod directory")
	}
	if m.ForState("nope") != nil || m.ForState("") != nil {
		t.Error("ForState of an unknown key is not nil")
	}
	var nilMulti *MultiRepo
	if nilMulti.ForState("prod") != nil {
		t.Error("nil MultiRepo ForState is not nil")
	}

	if _, err := LoadMulti(corpus, []RootSpec{{Dir: ".", StateKey: "k"}, {Dir: "envs/staging", StateKey: "k"}}); err == nil {
		t.Error("duplicate state keys: no error")
	}
	if _, err := LoadMulti(corpus, nil); err == nil {
		t.Error("no roots: no error")
	}
	if _, err := LoadMulti(corpus, []RootSpec{{Dir: ".", VarFiles: []string{"missing.tfvars"}}}); err == nil || !strings.Contains(err.Error(), "missing.tfvars") {
		t.Errorf("missing var file: err = %v", err)
	}
}

func TestCache(t *testing.T) {
	c := NewCache(2)
	r1, r2, r3 := &Repo{rootDir: "1"}, &Repo{rootDir: "2"}, &Repo{rootDir: "3"}
	c.Add("a", r1)
	c.Add("b", r2)
	if got, ok := c.Get("a"); !ok || got != r1 { // a is now most recent
		t.Fatal("Get(a) missed")
	}
	c.Add("c", r3) // evicts b
	if _, ok := c.Get("b"); ok {
		t.Error("b survived eviction")
	}
	if c.Len() != 2 {
		t.Errorf("Len = %d, want 2", c.Len())
	}
	c.Add("a", r3)
	if got, _ := c.Get("a"); got != r3 {
		t.Error("Add did not replace a")
	}

	corpusRepo := loadCorpus(t)
	loads := 0
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := c.GetOrLoad("sha1", func() (*Repo, error) {
				mu.Lock()
				loads++
				mu.Unlock()
				return corpusRepo, nil
			})
			if err != nil || r == nil {
				t.Errorf("GetOrLoad: %v", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	// Callers that arrive after the load finished hit the cache; those
	// that arrived during it waited for it. Either way, one load.
	if loads != 1 {
		t.Errorf("%d loads for one key, want 1", loads)
	}

	boom := errors.New("boom")
	if _, err := c.GetOrLoad("bad", func() (*Repo, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("GetOrLoad error = %v", err)
	}
	if _, ok := c.Get("bad"); ok {
		t.Error("an error was cached")
	}
	func() {
		defer func() { _ = recover() }()
		c.GetOrLoad("panic", func() (*Repo, error) { panic("load exploded") })
	}()
	if _, err := c.GetOrLoad("panic", func() (*Repo, error) { return r1, nil }); err != nil {
		t.Errorf("GetOrLoad after a panicking load: %v", err)
	}
	if NewCache(0).max != 1 {
		t.Error("NewCache(0) is not bounded to 1")
	}
}

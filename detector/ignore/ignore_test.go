package ignore

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func mustParse(t *testing.T, lines ...string) *Matcher {
	t.Helper()
	m, err := Parse("test.tfdriftignore", strings.NewReader(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return m
}

type query struct {
	address, attribute string
	want               bool
}

func TestIgnored(t *testing.T) {
	tests := []struct {
		name     string
		patterns []string
		queries  []query
	}{
		{
			name:     "type, any name, one attribute",
			patterns: []string{"aws_autoscaling_group.*.desired_capacity"},
			queries: []query{
				{"aws_autoscaling_group.web", "desired_capacity", true},
				{"aws_autoscaling_group.workers[2]", "desired_capacity", true},
				{`aws_autoscaling_group.pool["blue"]`, "desired_capacity", true},
				{"aws_autoscaling_group.web", "max_size", false},
				{"aws_autoscaling_group.web", "desired_capacity_type", false},
				{"aws_launch_template.web", "desired_capacity", false},
				{"module.app.aws_autoscaling_group.web", "desired_capacity", false}, // anchored at root
				{"aws_autoscaling_group.web", "", false},                            // the resource itself is not ignored
			},
		},
		{
			name:     "exact resource in a module, attribute and nested paths",
			patterns: []string{"module.app.aws_instance.web.tags"},
			queries: []query{
				{"module.app.aws_instance.web", "tags", true},
				{"module.app.aws_instance.web", "tags.Owner", true},
				{"module.app.aws_instance.web", `tags["Owner"]`, true},
				{"module.app[0].aws_instance.web", "tags", true},
				{`module.app["eu"].aws_instance.web[3]`, "tags", true},
				{"module.app.aws_instance.web", "tags_all", false},
				{"module.app.aws_instance.db", "tags", false},
				{"aws_instance.web", "tags", false},
				{"module.other.aws_instance.web", "tags", false},
				{"module.app.module.inner.aws_instance.web", "tags", false},
			},
		},
		{
			name:     "all attributes of a type",
			patterns: []string{"aws_instance.*"},
			queries: []query{
				{"aws_instance.web", "ami", true},
				{"aws_instance.web", "", true},
				{"aws_instance.web[0]", "ebs_block_device.0.volume_size", true},
				{"aws_instance_profile.web", "role", false},
				{"data.aws_instance.web", "ami", false},
			},
		},
		{
			name:     "star attribute of every root resource",
			patterns: []string{"*.tags_all"},
			queries: []query{
				{"aws_instance.web", "tags_all", true},
				{"aws_s3_bucket.logs", "tags_all.env", true},
				{`aws_s3_bucket.b["x"]`, "tags_all", true},
				{"data.aws_ami.ubuntu", "tags_all", true},
				{"aws_instance.web", "tags", false},
				{"module.app.aws_instance.web", "tags_all", false},
				{"aws_instance.tags_all", "ami", true}, // documented ambiguity: '*' is also the type
			},
		},
		{
			name:     "double star across module nesting",
			patterns: []string{"**.tags_all", "**.aws_security_group.*.ingress"},
			queries: []query{
				{"aws_instance.web", "tags_all", true},
				{"module.a.module.b[1].aws_instance.web", "tags_all", true},
				{"module.net.aws_security_group.web", "ingress", true},
				{"module.net.module.sg.aws_security_group.web", "ingress.0.cidr_blocks", true},
				{"aws_security_group.web", "ingress", true},
				{"aws_security_group.web", "egress", false},
				{"module.a.aws_instance.web", "tags", false},
			},
		},
		{
			name:     "module wildcard and whole module",
			patterns: []string{"module.*.aws_instance.web.user_data", "module.legacy"},
			queries: []query{
				{"module.app.aws_instance.web", "user_data", true},
				{"module.app[1].aws_instance.web", "user_data", true},
				{"module.app.module.x.aws_instance.web", "user_data", false},
				{"module.legacy.aws_s3_bucket.old", "acl", true},
				{"module.legacy.module.deep.aws_s3_bucket.old", "", true},
				{"module.legacy_v2.aws_s3_bucket.old", "acl", false},
			},
		},
		{
			name:     "star does not match keywords",
			patterns: []string{"*.*"},
			queries: []query{
				{"aws_instance.web", "ami", true},
				{"module.app.aws_instance.web", "ami", false},
			},
		},
		{
			name:     "instance keys",
			patterns: []string{"aws_instance.web[0].ami", `aws_s3_bucket.b["logs"].acl`, "aws_iam_user.u[*].tags"},
			queries: []query{
				{"aws_instance.web[0]", "ami", true},
				{"aws_instance.web[1]", "ami", false},
				{"aws_instance.web", "ami", false},
				{`aws_s3_bucket.b["logs"]`, "acl", true},
				{`aws_s3_bucket.b["data"]`, "acl", false},
				{`aws_iam_user.u["bob"]`, "tags", true},
				{"aws_iam_user.u[0]", "tags", true},
				{"aws_iam_user.u", "tags", false},
			},
		},
		{
			name:     "key on the name never matches an attribute",
			patterns: []string{`aws_instance.web["ami"]`},
			queries: []query{
				{"aws_instance.web", "ami", false},
				{`aws_instance.web["ami"]`, "", true},
			},
		},
		{
			name:     "quoted key with dots and map key spellings",
			patterns: []string{`aws_instance.web.tags["kubernetes.io/cluster"]`, "aws_instance.db.tags.Owner"},
			queries: []query{
				{"aws_instance.web", `tags["kubernetes.io/cluster"]`, true},
				{"aws_instance.web", `tags["kubernetes"]`, false},
				{"aws_instance.db", `tags["Owner"]`, true},
				{"aws_instance.db", "tags.Owner", true},
				{"aws_instance.db", "tags.Team", false},
				{"aws_instance.db", "tags", false}, // a narrower pattern does not cover its parent
			},
		},
		{
			name:     "glob inside a segment",
			patterns: []string{"aws_iam_*.*.tags", "aws_instance.web-*.ami"},
			queries: []query{
				{"aws_iam_role.app", "tags", true},
				{"aws_iam_user.bob", "tags.team", true},
				{"aws_iam.x", "tags", false},
				{"aws_instance.web-1", "ami", true},
				{"aws_instance.web", "ami", false},
			},
		},
		{
			name:     "data sources",
			patterns: []string{"data.aws_ami.*"},
			queries: []query{
				{"data.aws_ami.ubuntu", "id", true},
				{"aws_ami.ubuntu", "id", false},
			},
		},
		{
			name: "negation: last match wins",
			patterns: []string{
				"aws_instance.*",
				"!aws_instance.critical.tags",
			},
			queries: []query{
				{"aws_instance.web", "tags", true},
				{"aws_instance.critical", "tags", false},
				{"aws_instance.critical", "tags.Owner", false},
				{"aws_instance.critical", "ami", true},
			},
		},
		{
			name: "negation before the broad rule is overridden",
			patterns: []string{
				"!aws_instance.critical.tags",
				"aws_instance.*",
			},
			queries: []query{
				{"aws_instance.critical", "tags", true},
			},
		},
		{
			name: "re-ignore after negation",
			patterns: []string{
				"**.tags",
				"!module.prod.**",
				"module.prod.aws_instance.noisy.tags",
			},
			queries: []query{
				{"aws_instance.web", "tags", true},
				{"module.prod.aws_instance.web", "tags", false},
				{"module.prod.aws_instance.noisy", "tags", true},
				{"module.prod.aws_instance.noisy", "tags.x", true},
			},
		},
		{
			name:     "unparseable address is never ignored",
			patterns: []string{"**"},
			queries: []query{
				{"aws_instance.web", "", true},
				{"aws_instance", "ami", false},
				{"module.app", "", false},
				{`aws_instance.web["a`, "ami", false},
				{"", "", false},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, tt.patterns...)
			for _, q := range tt.queries {
				if got := m.Ignored(q.address, q.attribute); got != q.want {
					t.Errorf("Ignored(%q, %q) = %v, want %v", q.address, q.attribute, got, q.want)
				}
			}
		})
	}
}

func TestParseCommentsAndBlankLines(t *testing.T) {
	src := "\uFEFF# scaling is managed by the autoscaler\n" +
		"\n" +
		"   aws_autoscaling_group.*.desired_capacity   \r\n" +
		"\t# indented comment\n" +
		"*.tags_all # provider-computed\n" +
		"! aws_instance.critical.tags\n" +
		`aws_s3_bucket.b["a #b"].acl` + "\n"
	m, err := Parse("repo/.tfdriftignore", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []Rule{
		{Pattern: "aws_autoscaling_group.*.desired_capacity", File: "repo/.tfdriftignore", Line: 3},
		{Pattern: "*.tags_all", File: "repo/.tfdriftignore", Line: 5},
		{Pattern: "aws_instance.critical.tags", Negate: true, File: "repo/.tfdriftignore", Line: 6},
		{Pattern: `aws_s3_bucket.b["a #b"].acl`, File: "repo/.tfdriftignore", Line: 7},
	}
	if diff := cmp.Diff(want, m.Rules(), cmpopts.IgnoreUnexported(Rule{})); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	if m.Len() != 4 {
		t.Errorf("Len = %d, want 4", m.Len())
	}
	if !m.Ignored(`aws_s3_bucket.b["a #b"]`, "acl") {
		t.Error("quoted key containing ' #' was cut as a comment")
	}
}

func TestMatchExplains(t *testing.T) {
	m := mustParse(t, "aws_instance.*", "!aws_instance.critical.tags")
	r, ok := m.Match("aws_instance.critical", "tags.Owner")
	if !ok {
		t.Fatal("no rule matched")
	}
	want := Rule{Pattern: "aws_instance.critical.tags", Negate: true, File: "test.tfdriftignore", Line: 2}
	if diff := cmp.Diff(want, r, cmpopts.IgnoreUnexported(Rule{})); diff != "" {
		t.Errorf("Match (-want +got):\n%s", diff)
	}
	if _, ok := m.Match("aws_s3_bucket.b", "acl"); ok {
		t.Error("Match found a rule for an unrelated resource")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"aws_instance.web\n!\n", "x.ignore:2: '!' without a pattern"},
		{"# ok\naws_instance..tags\n", `x.ignore:2: pattern "aws_instance..tags": empty segment at offset 13`},
		{".tags\n", "x.ignore:1: pattern \".tags\": empty segment at offset 0"},
		{"aws_instance.web.\n", "x.ignore:1: pattern \"aws_instance.web.\": empty segment at offset 17"},
		{"aws_instance.web[0\n", `x.ignore:1: pattern "aws_instance.web[0": offset 16: unterminated key (missing ']')`},
		{`aws_instance.web["a].x` + "\n", `x.ignore:1: pattern "aws_instance.web[\"a].x": offset 16: unterminated string key`},
		{`aws_instance.web["a"x].x` + "\n", `x.ignore:1: pattern "aws_instance.web[\"a\"x].x": offset 16: missing ']' after key "a"`},
		{"aws_instance.web[1.5]\n", `x.ignore:1: pattern "aws_instance.web[1.5]": offset 16: invalid key: want a number, a quoted string or *, found '.'`},
		{"aws_instance.web[]\n", `x.ignore:1: pattern "aws_instance.web[]": offset 16: empty key []`},
		{"aws_instance.web]\n", `x.ignore:1: pattern "aws_instance.web]": unbalanced ']' at offset 16`},
		{"aws_instance.web[0]x\n", `x.ignore:1: pattern "aws_instance.web[0]x": unexpected 'x' after ']' at offset 19 (want '.' or '[')`},
		{`aws_instance."web"` + "\n", `x.ignore:1: pattern "aws_instance.\"web\"": quote outside brackets at offset 13`},
		{"**[0].x\n", `x.ignore:1: pattern "**[0].x": '**' cannot take an instance key`},
		{"aws_**.x\n", `x.ignore:1: pattern "aws_**.x": '**' must be a whole segment (between dots)`},
		{"aws_instance.[0]\n", `x.ignore:1: pattern "aws_instance.[0]": instance key without a name`},
		{strings.Repeat("a", maxLine+10), "x.ignore:1: line longer than 65536 bytes"},
	}
	for _, tt := range tests {
		_, err := Parse("x.ignore", strings.NewReader(tt.src))
		if err == nil {
			t.Errorf("Parse(%q): no error, want %q", tt.src, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Parse(%.40q):\n got %q\nwant %q", tt.src, err, tt.want)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()

	m, err := Load(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatalf("missing file: %v", err)
	}
	if m.Len() != 0 || m.Ignored("aws_instance.web", "ami") {
		t.Errorf("missing file gave a non-empty matcher (%d rules)", m.Len())
	}

	path := filepath.Join(dir, FileName)
	if err := os.WriteFile(path, []byte("aws_instance.*.ami\naws_instance.[\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.HasPrefix(err.Error(), path+":2: ") {
		t.Errorf("Load of a bad file: err = %v, want it to start with %s:2:", err, path)
	}

	if err := os.WriteFile(path, []byte("aws_instance.*.ami\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err = Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Ignored("aws_instance.web", "ami") {
		t.Error("loaded pattern did not match")
	}

	if _, err := Load(dir); err == nil {
		t.Error("Load of a directory: no error")
	}
}

func TestNilAndZeroMatcher(t *testing.T) {
	var m *Matcher
	if m.Ignored("aws_instance.web", "ami") || m.Len() != 0 || m.Rules() != nil {
		t.Error("nil matcher is not empty")
	}
	var z Matcher
	if z.Ignored("aws_instance.web", "ami") || z.Len() != 0 {
		t.Error("zero matcher is not empty")
	}
}

func TestManyDoubleStarsStayFast(t *testing.T) {
	// Without memoisation this pattern backtracks exponentially over a
	// deep module path; the test finishing at all is the assertion, and
	// the answer must still be right.
	pat := strings.Repeat("**.x.", 12) + "never"
	m := mustParse(t, pat)
	addr := strings.Repeat("module.x.", 30) + "aws_instance.x"
	if m.Ignored(addr, "x.x.x.x") {
		t.Errorf("pattern %q matched %q", pat, addr)
	}
	m = mustParse(t, strings.Repeat("**.x.", 12)+"**")
	if !m.Ignored(addr, "x.x.x.x") {
		t.Error("reachable pattern did not match")
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pat, s string
		want   bool
	}{
		{"*", "", true},
		{"*", "abc", true},
		{"a*", "abc", true},
		{"*c", "abc", true},
		{"a*c", "abbbc", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"abc", "abd", false},
		{"a**", "a", true},
		{"*a*a*a*a*b", strings.Repeat("a", 40), false},
	}
	for _, tt := range tests {
		if got := glob(tt.pat, tt.s); got != tt.want {
			t.Errorf("glob(%q, %q) = %v, want %v", tt.pat, tt.s, got, tt.want)
		}
	}
}

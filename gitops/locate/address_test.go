package locate

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

func TestParseAddr(t *testing.T) {
	tests := []struct {
		in, want string
		module   bool
		err      bool
	}{
		{in: "aws_instance.web", want: "aws_instance.web"},
		{in: "aws_instance.workers[12]", want: "aws_instance.workers"},
		{in: `aws_s3_bucket.b["logs.2024"]`, want: "aws_s3_bucket.b"},
		{in: `aws_s3_bucket.b["a\"b"]`, want: "aws_s3_bucket.b"}, // escape: hcl path
		{in: `module.app[0].module.db["eu-west-1"].aws_db_instance.main`, want: "module.app.module.db.aws_db_instance.main"},
		{in: "data.aws_ami.ubuntu", want: "data.aws_ami.ubuntu"},
		{in: "module.app.data.aws_ami.ubuntu[0]", want: "module.app.data.aws_ami.ubuntu"},
		{in: "module.app[1]", want: "module.app", module: true},
		{in: "aws_instance.my-web", want: "aws_instance.my-web"},
		{in: "", err: true},
		{in: "aws_instance", err: true},
		{in: "aws_instance.web.id", err: true},
		{in: "aws_instance[0].web", err: true},
		{in: "aws_instance.web[0][1]", err: true},
		{in: "aws_instance.web[*]", err: true},
		{in: "module", err: true},
		{in: "module.a.module", err: true},
		{in: "aws_instance.web ", want: "aws_instance.web"}, // hcl allows trailing space
	}
	for _, tt := range tests {
		a, err := parseAddr(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("parseAddr(%q) err = %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if err != nil {
			continue
		}
		if a.String() != tt.want || a.isModule != tt.module {
			t.Errorf("parseAddr(%q) = %q (module %v), want %q (module %v)", tt.in, a, a.isModule, tt.want, tt.module)
		}
	}
}

// FuzzParseAddr checks that the fast address scanner agrees with hcl's
// traversal parser on every input it accepts.
func FuzzParseAddr(f *testing.F) {
	for _, s := range []string{
		"aws_instance.web", "aws_instance.w[0]", `module.a["x"].t.n`, "data.t.n",
		"module.a", `t.n["a.b"]`, "t.n[01]", "_a-b.c", "a.b.", `a.b["\u00e9"]`, "a..b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		segs, ok := scanSimpleAddr(s)
		if !ok {
			parseAddr(s) // must not panic
			return
		}
		trav, diags := hclsyntax.ParseTraversalAbs([]byte(s), "", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("fast scanner accepted %q, hcl rejects it: %s", s, diags.Error())
		}
		fast, ferr := addrFromSegs(segs)
		slow, serr := traversalAddr(trav)
		if (ferr == nil) != (serr == nil) {
			t.Fatalf("%q: fast err %v, hcl err %v", s, ferr, serr)
		}
		if ferr == nil && !cmp.Equal(fast, slow, cmp.AllowUnexported(addr{})) {
			t.Fatalf("%q: fast %+v, hcl %+v", s, fast, slow)
		}
	})
}

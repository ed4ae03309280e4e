package ignore

import (
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary file content and queries through Parse and
// Ignored: neither may panic, and a file that parsed must keep its promise
// that Len counts the pattern lines it kept.
func FuzzParse(f *testing.F) {
	seeds := []struct{ file, addr, attr string }{
		{"aws_autoscaling_group.*.desired_capacity\n", "aws_autoscaling_group.web", "desired_capacity"},
		{"module.app.aws_instance.web.tags\n", "module.app[0].aws_instance.web", "tags.Owner"},
		{"aws_instance.*\n!aws_instance.critical.tags\n", "aws_instance.critical", "tags"},
		{"*.tags_all\n# comment\n\n", `aws_s3_bucket.b["logs"]`, "tags_all"},
		{"**.aws_security_group.*.ingress\n", "module.a.module.b.aws_security_group.web", "ingress.0.cidr_blocks"},
		{`aws_s3_bucket.b["a.b"].acl` + "\n", `aws_s3_bucket.b["a.b"]`, `acl["x"]`},
		{"aws_iam_user.u[*].tags\n", "data.aws_iam_user.u[0]", ""},
		{"**.**.**\n", "module.x.aws_x.y", "a.b.c"},
		{"a[\"\\\"\"].b\n", `a.b["\""]`, ""},
	}
	for _, s := range seeds {
		f.Add(s.file, s.addr, s.attr)
	}
	f.Fuzz(func(t *testing.T, file, addr, attr string) {
		m, err := Parse("fuzz", strings.NewReader(file))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz:") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if m.Len() > strings.Count(file, "\n")+1 {
			t.Fatalf("Len %d exceeds line count", m.Len())
		}
		ignored := m.Ignored(addr, attr)
		r, ok := m.Match(addr, attr)
		if ignored != (ok && !r.Negate) {
			t.Fatalf("Ignored=%v disagrees with Match=(%+v,%v)", ignored, r, ok)
		}
	})
}

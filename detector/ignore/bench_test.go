package ignore

import (
	"fmt"
	"strings"
	"testing"
)

// benchMatcher builds a realistic 100-line ignore file: mostly exact
// resource attributes, some type-wide wildcards, a few '**' and negations.
func benchMatcher(b *testing.B) *Matcher {
	b.Helper()
	var sb strings.Builder
	for i := 0; i < 100; i++ {
		switch i % 10 {
		case 0:
			fmt.Fprintf(&sb, "aws_autoscaling_group.*.desired_capacity_%d\n", i)
		case 1:
			fmt.Fprintf(&sb, "module.app%d.aws_instance.web.tags\n", i)
		case 2:
			fmt.Fprintf(&sb, "**.aws_security_group.sg%d.ingress\n", i)
		case 3:
			fmt.Fprintf(&sb, "!aws_instance.critical%d.tags\n", i)
		case 4:
			fmt.Fprintf(&sb, "aws_iam_*.role%d.tags\n", i)
		case 5:
			fmt.Fprintf(&sb, `aws_s3_bucket.b["logs%d"].acl`+"\n", i)
		case 6:
			fmt.Fprintf(&sb, "module.*.module.net%d.**\n", i)
		default:
			fmt.Fprintf(&sb, "aws_instance.web%d.user_data\n", i)
		}
	}
	m, err := Parse("bench", strings.NewReader(sb.String()))
	if err != nil {
		b.Fatal(err)
	}
	if m.Len() != 100 {
		b.Fatalf("Len = %d", m.Len())
	}
	return m
}

func BenchmarkIgnored(b *testing.B) {
	m := benchMatcher(b)
	cases := []struct{ name, addr, attr string }{
		{"miss_root", "aws_instance.web", "ami"},
		{"miss_nested", `module.app[0].module.net["eu"].aws_security_group.web`, "ingress.0.cidr_blocks"},
		{"hit_last", "aws_instance.web97", "user_data"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m.Ignored(c.addr, c.attr)
			}
		})
	}
}

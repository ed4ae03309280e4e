package rules

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// benchRules builds n rules shaped like a real configuration: the seed's
// rules, then a spread of exact-type rules for other services, some globs
// and a few catch-alls with conditions.
func benchRules(n int) []Rule {
	rs := seedRules()
	services := []string{"aws_instance", "aws_s3_bucket", "aws_iam_role", "aws_lambda_function", "aws_db_instance",
		"aws_security_group", "google_compute_firewall", "aws_kms_key", "aws_eks_cluster", "aws_route53_record"}
	for i := len(rs); i < n; i++ {
		r := Rule{Name: fmt.Sprintf("rule-%d", i), Severity: drift.Low, Tags: []string{fmt.Sprintf("team-%d", i%7)}}
		switch i % 5 {
		case 0:
			r.ResourceTypes = []string{services[i%len(services)]}
			r.WatchedAttributes = []string{"tags", "description"}
		case 1:
			r.ResourceTypes = []string{"aws_*"}
			r.Filters.Accounts = []string{fmt.Sprintf("%012d", i)}
		case 2:
			r.ResourceTypes = []string{services[i%len(services)], services[(i+3)%len(services)]}
			r.Conditions = []Condition{{Attribute: "*", Pattern: regexp.MustCompile(fmt.Sprintf(`10\.%d\.`, i))}}
		case 3:
			r.ResourceTypes = []string{"*"}
			r.ExcludeUsers = []string{"terraform-ci-cd@example.com", "arn:aws:sts::*:assumed-role/TerraformRole/*"}
			r.WatchedAttributes = []string{"cidr_blocks"}
		case 4:
			r.ResourceTypes = []string{services[i%len(services)]}
			r.Conditions = []Condition{{Attribute: "ingress", Contains: "0.0.0.0/0"}}
		}
		rs = append(rs, r)
	}
	return rs[:n]
}

func BenchmarkApply(b *testing.B) {
	set := NewSet(benchRules(50), drift.Medium)
	drifts := []struct {
		name string
		d    *drift.Drift
	}{
		{"sg_ingress", sgIngress(b, ingressHTTP, ingressSSHOpen)},
		{"instance_type", newDrift("aws_instance", map[string]drift.AttrChange{"instance_type": ch("t3.micro", "m5.8xlarge")})},
		{"unmatched_type", newDrift("aws_sqs_queue", map[string]drift.AttrChange{"visibility_timeout_seconds": ch(30.0, 60.0)})},
	}
	for _, tc := range drifts {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				set.Apply(tc.d)
			}
		})
	}
}

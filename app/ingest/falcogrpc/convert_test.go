package falcogrpc

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/internal/golden"

	"github.com/falcosecurity/client-go/pkg/api/outputs"
	"github.com/falcosecurity/client-go/pkg/api/schema"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// cloudTrailEvent is an event as Falco's CloudTrail plugin emits it over
// gRPC: every output field a string.
func cloudTrailEvent(id string) *outputs.Response {
	return &outputs.Response{
		Time:     timestamppb.New(time.Date(2025, 1, 20, 14, 32, 15, 123456789, time.UTC)),
		Priority: schema.Priority_WARNING,
		Rule:     "Terraform-managed resource changed",
		Output:   "14:32:15.123456789: Warning Terraform-managed security group changed outside Terraform (user=alice event=AuthorizeSecurityGroupIngress)",
		OutputFields: map[string]string{
			"ct.id":             id,
			"ct.name":           "AuthorizeSecurityGroupIngress",
			"ct.region":         "us-east-1",
			"ct.request":        `{"groupId":"sg-0a1b2c3d4e5f67890","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22}]}}`,
			"ct.response":       "null",
			"ct.user":           "alice",
			"ct.user.accountid": "123456789012",
			"ct.user.arn":       "arn:aws:iam::123456789012:user/alice",
			"ct.readonly":       "false",
		},
		Hostname: "falco-cloudtrail-0",
		Tags:     []string{"aws", "cloud", "tfdrift"},
		Source:   "aws_cloudtrail",
	}
}

func TestToJSONGolden(t *testing.T) {
	got, err := toJSON(cloudTrailEvent("6c4d7b1a-3f0e-4a7e-9d61-2b8f5e0c9a11"))
	if err != nil {
		t.Fatal(err)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, got, "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	const goldenFile = "testdata/cloudtrail_alert.golden.json"
	golden.Check(t, goldenFile, pretty.Bytes())
}

func TestToJSON(t *testing.T) {
	tests := []struct {
		name string
		res  *outputs.Response
		want string
		err  string
	}{
		{
			name: "empty event keeps the alert shape",
			res:  &outputs.Response{Rule: "r"},
			want: `{"hostname":"","output":"","output_fields":{},"priority":"Emergency","rule":"r","source":"syscall","tags":[]}`,
		},
		{
			name: "priority names as Falco writes them",
			res:  &outputs.Response{Rule: "r", Priority: schema.Priority_INFORMATIONAL, Source: "gcp_auditlog"},
			want: `{"hostname":"","output":"","output_fields":{},"priority":"Informational","rule":"r","source":"gcp_auditlog","tags":[]}`,
		},
		{
			name: "deprecated source enum",
			//lint:ignore SA1019 old Falco releases fill in only this
			res:  &outputs.Response{Rule: "r", Priority: schema.Priority_DEBUG, SourceDeprecated: schema.Source_K8S_AUDIT},
			want: `{"hostname":"","output":"","output_fields":{},"priority":"Debug","rule":"r","source":"k8s_audit","tags":[]}`,
		},
		{
			name: "time in UTC with nanoseconds",
			res:  &outputs.Response{Rule: "r", Source: "aws_cloudtrail", Time: timestamppb.New(time.Date(2025, 1, 20, 16, 0, 0, 5, time.FixedZone("x", 3600)))},
			want: `{"hostname":"","output":"","output_fields":{},"priority":"Emergency","rule":"r","source":"aws_cloudtrail","tags":[],"time":"2025-01-20T15:00:00.000000005Z"}`,
		},
		{
			name: "unknown priority",
			res:  &outputs.Response{Rule: "r", Priority: schema.Priority(42)},
			err:  `rule "r": unknown priority 42`,
		},
		{
			name: "invalid time",
			res:  &outputs.Response{Rule: "r", Time: &timestamppb.Timestamp{Nanos: -1}},
			err:  `rule "r": time:`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := toJSON(tc.res)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func BenchmarkToJSON(b *testing.B) {
	res := cloudTrailEvent("6c4d7b1a-3f0e-4a7e-9d61-2b8f5e0c9a11")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := toJSON(res); err != nil {
			b.Fatal(err)
		}
	}
}

package detector

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/detector/decode"
)

// noShadow remembers nothing: every write is compared with state alone,
// as before the shadow. It is the baseline the shadow's cost is measured
// against, in the same run.
type noShadow struct{}

func (noShadow) Get(context.Context, ShadowRef, int64) (map[string]json.RawMessage, error) {
	return nil, nil
}
func (noShadow) Put(context.Context, ShadowRef, int64, map[string]json.RawMessage) error { return nil }
func (noShadow) Drop(context.Context, string, string, int64) error                       { return nil }

// benchWrites loads n resources of each kind and returns records of
// console writes to them: a rule opened, an instance resized, an inline
// policy widened, a tag added. Each resource is written again and again,
// as successive edits are: the shadow's worst case.
func benchWrites(b *testing.B, n int) (*testIndex, [][]byte) {
	b.Helper()
	var rs []stateResource
	for i := range n {
		rs = append(rs,
			stateResource{Type: "aws_security_group", Name: fmt.Sprintf("sg%d", i), Attributes: map[string]any{
				"id": fmt.Sprintf("sg-%08x", i), "name": fmt.Sprintf("sg-%d", i), "vpc_id": "vpc-1", "egress": []any{},
				"ingress": []any{map[string]any{"cidr_blocks": []any{"10.0.0.0/8"}, "description": "", "from_port": 443, "to_port": 443,
					"protocol": "tcp", "ipv6_cidr_blocks": []any{}, "prefix_list_ids": []any{}, "security_groups": []any{}, "self": false}},
				"tags": map[string]any{"Team": "web"}, "tags_all": map[string]any{"Team": "web", "Owner": "platform"}}},
			stateResource{Type: "aws_instance", Name: fmt.Sprintf("vm%d", i), Attributes: map[string]any{
				"id": fmt.Sprintf("i-%08x", i), "instance_type": "t3.micro", "ami": "ami-1", "tags": map[string]any{"Name": "web"}}},
			stateResource{Type: "aws_iam_role_policy", Name: fmt.Sprintf("p%d", i), Attributes: map[string]any{
				"id": fmt.Sprintf("role%d:pol", i), "role": fmt.Sprintf("role%d", i), "name": "pol",
				"policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*"}]}`}},
		)
	}
	ti := newTestIndex(b)
	ti.load(7, rs)
	identity := `{"type":"AssumedRole","principalId":"AROAEXAMPLE:bob@example.com","arn":"arn:aws:sts::123456789012:assumed-role/Admin/bob@example.com","accountId":"123456789012","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::123456789012:role/Admin","userName":"Admin"}}}`
	var recs [][]byte
	for i := range 4 * n {
		k := i % n
		var name, source, req string
		switch i % 4 {
		case 0:
			name, source = "AuthorizeSecurityGroupIngress", "ec2.amazonaws.com"
			req = fmt.Sprintf(`{"groupId":"sg-%08x","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"groups":{},"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]},"ipv6Ranges":{},"prefixListIds":{}}]}}`, k)
		case 1:
			name, source = "ModifyInstanceAttribute", "ec2.amazonaws.com"
			req = fmt.Sprintf(`{"instanceId":"i-%08x","instanceType":{"value":"m5.large"}}`, k)
		case 2:
			name, source = "PutRolePolicy", "iam.amazonaws.com"
			req = fmt.Sprintf(`{"roleName":"role%d","policyName":"pol","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}"}`, k)
		default:
			name, source = "CreateTags", "ec2.amazonaws.com"
			req = fmt.Sprintf(`{"resourcesSet":{"items":[{"resourceId":"sg-%08x"}]},"tagSet":{"items":[{"key":"Owner","value":"someone-else"}]}}`, k)
		}
		recs = append(recs, fmt.Appendf(nil, `{"eventVersion":"1.08","userIdentity":%s,"eventTime":"2025-01-20T14:32:15Z","eventSource":"%s","eventName":"%s","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.42","userAgent":"console.amazonaws.com","requestParameters":%s,"responseElements":null,"eventID":"e%d","readOnly":false,"eventType":"AwsApiCall","recipientAccountId":"123456789012"}`,
			identity, source, name, req, i))
	}
	return ti, recs
}

// BenchmarkProcessWrite measures one console write from its record to the
// drift (decode, catalog, state, shadow, compare, dedup) with the
// in-memory shadow and without one, in the same run: the ratio is the
// shadow's cost on the detect path. Every resource is written repeatedly,
// so the shadow holds values for all of them.
func BenchmarkProcessWrite(b *testing.B) {
	for _, bc := range []struct {
		name   string
		shadow Shadow
	}{{"no_shadow", noShadow{}}, {"memory_shadow", nil}} {
		b.Run(bc.name, func(b *testing.B) {
			ti, recs := benchWrites(b, 500)
			e := New(Options{Catalog: catalog.Default(), Index: ti.ix, Shadow: bc.shadow})
			lat := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				start := time.Now()
				cs, err := decode.Decode(recs[i%len(recs)], decode.Options{Keep: e.Keep})
				if err != nil || len(cs) != 1 {
					b.Fatalf("decode: %v", err)
				}
				cs[0].EventID = fmt.Sprint(i)
				if res := e.Process(cs[0]); res.Outcome != OutcomeDrift && res.Outcome != OutcomeRepeat {
					b.Fatalf("outcome %s", res.Outcome)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			// The median is what a loaded machine disturbs least.
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1000, "p50-µs")
		})
	}
}

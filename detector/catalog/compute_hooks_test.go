package catalog

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/change"
)

// Tests of the hooks behind the EC2, ELB, EKS, ECS, Route 53 and
// CloudFront entries. The golden cases prove the entries end to end; these
// pin the edge cases of the code itself.

func computeEvent(service, event, req, resp string) *Event {
	return NewEvent(&change.Change{
		Provider: change.AWS, Service: service, EventName: event,
		Request: json.RawMessage(req), Response: nullToNil(json.RawMessage(resp)),
	})
}

func TestEC2AttributeForms(t *testing.T) {
	tests := []struct {
		name, req string
		want      any
		ok        bool
	}{
		{"wrapped", `{"instanceId":"i-1","instanceType":{"value":"m5.large"}}`, "m5.large", true},
		{"attribute and value", `{"instanceId":"i-1","attribute":"instanceType","value":"m5.large"}`, "m5.large", true},
		{"other attribute", `{"instanceId":"i-1","attribute":"kernel","value":"aki-1"}`, nil, false},
		{"empty wrapper", `{"instanceId":"i-1","instanceType":{}}`, nil, false},
		{"plain string", `{"instanceId":"i-1","userData":"<sensitiveDataRemoved>"}`, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ec2Attribute("instanceType")(computeEvent(ec2Service, "ModifyInstanceAttribute", tt.req, ""), nil)
			if ok != tt.ok || !cmp.Equal(got, tt.want) {
				t.Errorf("got %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestWhenServiceKeepsOtherServicesOut(t *testing.T) {
	// An ECS CreateCluster record reaches the EKS entry, which owns the
	// event name; it must name no EKS cluster.
	entry := Default().LookupService(change.AWS, eksService, "CreateCluster")
	if entry == nil {
		t.Fatal("CreateCluster is not in the catalog")
	}
	ecs := computeEvent("ecs.amazonaws.com", "CreateCluster", `{"clusterName":"default"}`,
		`{"cluster":{"clusterArn":"arn:aws:ecs:us-east-1:123456789012:cluster/default","clusterName":"default"}}`)
	if got := entry.Resolve(ecs); len(got) != 0 {
		t.Errorf("ECS record resolved to %v", got)
	}
	eks := computeEvent(eksService, "CreateCluster", `{"name":"default"}`, `{"cluster":{"name":"default"}}`)
	if got := entry.Resolve(eks); len(got) != 1 || got[0].ID != "default" {
		t.Errorf("EKS record resolved to %v", got)
	}
	// A Falco alert without ct.src does not say its service: let it through.
	unknown := computeEvent("", "CreateCluster", `{"name":"default"}`, `{"cluster":{"name":"default"}}`)
	if got := entry.Resolve(unknown); len(got) != 1 {
		t.Errorf("record without a service resolved to %v", got)
	}
	// Lightsail's CreateLoadBalancer names a load balancer the same way
	// Classic ELB does.
	lightsail := computeEvent("lightsail.amazonaws.com", "DeleteLoadBalancer", `{"loadBalancerName":"legacy-api"}`, "")
	if got := Default().Lookup(change.AWS, "DeleteLoadBalancer").Resolve(lightsail); len(got) != 0 {
		t.Errorf("Lightsail record resolved to %v", got)
	}
}

func TestRouteAndACLRuleIDsMatchTheProvider(t *testing.T) {
	// IDs as the AWS provider writes them for the same inputs.
	ev := computeEvent(ec2Service, "DeleteRoute", `{"routeTableId":"rtb-0a1b","destinationCidrBlock":"0.0.0.0/0"}`, "")
	if diff := cmp.Diff([]string{"r-rtb-0a1b1080289494"}, routeIDs()(ev)); diff != "" {
		t.Errorf("route ID (-want +got):\n%s", diff)
	}
	ev = computeEvent(ec2Service, "CreateNetworkAclEntry",
		`{"networkAclId":"acl-1","ruleNumber":100,"egress":false,"aclProtocol":"6","ruleAction":"allow"}`, "")
	want := fmt.Sprintf("nacl-%d", tfHashcode("acl-1-100-false-6-"))
	if diff := cmp.Diff([]string{want}, naclRuleIDs(false)(ev)); diff != "" {
		t.Errorf("new rule ID (-want +got):\n%s", diff)
	}
	all := naclRuleIDs(true)(ev)
	if len(all) != len(naclProtocolForms) || !contains(all, fmt.Sprintf("nacl-%d", tfHashcode("acl-1-100-false-tcp-"))) {
		t.Errorf("existing rule IDs %v lack the \"tcp\" spelling", all)
	}
}

func TestNACLEntriesPickTheirSet(t *testing.T) {
	current := []any{map[string]any{"rule_no": json.Number("100"), "protocol": "6"}}
	ev := computeEvent(ec2Service, "DeleteNetworkAclEntry", `{"networkAclId":"acl-1","ruleNumber":100,"egress":true}`, "")
	if _, ok := naclEntries("ingress", naclDelete)(ev, current); ok {
		t.Error("an egress call derived the ingress set")
	}
	got, ok := naclEntries("egress", naclDelete)(ev, current)
	if !ok || len(asObjects(got)) != 0 {
		t.Errorf("egress after delete = %v, %v; want empty", got, ok)
	}
}

func TestEC2RemoveTags(t *testing.T) {
	current := map[string]any{"Name": "web", "Env": "prod", "aws:cloudformation:stack-name": "s"}
	tests := []struct {
		name, req string
		want      map[string]any
	}{
		{"by key", `{"tagSet":{"items":[{"key":"Env"}]}}`, map[string]any{"Name": "web", "aws:cloudformation:stack-name": "s"}},
		{"value matches", `{"tagSet":{"items":[{"key":"Env","value":"prod"}]}}`, map[string]any{"Name": "web", "aws:cloudformation:stack-name": "s"}},
		{"value differs", `{"tagSet":{"items":[{"key":"Env","value":"dev"}]}}`, current},
		{"no list", `{"resourcesSet":{"items":[{"resourceId":"i-1"}]}}`, map[string]any{"aws:cloudformation:stack-name": "s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := ec2RemoveTags()(computeEvent(ec2Service, "DeleteTags", tt.req, ""), current)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestRoute53Classify(t *testing.T) {
	req := `{"hostedZoneId":"/hostedzone/Z1","changeBatch":{"changes":[
		{"action":"CREATE","resourceRecordSet":{"name":"New.example.com.","type":"a"}},
		{"action":"DELETE","resourceRecordSet":{"name":"old.example.com.","type":"A"}},
		{"action":"DELETE","resourceRecordSet":{"name":"www.example.com.","type":"A"}},
		{"action":"CREATE","resourceRecordSet":{"name":"www.example.com.","type":"A"}},
		{"action":"UPSERT","resourceRecordSet":{"name":"\\052.example.com.","type":"A","setIdentifier":"eu"}}]}}`
	ev := computeEvent(route53Service, "ChangeResourceRecordSets", req, "")
	got := map[string][]string{
		"created":  r53RecordIDs(r53Created)(ev),
		"deleted":  r53RecordIDs(r53Deleted)(ev),
		"modified": r53RecordIDs(r53Modified)(ev),
	}
	want := map[string][]string{
		"created":  {"Z1_new.example.com_A"},
		"deleted":  {"Z1_old.example.com_A"},
		"modified": {"Z1_*.example.com_A_eu", "Z1_www.example.com_A"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Two records modified: their values cannot be told apart.
	if v, ok := r53RecordValue(r53TTL)(ev, nil); ok {
		t.Errorf("ttl derived as %v though no modified record sets one", v)
	}
}

func TestRoute53TXTValuesLoseTheirQuotes(t *testing.T) {
	got, _ := r53Records(map[string]any{"type": "TXT", "resourceRecords": []any{map[string]any{"value": `"v=spf1 -all"`}}})
	if diff := cmp.Diff([]any{"v=spf1 -all"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestEKSLogTypes(t *testing.T) {
	ev := computeEvent(eksService, "UpdateClusterConfig",
		`{"name":"prod","logging":{"clusterLogging":[{"types":["audit","api"],"enabled":false},{"types":["scheduler"],"enabled":true}]}}`, "")
	got, _ := eksLogTypes()(ev, []any{"api", "audit", "authenticator"})
	if diff := cmp.Diff([]any{"authenticator", "scheduler"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestECSTaskDefinitionKeepsTheConfiguredForm(t *testing.T) {
	ev := computeEvent(ecsService, "UpdateService", `{"service":"web","taskDefinition":"web"}`,
		`{"service":{"serviceArn":"arn:aws:ecs:us-east-1:1:service/prod/web","taskDefinition":"arn:aws:ecs:us-east-1:1:task-definition/web:7"}}`)
	for cur, want := range map[string]string{
		"web:6": "web:7",
		"arn:aws:ecs:us-east-1:1:task-definition/web:6": "arn:aws:ecs:us-east-1:1:task-definition/web:7",
		"": "arn:aws:ecs:us-east-1:1:task-definition/web:7",
	} {
		if got, _ := ecsTaskDefinitionRef()(ev, cur); got != want {
			t.Errorf("state %q: got %v, want %s", cur, got, want)
		}
	}
}

func TestTFBlockKeepsFieldsTheCallLeavesOut(t *testing.T) {
	ev := computeEvent(eksService, "UpdateNodegroupConfig", `{"scalingConfig":{"desiredSize":5}}`, "")
	cur := []any{map[string]any{"desired_size": json.Number("3"), "min_size": json.Number("1"), "max_size": json.Number("6")}}
	got, _ := eksScalingConfig()(ev, cur)
	want := []any{map[string]any{"desired_size": json.Number("5"), "min_size": json.Number("1"), "max_size": json.Number("6")}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, ok := eksScalingConfig()(computeEvent(eksService, "UpdateNodegroupConfig", `{"labels":{}}`, ""), cur); ok {
		t.Error("a call without scalingConfig derived one")
	}
}

// computeEvents lists the events of this part of the catalog, for the fuzz
// target and the benchmark.
func computeEvents() []*Entry {
	var out []*Entry
	for _, table := range [][]Entry{ec2InstanceEntries, ec2VolumeEntries, ec2VPCEntries, ec2TagEntries,
		elbEntries, eksEntries, ecsEntries, route53Entries, cloudfrontEntries} {
		for i := range table {
			out = append(out, &table[i])
		}
	}
	return out
}

// FuzzComputeEntries feeds arbitrary request and response documents to
// every entry: resolving and deriving must never panic, whatever the shape.
func FuzzComputeEntries(f *testing.F) {
	f.Add(`{"instanceId":"i-1","instanceType":{"value":"m5.large"}}`, `{"_return":true}`)
	f.Add(`{"hostedZoneId":"Z1","changeBatch":{"changes":[{"action":"UPSERT","resourceRecordSet":{"name":"a.","type":"A","tTL":60}}]}}`, `null`)
	f.Add(`{"routeTableId":"rtb-1","destinationCidrBlock":"0.0.0.0/0","instanceId":"i-1"}`, `{}`)
	f.Add(`{"networkAclId":"acl-1","ruleNumber":"x","egress":"maybe","portRange":[1,2]}`, `[]`)
	f.Add(`{"attributes":[{"key":"access_logs.s3.enabled"}],"loadBalancerArn":7}`, `"s"`)
	f.Add(`{"resourcesSet":{"items":[{"resourceId":"i-1"},{"resourceId":5}]},"tagSet":{"items":[{"key":null}]}}`, ``)
	f.Add(`{"logging":{"clusterLogging":[{"types":"api","enabled":"yes"}]},"labels":{"addOrUpdateLabels":[1]}}`, `{"service":{"taskDefinition":1}}`)
	entries := computeEvents()
	current := map[string]any{
		"tags": map[string]any{"a": "b"}, "route": []any{map[string]any{"cidr_block": 5}},
		"ingress": "x", "metadata_options": []any{"x"}, "setting": []any{nil}, "task_definition": 3,
	}
	f.Fuzz(func(t *testing.T, req, resp string) {
		for _, e := range entries {
			ev := computeEvent(e.Service, e.Event, req, resp)
			for _, r := range e.Resolve(ev) {
				r.Target.Derive(ev, nil)
				r.Target.Derive(ev, current)
			}
		}
	})
}

func BenchmarkComputeResolveAndDerive(b *testing.B) {
	tags := computeEvent(ec2Service, "CreateTags",
		`{"resourcesSet":{"items":[{"resourceId":"i-0a1b2c3d4e5f67890"},{"resourceId":"sg-0a1b2c3d4e5f60718"},{"resourceId":"vol-0a1b2c3d4e5f60789"}]},"tagSet":{"items":[{"key":"Owner","value":"alice"}]}}`, `{"_return":true}`)
	r53 := computeEvent(route53Service, "ChangeResourceRecordSets",
		`{"hostedZoneId":"Z1","changeBatch":{"changes":[{"action":"UPSERT","resourceRecordSet":{"name":"api.example.com.","type":"A","tTL":60,"resourceRecords":[{"value":"203.0.113.10"}]}}]}}`, `{}`)
	cases := []struct {
		name  string
		event string
		ev    *Event
	}{{"CreateTags", "CreateTags", tags}, {"ChangeResourceRecordSets", "ChangeResourceRecordSets", r53}}
	current := map[string]any{"tags": map[string]any{"Name": "web"}, "records": []any{"198.51.100.10"}, "ttl": json.Number("300")}
	for _, c := range cases {
		entry := Default().Lookup(change.AWS, c.event)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				// A fresh Event per call, as the engine makes one per record;
				// the raw JSON is shared.
				ev := NewEvent(c.ev.Change)
				for _, r := range entry.Resolve(ev) {
					r.Target.Derive(ev, current)
				}
			}
		})
	}
}

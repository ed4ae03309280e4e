package wiring

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/detector/decode"
	"github.com/tfdrift/tfdrift/internal/cputime"
	"github.com/tfdrift/tfdrift/internal/naivejson"
)

// benchState writes a state of n resources: security groups, instances and
// role policies, the resources the benchmark's writes touch.
func benchState(tb testing.TB, n int) string {
	tb.Helper()
	aws := `provider["registry.terraform.io/hashicorp/aws"]`
	var res []map[string]any
	per := n / 3
	inst := func(attrs map[string]any, i int) map[string]any {
		return map[string]any{"schema_version": 1, "attributes": attrs, "index_key": i}
	}
	var sgs, ec2s, pols []any
	for i := 0; i < per; i++ {
		sgs = append(sgs, inst(map[string]any{"id": fmt.Sprintf("sg-%08x", i), "name": fmt.Sprintf("sg-%d", i), "vpc_id": "vpc-1",
			"ingress": []any{map[string]any{"cidr_blocks": []any{"10.0.0.0/8"}, "description": "", "from_port": 443, "to_port": 443, "protocol": "tcp",
				"ipv6_cidr_blocks": []any{}, "prefix_list_ids": []any{}, "security_groups": []any{}, "self": false}},
			"egress": []any{}, "tags": map[string]any{"Team": "web"}}, i))
		ec2s = append(ec2s, inst(map[string]any{"id": fmt.Sprintf("i-%08x", i), "instance_type": "t3.micro", "ami": "ami-1",
			"disable_api_termination": false, "monitoring": false, "source_dest_check": true, "tags": map[string]any{"Name": fmt.Sprintf("n%d", i)}}, i))
		pols = append(pols, inst(map[string]any{"id": fmt.Sprintf("role%d:pol", i), "role": fmt.Sprintf("role%d", i), "name": "pol",
			"policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*"}]}`}, i))
	}
	res = append(res,
		map[string]any{"mode": "managed", "type": "aws_security_group", "name": "sg", "provider": aws, "instances": sgs},
		map[string]any{"mode": "managed", "type": "aws_instance", "name": "vm", "provider": aws, "instances": ec2s},
		map[string]any{"mode": "managed", "type": "aws_iam_role_policy", "name": "p", "provider": aws, "instances": pols},
	)
	b, err := json.Marshal(map[string]any{"version": 4, "terraform_version": "1.5.7", "serial": 1, "lineage": "x", "resources": res})
	if err != nil {
		tb.Fatal(err)
	}
	p := filepath.Join(tb.TempDir(), "bench.tfstate")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// benchEvents builds a realistic mix: ~90% reads and unmapped calls, ~10%
// mapped writes against the state, some drifting and some not.
func benchEvents(n, resources int) []byte {
	r := rand.New(rand.NewSource(1))
	per := resources / 3
	reads := []string{"DescribeInstances", "DescribeSecurityGroups", "GetObject", "ListBuckets", "AssumeRole",
		"GetCallerIdentity", "DescribeVolumes", "GetRole", "ListRoles", "HeadObject", "LookupEvents", "ConsoleLogin", "RebootInstances", "SendCommand"}
	identity := `{"type":"AssumedRole","principalId":"AROAEXAMPLE:bob@example.com","arn":"arn:aws:sts::123456789012:assumed-role/Admin/bob@example.com","accountId":"123456789012","accessKeyId":"ASIAEXAMPLE","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::123456789012:role/Admin","accountId":"123456789012","userName":"Admin"},"attributes":{"creationDate":"2025-01-20T14:00:00Z","mfaAuthenticated":"true"}}}`
	var buf bytes.Buffer
	for i := 0; i < n; i++ {
		var name, source, req string
		readOnly := true
		if r.Intn(10) == 0 {
			readOnly = false
			k := r.Intn(per)
			switch r.Intn(3) {
			case 0:
				name, source = "AuthorizeSecurityGroupIngress", "ec2.amazonaws.com"
				port := 22
				if r.Intn(2) == 0 {
					port = 443 // already allowed: no drift
				}
				req = fmt.Sprintf(`{"groupId":"sg-%08x","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":%d,"toPort":%d,"groups":{},"ipRanges":{"items":[{"cidrIp":"10.0.0.0/8"}]},"ipv6Ranges":{},"prefixListIds":{}}]}}`, k, port, port)
			case 1:
				name, source = "ModifyInstanceAttribute", "ec2.amazonaws.com"
				req = fmt.Sprintf(`{"instanceId":"i-%08x","instanceType":{"value":"m5.large"}}`, k)
			default:
				name, source = "PutRolePolicy", "iam.amazonaws.com"
				req = fmt.Sprintf(`{"roleName":"role%d","policyName":"pol","policyDocument":"%%7B%%22Version%%22%%3A%%222012-10-17%%22%%2C%%22Statement%%22%%3A%%5B%%7B%%22Effect%%22%%3A%%22Allow%%22%%2C%%22Action%%22%%3A%%22s3%%3A*%%22%%2C%%22Resource%%22%%3A%%22*%%22%%7D%%5D%%7D"}`, k)
			}
		} else {
			name, source = reads[r.Intn(len(reads))], "ec2.amazonaws.com"
			req = `{"instancesSet":{},"filterSet":{"items":[{"name":"tag:Team","valueSet":{"items":[{"value":"web"}]}}]},"maxResults":1000}`
			if name == "RebootInstances" || name == "SendCommand" {
				readOnly = false // writes tfdrift does not map
			}
		}
		fmt.Fprintf(&buf, `{"eventVersion":"1.08","userIdentity":%s,"eventTime":"2025-01-20T14:%02d:%02dZ","eventSource":"%s","eventName":"%s","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.42","userAgent":"console.amazonaws.com","requestParameters":%s,"responseElements":null,"requestID":"req-%d","eventID":"evt-%08d","readOnly":%t,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"}`+"\n",
			identity, (i/60)%60, i%60, source, name, req, i, i, readOnly)
	}
	return buf.Bytes()
}

func benchDetector(tb testing.TB, resources int) *Detector {
	tb.Helper()
	det, err := NewDetector(context.Background(), DetectorOptions{StateFiles: []string{benchState(tb, resources)}})
	if err != nil {
		tb.Fatal(err)
	}
	return det
}

// BenchmarkReplayMix is issue 2's throughput target: ≥150,000 events/s on
// one core (make bench runs with GOMAXPROCS=1) for a realistic mix against
// a 10,000-resource state.
func BenchmarkReplayMix(b *testing.B) {
	const events = 20000
	data := benchEvents(events, 10000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	var total, drifts int
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		det := benchDetector(b, 10000)
		out, _ := NewOutput(FormatJSON, io.Discard)
		b.StartTimer()
		cpu0 := cputime.Process()
		st, err := Replay(context.Background(), ReplayOptions{Inputs: []string{"-"}, Stdin: bytes.NewReader(data), Engine: det.Engine, Output: out})
		cpu += cputime.Process() - cpu0
		if err != nil {
			b.Fatal(err)
		}
		total += st.Records
		drifts += st.Drifts
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "events/s")
	// Events per CPU-second: on a shared machine the steady number
	// (events/s also counts waiting for the core).
	b.ReportMetric(float64(total)/cpu.Seconds(), "events/cpu-s")
	b.ReportMetric(float64(drifts)/float64(b.N), "drifts/op")
}

// BenchmarkReplayMixNaiveDecode is the baseline the README publishes
// BenchmarkReplayMix against: the same events only decoded, the naive way
// (internal/naivejson), with no detection and no output.
func BenchmarkReplayMixNaiveDecode(b *testing.B) {
	const events = 20000
	lines := bytes.Split(bytes.TrimSpace(benchEvents(events, 10000)), []byte("\n"))
	if len(lines) != events {
		b.Fatalf("%d lines, want %d", len(lines), events)
	}
	b.ReportAllocs()
	b.ResetTimer()
	writes := 0
	cpu0 := cputime.Process()
	for b.Loop() {
		writes = 0
		err := naivejson.Decode(lines, func(r *naivejson.CloudTrail) {
			if r.ReadOnly != nil && !*r.ReadOnly {
				writes++
			}
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	cpu := cputime.Process() - cpu0
	if writes == 0 {
		b.Fatal("no writes decoded")
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(events)*float64(b.N)/cpu.Seconds(), "events/cpu-s")
}

// BenchmarkDetectLatency measures one mapped write from raw bytes to drift
// (decode → catalog → state → compare → rules → dedup) and reports the p50
// and p99 of the per-event latency.
func BenchmarkDetectLatency(b *testing.B) {
	det := benchDetector(b, 10000)
	lines := bytes.Split(bytes.TrimSpace(benchEvents(20000, 10000)), []byte("\n"))
	var writes [][]byte
	for _, l := range lines {
		if bytes.Contains(l, []byte(`"readOnly":false`)) && !bytes.Contains(l, []byte("Reboot")) && !bytes.Contains(l, []byte("SendCommand")) {
			writes = append(writes, l)
		}
	}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := writes[i%len(writes)]
		start := time.Now()
		changes, err := decode.Decode(rec, decode.Options{Keep: det.Engine.Keep})
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range changes {
			c.EventID = fmt.Sprint(i) // every iteration is a new event
			det.Engine.Process(c)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	}
}

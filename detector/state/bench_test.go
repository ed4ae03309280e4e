package state

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/internal/cputime"
)

// benchKeys is the kind of KeySpec the catalog produces.
var benchKeys = KeySpec{
	ByType: map[string][]string{
		"aws_iam_role_policy": {"role:name"},
		"aws_s3_bucket":       {"bucket"},
		"aws_db_instance":     {"identifier"},
	},
	Default: []string{"id", "arn"},
}

// The instance templates below are laid out as Terraform writes state:
// two-space indentation, attributes sorted by name, 12 spaces deep.

// awsInstanceAttrs has the 55 attributes of a current aws_instance.
// Arguments: 1 service, 2 instance number, 3 instance id.
const awsInstanceAttrs = `{
            "ami": "ami-0c55b159cbfafe1f0",
            "arn": "arn:aws:ec2:us-east-1:123456789012:instance/%[3]s",
            "associate_public_ip_address": false,
            "availability_zone": "us-east-1a",
            "capacity_reservation_specification": [
              {
                "capacity_reservation_preference": "open",
                "capacity_reservation_target": []
              }
            ],
            "cpu_core_count": 1,
            "cpu_options": [
              {
                "amd_sev_snp": "",
                "core_count": 1,
                "threads_per_core": 2
              }
            ],
            "cpu_threads_per_core": 2,
            "credit_specification": [
              {
                "cpu_credits": "unlimited"
              }
            ],
            "disable_api_stop": false,
            "disable_api_termination": false,
            "ebs_block_device": [],
            "ebs_optimized": false,
            "enclave_options": [
              {
                "enabled": false
              }
            ],
            "ephemeral_block_device": [],
            "get_password_data": false,
            "hibernation": false,
            "host_id": "",
            "host_resource_group_arn": null,
            "iam_instance_profile": "svc-%[1]d-worker",
            "id": "%[3]s",
            "instance_initiated_shutdown_behavior": "stop",
            "instance_lifecycle": "",
            "instance_market_options": [],
            "instance_state": "running",
            "instance_type": "t3.micro",
            "ipv6_address_count": 0,
            "ipv6_addresses": [],
            "key_name": "deploy",
            "launch_template": [],
            "maintenance_options": [
              {
                "auto_recovery": "default"
              }
            ],
            "metadata_options": [
              {
                "http_endpoint": "enabled",
                "http_protocol_ipv6": "disabled",
                "http_put_response_hop_limit": 1,
                "http_tokens": "required",
                "instance_metadata_tags": "disabled"
              }
            ],
            "monitoring": false,
            "network_interface": [],
            "outpost_arn": "",
            "password_data": "",
            "placement_group": "",
            "placement_partition_number": 0,
            "primary_network_interface_id": "eni-0%016[2]x",
            "private_dns": "ip-10-%[1]d-0-%[2]d.ec2.internal",
            "private_dns_name_options": [
              {
                "enable_resource_name_dns_a_record": false,
                "enable_resource_name_dns_aaaa_record": false,
                "hostname_type": "ip-name"
              }
            ],
            "private_ip": "10.%[1]d.0.%[2]d",
            "public_dns": "",
            "public_ip": "",
            "root_block_device": [
              {
                "delete_on_termination": true,
                "device_name": "/dev/xvda",
                "encrypted": true,
                "iops": 3000,
                "kms_key_id": "arn:aws:kms:us-east-1:123456789012:key/0f4d6c2e-1b3a-4e5f-8a9b-7c6d5e4f3a2b",
                "tags": {},
                "throughput": 125,
                "volume_id": "vol-0%016[2]x",
                "volume_size": 8,
                "volume_type": "gp3"
              }
            ],
            "secondary_private_ips": [],
            "security_groups": [],
            "source_dest_check": true,
            "spot_instance_request_id": "",
            "subnet_id": "subnet-0aaa00000000000%[1]d",
            "tags": {
              "Name": "svc-%[1]d-worker-%[2]d",
              "Service": "svc-%[1]d",
              "Team": "platform"
            },
            "tags_all": {
              "Environment": "prod",
              "ManagedBy": "terraform",
              "Name": "svc-%[1]d-worker-%[2]d",
              "Service": "svc-%[1]d",
              "Team": "platform"
            },
            "tenancy": "default",
            "timeouts": null,
            "user_data": "4f0a1c9d0e7b3a5f8c2d6e1f9a0b3c7d5e2f8a1b",
            "user_data_base64": null,
            "user_data_replace_on_change": false,
            "volume_tags": null,
            "vpc_security_group_ids": [
              "sg-0%016[1]x"
            ]
          }`

// Arguments: 1 service, 2 security group id.
const securityGroupAttrs = `{
            "arn": "arn:aws:ec2:us-east-1:123456789012:security-group/%[2]s",
            "description": "svc-%[1]d web tier",
            "egress": [
              {
                "cidr_blocks": [
                  "0.0.0.0/0"
                ],
                "description": "",
                "from_port": 0,
                "ipv6_cidr_blocks": [],
                "prefix_list_ids": [],
                "protocol": "-1",
                "security_groups": [],
                "self": false,
                "to_port": 0
              }
            ],
            "id": "%[2]s",
            "ingress": [
              {
                "cidr_blocks": [
                  "10.0.0.0/8"
                ],
                "description": "https from the VPC",
                "from_port": 443,
                "ipv6_cidr_blocks": [],
                "prefix_list_ids": [],
                "protocol": "tcp",
                "security_groups": [],
                "self": false,
                "to_port": 443
              },
              {
                "cidr_blocks": [],
                "description": "app port from the load balancer",
                "from_port": 8080,
                "ipv6_cidr_blocks": [],
                "prefix_list_ids": [],
                "protocol": "tcp",
                "security_groups": [
                  "sg-0lb%013[1]x"
                ],
                "self": false,
                "to_port": 8080
              },
              {
                "cidr_blocks": [],
                "description": "",
                "from_port": 0,
                "ipv6_cidr_blocks": [],
                "prefix_list_ids": [],
                "protocol": "-1",
                "security_groups": [],
                "self": true,
                "to_port": 0
              }
            ],
            "name": "svc-%[1]d-web",
            "name_prefix": "",
            "owner_id": "123456789012",
            "revoke_rules_on_delete": false,
            "tags": {
              "Name": "svc-%[1]d-web"
            },
            "tags_all": {
              "Environment": "prod",
              "ManagedBy": "terraform",
              "Name": "svc-%[1]d-web"
            },
            "timeouts": null,
            "vpc_id": "vpc-0a1b2c3d4e5f60718"
          }`

// Arguments: 1 bucket name.
const bucketAttrs = `{
            "acceleration_status": "",
            "acl": null,
            "arn": "arn:aws:s3:::%[1]s",
            "bucket": "%[1]s",
            "bucket_domain_name": "%[1]s.s3.amazonaws.com",
            "bucket_prefix": "",
            "bucket_regional_domain_name": "%[1]s.s3.us-east-1.amazonaws.com",
            "cors_rule": [],
            "force_destroy": false,
            "grant": [
              {
                "id": "0d4b3c2a1f0e9d8c7b6a5f4e3d2c1b0a0d4b3c2a1f0e9d8c7b6a5f4e3d2c1b0a",
                "permissions": [
                  "FULL_CONTROL"
                ],
                "type": "CanonicalUser",
                "uri": ""
              }
            ],
            "hosted_zone_id": "Z3AQBSTGFYJSTF",
            "id": "%[1]s",
            "lifecycle_rule": [],
            "logging": [],
            "object_lock_configuration": [],
            "object_lock_enabled": false,
            "policy": "",
            "region": "us-east-1",
            "replication_configuration": [],
            "request_payer": "BucketOwner",
            "server_side_encryption_configuration": [
              {
                "rule": [
                  {
                    "apply_server_side_encryption_by_default": [
                      {
                        "kms_master_key_id": "",
                        "sse_algorithm": "AES256"
                      }
                    ],
                    "bucket_key_enabled": false
                  }
                ]
              }
            ],
            "tags": {
              "Name": "%[1]s"
            },
            "tags_all": {
              "ManagedBy": "terraform",
              "Name": "%[1]s"
            },
            "timeouts": null,
            "versioning": [
              {
                "enabled": true,
                "mfa_delete": false
              }
            ],
            "website": [],
            "website_domain": null,
            "website_endpoint": null
          }`

// Arguments: 1 role, 2 policy name, 3 bucket.
const rolePolicyAttrs = `{
            "id": "%[1]s:%[2]s",
            "name": "%[2]s",
            "name_prefix": "",
            "policy": "{\"Statement\":[{\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],\"Effect\":\"Allow\",\"Resource\":\"arn:aws:s3:::%[3]s/*\"},{\"Action\":[\"kms:Decrypt\"],\"Effect\":\"Allow\",\"Resource\":\"arn:aws:kms:us-east-1:123456789012:key/0f4d6c2e-1b3a-4e5f-8a9b-7c6d5e4f3a2b\"}],\"Version\":\"2012-10-17\"}",
            "role": "%[1]s"
          }`

const benchProvider = `provider[\"registry.terraform.io/hashicorp/aws\"]`

// stateWriter writes a state document resource by resource.
type stateWriter struct {
	w         *bufio.Writer
	resources int // resource blocks written
	instances int // managed instances written
}

func (sw *stateWriter) begin(module, mode, rtype, name string) {
	if sw.resources > 0 {
		sw.w.WriteString(",\n")
	}
	sw.resources++
	sw.w.WriteString("    {\n")
	if module != "" {
		fmt.Fprintf(sw.w, "      \"module\": %q,\n", module)
	}
	fmt.Fprintf(sw.w, "      \"mode\": %q,\n      \"type\": %q,\n      \"name\": %q,\n      \"provider\": \"%s\",\n      \"instances\": [\n",
		mode, rtype, name, benchProvider)
}

// instance writes one instance; key is nil, an int or a string.
func (sw *stateWriter) instance(first bool, key any, attrs string, deps ...string) {
	if !first {
		sw.w.WriteString(",\n")
	}
	sw.instances++
	sw.w.WriteString("        {\n")
	switch k := key.(type) {
	case int:
		fmt.Fprintf(sw.w, "          \"index_key\": %d,\n", k)
	case string:
		fmt.Fprintf(sw.w, "          \"index_key\": %q,\n", k)
	}
	sw.w.WriteString("          \"schema_version\": 1,\n          \"attributes\": ")
	sw.w.WriteString(attrs)
	sw.w.WriteString(",\n          \"sensitive_attributes\": [],\n")
	sw.w.WriteString("          \"private\": \"eyJlMmJmYjczMC1lY2FhLTExZTYtOGY4OC0zNDM2M2JjN2M0YzAiOnsiY3JlYXRlIjo2MDAwMDAwMDAwMDB9fQ==\"")
	if len(deps) > 0 {
		sw.w.WriteString(",\n          \"dependencies\": [\n")
		for i, d := range deps {
			if i > 0 {
				sw.w.WriteString(",\n")
			}
			fmt.Fprintf(sw.w, "            %q", d)
		}
		sw.w.WriteString("\n          ]")
	}
	sw.w.WriteString("\n        }")
}

func (sw *stateWriter) end() { sw.w.WriteString("\n      ]\n    }") }

// writeBenchState writes a state with n managed instances: 40% aws_instance
// (count), 25% aws_security_group, 20% aws_s3_bucket (for_each) and 15%
// aws_iam_role_policy, spread over service modules (some with instance
// keys, some nested), plus data sources that Parse must skip.
func writeBenchState(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	sw := &stateWriter{w: bw}
	bw.WriteString("{\n  \"version\": 4,\n  \"terraform_version\": \"1.5.7\",\n  \"serial\": 1234,\n" +
		"  \"lineage\": \"3f6c1d2e-8a4b-4c1e-9d7a-5b2f0e6a9c13\",\n  \"outputs\": {\n" +
		"    \"vpc_id\": {\n      \"value\": \"vpc-0a1b2c3d4e5f60718\",\n      \"type\": \"string\"\n    }\n  },\n  \"resources\": [\n")
	bucketKeys := []string{"assets", "backups", "data", "logs"}
	for svc := 0; sw.instances < n; svc++ {
		module := fmt.Sprintf("module.svc_%d", svc)
		switch svc % 3 {
		case 1:
			module = fmt.Sprintf("module.svc[%d]", svc)
		case 2:
			module = fmt.Sprintf("module.env[\"prod\"].module.svc_%d", svc)
		}
		// Per service: 8 instances, 5 security groups, 4 buckets, 3
		// role policies: 20 instances in the 40/25/20/15 mix.
		sw.begin(module, "data", "aws_iam_policy_document", "assume")
		sw.instance(true, nil, `{"id": "2851119427", "json": "{\"Version\":\"2012-10-17\"}"}`)
		sw.end()
		sw.instances-- // data sources are not managed instances

		sw.begin(module, "managed", "aws_instance", "workers")
		for i := range 8 {
			sw.instance(i == 0, i, fmt.Sprintf(awsInstanceAttrs, svc, i, fmt.Sprintf("i-%017x", svc*8+i)), module+".aws_security_group.web")
		}
		sw.end()
		for g := range 5 {
			sw.begin(module+".module.net", "managed", "aws_security_group", fmt.Sprintf("sg%d", g))
			sw.instance(true, nil, fmt.Sprintf(securityGroupAttrs, svc, fmt.Sprintf("sg-%017x", svc*5+g)))
			sw.end()
		}
		sw.begin(module, "managed", "aws_s3_bucket", "b")
		for i, k := range bucketKeys {
			sw.instance(i == 0, k, fmt.Sprintf(bucketAttrs, fmt.Sprintf("acme-svc-%d-%s", svc, k)))
		}
		sw.end()
		for p := range 3 {
			sw.begin(module, "managed", "aws_iam_role_policy", fmt.Sprintf("p%d", p))
			role := fmt.Sprintf("svc-%d-role", svc)
			sw.instance(true, nil, fmt.Sprintf(rolePolicyAttrs, role, fmt.Sprintf("policy-%d", p), fmt.Sprintf("acme-svc-%d-data", svc)), module+".aws_iam_role.this")
			sw.end()
		}
	}
	bw.WriteString("\n  ],\n  \"check_results\": null\n}\n")
	return bw.Flush()
}

// BenchmarkParseIndex100k loads a 100,000-instance state from disk into a
// fresh Index, the work a refresh does for a large state. Targets: under
// 2 s per op on one core, and heap held by the loaded index under 3× the
// file size. Run with GOMAXPROCS=1.
//
// heapMB is the live heap after a GC with the index loaded, minus the
// live heap before loading: what a loaded state costs the daemon. The file
// bytes themselves are garbage once Parse returns.
func BenchmarkParseIndex100k(b *testing.B) {
	path := writeBench100k(b)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	size := fi.Size()
	backend := NewLocal(path, Source{Account: "123456789012"})
	ctx := context.Background()

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	var ix *Index
	var parseTime, indexTime time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Process()
	for b.Loop() {
		ix = nil // let the previous op's index go
		t0 := time.Now()
		snap, _, err := Load(ctx, backend)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		ix = NewIndex(benchKeys)
		ix.Replace(snap)
		parseTime += t1.Sub(t0)
		indexTime += time.Since(t1)
	}
	b.StopTimer()
	cpu := cputime.Process() - cpu0

	if ix.Len() != 100_000 {
		b.Fatalf("indexed %d instances, want 100000", ix.Len())
	}
	if got := ix.Lookup(change.AWS, "123456789012", "aws_iam_role_policy", "role:name", "svc-7-role:policy-2"); len(got) != 1 {
		b.Fatalf("composite lookup found %d resources", len(got))
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(ix)
	heap := float64(after.HeapAlloc) - float64(before.HeapAlloc)
	b.ReportMetric(float64(size)/(1<<20), "fileMB")
	b.ReportMetric(heap/(1<<20), "heapMB")
	b.ReportMetric(heap/float64(size), "x_file")
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu_ms/op")
	b.ReportMetric(float64(parseTime.Milliseconds())/float64(b.N), "load_ms/op")
	b.ReportMetric(float64(indexTime.Milliseconds())/float64(b.N), "index_ms/op")
}

// BenchmarkLookup measures the event hot path: one Lookup per identifier.
// "hit" is the usual case, an identifier held by one source (20,000
// instances); "filtered" queries an identifier held by three sources
// (three accounts' copies of the same state), of which the account filter
// keeps two and so must build a new slice.
func BenchmarkLookup(b *testing.B) {
	var sb strings.Builder
	if err := writeBenchState(&sb, 20_000); err != nil {
		b.Fatal(err)
	}
	data := []byte(sb.String())
	load := func(sources ...Source) *Index {
		ix := NewIndex(benchKeys)
		for _, src := range sources {
			snap, err := Parse(data, src)
			if err != nil {
				b.Fatal(err)
			}
			ix.Replace(snap)
		}
		return ix
	}
	const acct = "123456789012"
	one := load(Source{Name: "s3://state/prod-us.tfstate", Account: acct})
	three := load(
		Source{Name: "s3://state/prod-us.tfstate", Account: acct},
		Source{Name: "s3://state/prod-eu.tfstate", Account: "101112131415"},
		Source{Name: "s3://state/shared.tfstate"},
	)

	type query struct{ rtype, key, value string }
	var queries []query
	for svc := 0; svc < 1000; svc += 7 {
		queries = append(queries,
			query{"aws_instance", "id", fmt.Sprintf("i-%017x", svc*8+3)},
			query{"aws_iam_role_policy", "role:name", fmt.Sprintf("svc-%d-role:policy-1", svc)},
			query{"aws_s3_bucket", "bucket", fmt.Sprintf("acme-svc-%d-logs", svc)},
			query{"aws_security_group", "arn", fmt.Sprintf("arn:aws:ec2:us-east-1:123456789012:security-group/sg-%017x", svc*5+2)},
		)
	}
	run := func(ix *Index, want int) func(b *testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				q := queries[i%len(queries)]
				i++
				if got := ix.Lookup(change.AWS, acct, q.rtype, q.key, q.value); len(got) != want {
					b.Fatalf("Lookup(%v) found %d resources, want %d", q, len(got), want)
				}
			}
		}
	}
	b.Run("hit", run(one, 1))
	b.Run("filtered", run(three, 2))
	b.Run("miss", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if one.Lookup(change.AWS, acct, "aws_instance", "id", "i-fffffffffffffffff") != nil {
				b.Fatal("hit")
			}
		}
	})
}

// BenchmarkParse measures Parse alone on a 20,000-instance state held in
// memory; MB/s is the scanning throughput.
func BenchmarkParse(b *testing.B) {
	var sb strings.Builder
	if err := writeBenchState(&sb, 20_000); err != nil {
		b.Fatal(err)
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu0 := cputime.Process()
	for b.Loop() {
		if _, err := Parse(data, Source{Name: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	cpu := cputime.Process() - cpu0
	b.ReportMetric(float64(len(data))*float64(b.N)/cpu.Seconds()/1e6, "cpuMB/s")
}

// TestBenchState keeps the benchmark's generator honest: valid JSON, the
// requested number of managed instances, in the intended mix.
func TestBenchState(t *testing.T) {
	var sb strings.Builder
	if err := writeBenchState(&sb, 200); err != nil {
		t.Fatal(err)
	}
	data := []byte(sb.String())
	if !json.Valid(data) {
		t.Fatal("generated state is not valid JSON")
	}
	snap, err := Parse(data, Source{Name: "gen"})
	if err != nil {
		t.Fatal(err)
	}
	byType := map[string]int{}
	for _, r := range snap.Resources {
		byType[r.Type]++
	}
	want := map[string]int{"aws_instance": 80, "aws_security_group": 50, "aws_s3_bucket": 40, "aws_iam_role_policy": 30}
	if diff := cmp.Diff(want, byType); diff != "" {
		t.Errorf("instances by type (-want +got):\n%s", diff)
	}
	if strings.Contains(sb.String(), "%!") {
		t.Error("a template has a bad format verb")
	}
}

// writeBench100k writes the 100,000-resource state of the load benchmarks
// to a temporary file and returns its path.
func writeBench100k(b *testing.B) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "big.tfstate")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := writeBenchState(f, 100_000); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkLoad100kEncodingJSON is the baseline the README publishes
// BenchmarkParseIndex100k's load against: the same 100,000-resource file
// read and decoded the naive way, json.Unmarshal into the state's shape
// with each instance's attributes kept as raw JSON (no index built).
func BenchmarkLoad100kEncodingJSON(b *testing.B) {
	path := writeBench100k(b)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Process()
	instances := 0
	for b.Loop() {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		var st struct {
			Version   int `json:"version"`
			Resources []struct {
				Mode      string `json:"mode"`
				Type      string `json:"type"`
				Name      string `json:"name"`
				Provider  string `json:"provider"`
				Module    string `json:"module"`
				Instances []struct {
					IndexKey   any             `json:"index_key"`
					Attributes json.RawMessage `json:"attributes"`
				} `json:"instances"`
			} `json:"resources"`
		}
		if err := json.Unmarshal(data, &st); err != nil {
			b.Fatal(err)
		}
		instances = 0
		for _, r := range st.Resources {
			if r.Mode == "managed" {
				instances += len(r.Instances)
			}
		}
	}
	b.StopTimer()
	cpu := cputime.Process() - cpu0
	if instances != 100_000 {
		b.Fatalf("decoded %d managed instances, want 100000", instances)
	}
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu_ms/op")
}

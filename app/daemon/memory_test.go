package daemon

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"testing"

	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/detector/state"
	"github.com/tfdrift/tfdrift/detector/state/refresh"
)

// The memory bound: the daemon holds 10 states of 10,000 resources
// each in under 500 MB. The states are generated to look like real ones
// (aws_instance with its ~60 provider attributes and nested blocks,
// security groups with rules, IAM roles with their JSON policies, buckets,
// some resources inside modules), and loaded the way serve loads them:
// wiring.NewIndex, wiring.LocalBackends, the refresher's LoadAll, then a detector
// built over the index.

const (
	memStates           = 10
	memResourcesPerFile = 10_000
	memBoundBytes       = 500 << 20
)

// memStateMix is how a generated state's resources are split by type.
type memStateMix struct {
	instances, groups, rules, roles, policies, buckets int
}

// memRealisticMix is a platform team's state: compute, network rules and
// IAM dominate.
var memRealisticMix = memStateMix{instances: 3000, groups: 1500, rules: 2500, roles: 1000, policies: 1500, buckets: 500}

// memInstanceID is the EC2 instance ID of instance k in state n: 17 hex
// digits, unique across states.
func memInstanceID(n, k int) string { return fmt.Sprintf("i-%02x%015x", n, k) }

// writeMemState writes state n with the given mix to path. It streams,
// so generating ten large states does not itself inflate the heap being
// measured.
func writeMemState(path string, n int, mix memStateMix) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	g := stateGen{w: w, n: n}
	g.state(mix)
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

// stateGen writes one Terraform v4 state as JSON text.
type stateGen struct {
	w     *bufio.Writer
	n     int // the state's number: keeps IDs distinct across states
	first bool
}

const memAWS = `provider[\"registry.terraform.io/hashicorp/aws\"]`

func (g *stateGen) state(mix memStateMix) {
	fmt.Fprintf(g.w, `{"version":4,"terraform_version":"1.5.7","serial":%d,"lineage":"0f1e2d3c-4b5a-6978-%012x","outputs":{},"resources":[`, 100+g.n, g.n)
	g.first = true
	// Half the instances and groups sit in a module, as in most real
	// root modules.
	half := func(x int) (int, int) { return x / 2, x - x/2 }
	a, b := half(mix.instances)
	g.resource("", "aws_instance", "app", a, 0, g.instance)
	g.resource(`module.workers[\"batch\"]`, "aws_instance", "this", b, a, g.instance)
	a, b = half(mix.groups)
	g.resource("", "aws_security_group", "svc", a, 0, g.group)
	g.resource("module.network", "aws_security_group", "this", b, a, g.group)
	g.resource("", "aws_security_group_rule", "extra", mix.rules, 0, g.rule)
	g.resource("", "aws_iam_role", "svc", mix.roles, 0, g.role)
	g.resource("", "aws_iam_role_policy", "svc", mix.policies, 0, g.policy)
	g.resource("", "aws_s3_bucket", "data", mix.buckets, 0, g.bucket)
	g.w.WriteString("],\"check_results\":null}\n")
}

// resource writes one resource block with count instances; base offsets
// the instance numbers so that two blocks of a type never share an ID.
func (g *stateGen) resource(module, typ, name string, count, base int, attrs func(k int)) {
	if count == 0 {
		return
	}
	if !g.first {
		g.w.WriteByte(',')
	}
	g.first = false
	g.w.WriteByte('{')
	if module != "" {
		fmt.Fprintf(g.w, `"module":"%s",`, module)
	}
	fmt.Fprintf(g.w, `"mode":"managed","type":"%s","name":"%s","provider":"%s","instances":[`, typ, name, memAWS)
	for i := 0; i < count; i++ {
		if i > 0 {
			g.w.WriteByte(',')
		}
		fmt.Fprintf(g.w, `{"index_key":%d,"schema_version":1,"attributes":`, i)
		attrs(base + i)
		g.w.WriteString(`,"sensitive_attributes":[],"private":"eyJlMmJmYjczMC1lY2FhLTExZTYtOGY4OC0zNDM2M2JjN2M0YzAiOnsiY3JlYXRlIjo2MDAwMDAwMDAwMDAsImRlbGV0ZSI6MTIwMDAwMDAwMDAwMCwidXBkYXRlIjo2MDAwMDAwMDAwMDB9LCJzY2hlbWFfdmVyc2lvbiI6IjEifQ==","dependencies":["aws_iam_role.svc","aws_security_group.svc"]}`)
	}
	g.w.WriteString("]}")
}

// instance writes an aws_instance as provider v5 stores it.
func (g *stateGen) instance(k int) {
	id := memInstanceID(g.n, k)
	ip := fmt.Sprintf("10.%d.%d.%d", g.n, (k>>8)&255, k&255)
	fmt.Fprintf(g.w, `{"ami":"ami-0c55b159cbfafe1f0","arn":"arn:aws:ec2:us-east-1:1234567890%02d:instance/%[2]s","associate_public_ip_address":false,"availability_zone":"us-east-1a",`+
		`"capacity_reservation_specification":[{"capacity_reservation_preference":"open","capacity_reservation_target":[]}],"cpu_core_count":1,"cpu_options":[{"amd_sev_snp":"","core_count":1,"threads_per_core":2}],"cpu_threads_per_core":2,`+
		`"credit_specification":[{"cpu_credits":"unlimited"}],"disable_api_stop":false,"disable_api_termination":false,"ebs_block_device":[],"ebs_optimized":false,"enclave_options":[{"enabled":false}],"ephemeral_block_device":[],`+
		`"get_password_data":false,"hibernation":false,"host_id":"","host_resource_group_arn":null,"iam_instance_profile":"svc-%[3]d","id":"%[2]s","instance_initiated_shutdown_behavior":"stop","instance_lifecycle":"","instance_market_options":[],"instance_state":"running",`+
		`"instance_type":"t3.micro","ipv6_address_count":0,"ipv6_addresses":[],"key_name":"deploy","launch_template":[],"maintenance_options":[{"auto_recovery":"default"}],`+
		`"metadata_options":[{"http_endpoint":"enabled","http_protocol_ipv6":"disabled","http_put_response_hop_limit":2,"http_tokens":"required","instance_metadata_tags":"disabled"}],"monitoring":false,"network_interface":[],"outpost_arn":"","password_data":"","placement_group":"","placement_partition_number":0,`+
		`"primary_network_interface_id":"eni-%02[1]x%015[3]x","private_dns":"ip-%[4]s.ec2.internal","private_dns_name_options":[{"enable_resource_name_dns_a_record":false,"enable_resource_name_dns_aaaa_record":false,"hostname_type":"ip-name"}],"private_ip":"%[4]s","public_dns":"","public_ip":"",`+
		`"root_block_device":[{"delete_on_termination":true,"device_name":"/dev/xvda","encrypted":true,"iops":3000,"kms_key_id":"arn:aws:kms:us-east-1:1234567890%02[1]d:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b","tags":{},"throughput":125,"volume_id":"vol-%02[1]x%015[3]x","volume_size":20,"volume_type":"gp3"}],`+
		`"secondary_private_ips":[],"security_groups":[],"source_dest_check":true,"spot_instance_request_id":"","subnet_id":"subnet-%02[1]x%015[6]x","tags":{"Environment":"prod","Name":"app-%[3]d","Owner":"platform@example.com","Service":"checkout"},`+
		`"tags_all":{"CostCenter":"1234","Environment":"prod","ManagedBy":"terraform","Name":"app-%[3]d","Owner":"platform@example.com","Service":"checkout"},"tenancy":"default","timeouts":null,"user_data":"3c1d5f8a9e2b4c6d7e8f9a0b1c2d3e4f5a6b7c8d","user_data_base64":null,"user_data_replace_on_change":false,`+
		`"volume_tags":null,"vpc_security_group_ids":["sg-%02[1]x%015[5]x"]}`,
		g.n, id, k, ip, k%1500, k%64)
}

// group writes an aws_security_group with two ingress rules and one egress.
func (g *stateGen) group(k int) {
	fmt.Fprintf(g.w, `{"arn":"arn:aws:ec2:us-east-1:1234567890%02[1]d:security-group/sg-%02[1]x%015[2]x","description":"service %[2]d","egress":[{"cidr_blocks":["0.0.0.0/0"],"description":"","from_port":0,"ipv6_cidr_blocks":["::/0"],"prefix_list_ids":[],"protocol":"-1","security_groups":[],"self":false,"to_port":0}],`+
		`"id":"sg-%02[1]x%015[2]x","ingress":[{"cidr_blocks":["10.0.0.0/8"],"description":"https from the VPC","from_port":443,"ipv6_cidr_blocks":[],"prefix_list_ids":[],"protocol":"tcp","security_groups":[],"self":false,"to_port":443},`+
		`{"cidr_blocks":[],"description":"health checks","from_port":8080,"ipv6_cidr_blocks":[],"prefix_list_ids":[],"protocol":"tcp","security_groups":["sg-%02[1]x%015[3]x"],"self":false,"to_port":8080}],`+
		`"name":"svc-%[2]d","name_prefix":"","owner_id":"1234567890%02[1]d","revoke_rules_on_delete":false,"tags":{"Name":"svc-%[2]d"},"tags_all":{"ManagedBy":"terraform","Name":"svc-%[2]d"},"timeouts":null,"vpc_id":"vpc-%02[1]x%015[4]x"}`,
		g.n, k, (k+1)%1500, 0)
}

// rule writes an aws_security_group_rule.
func (g *stateGen) rule(k int) {
	fmt.Fprintf(g.w, `{"cidr_blocks":["10.%[3]d.0.0/16"],"description":"rule %[2]d","from_port":%[4]d,"id":"sgrule-%[5]d","ipv6_cidr_blocks":null,"prefix_list_ids":null,"protocol":"tcp","security_group_id":"sg-%02[1]x%015[6]x","security_group_rule_id":"sgr-%02[1]x%015[2]x","self":false,"source_security_group_id":null,"timeouts":null,"to_port":%[4]d,"type":"ingress"}`,
		g.n, k, k%250, 1024+k%4000, 1_000_000_000*(g.n+1)+k, k%1500)
}

// role writes an aws_iam_role with its trust policy.
func (g *stateGen) role(k int) {
	fmt.Fprintf(g.w, `{"arn":"arn:aws:iam::1234567890%02[1]d:role/svc-%[2]d","assume_role_policy":"{\"Statement\":[{\"Action\":\"sts:AssumeRole\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"}}],\"Version\":\"2012-10-17\"}","create_date":"2024-03-01T12:00:00Z","description":"","force_detach_policies":false,`+
		`"id":"svc-%[2]d","inline_policy":[{"name":"svc-%[2]d","policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],\"Resource\":\"arn:aws:s3:::data-%[1]d-%[2]d/*\"}]}"}],"managed_policy_arns":["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"],"max_session_duration":3600,"name":"svc-%[2]d","name_prefix":"","path":"/","permissions_boundary":"","tags":{"Service":"svc-%[2]d"},"tags_all":{"ManagedBy":"terraform","Service":"svc-%[2]d"},"unique_id":"AROA%02[1]X%015[2]X"}`,
		g.n, k)
}

// policy writes an aws_iam_role_policy.
func (g *stateGen) policy(k int) {
	fmt.Fprintf(g.w, `{"id":"svc-%[2]d:extra","name":"extra","name_prefix":"","policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"sqs:SendMessage\",\"sqs:ReceiveMessage\",\"sqs:DeleteMessage\"],\"Resource\":\"arn:aws:sqs:us-east-1:1234567890%02[1]d:queue-%[2]d\"},{\"Effect\":\"Allow\",\"Action\":\"kms:Decrypt\",\"Resource\":\"*\"}]}","role":"svc-%[2]d"}`,
		g.n, k)
}

// bucket writes an aws_s3_bucket.
func (g *stateGen) bucket(k int) {
	fmt.Fprintf(g.w, `{"acceleration_status":"","acl":null,"arn":"arn:aws:s3:::data-%[1]d-%[2]d","bucket":"data-%[1]d-%[2]d","bucket_domain_name":"data-%[1]d-%[2]d.s3.amazonaws.com","bucket_prefix":"","bucket_regional_domain_name":"data-%[1]d-%[2]d.s3.us-east-1.amazonaws.com","cors_rule":[],"force_destroy":false,"grant":[{"id":"c0ffee","permissions":["FULL_CONTROL"],"type":"CanonicalUser","uri":""}],"hosted_zone_id":"Z3AQBSTGFYJSTF","id":"data-%[1]d-%[2]d","lifecycle_rule":[],"logging":[],"object_lock_configuration":[],"object_lock_enabled":false,"policy":"","region":"us-east-1","replication_configuration":[],"request_payer":"BucketOwner","server_side_encryption_configuration":[{"rule":[{"apply_server_side_encryption_by_default":[{"kms_master_key_id":"","sse_algorithm":"AES256"}],"bucket_key_enabled":false}]}],"tags":{"Data":"internal"},"tags_all":{"Data":"internal","ManagedBy":"terraform"},"timeouts":null,"versioning":[{"enabled":true,"mfa_delete":false}],"website":[],"website_domain":null,"website_endpoint":null}`,
		g.n, k)
}

// writeTenStates writes the ten states into dir and returns their paths
// and total size.
func writeTenStates(tb testing.TB, dir string) ([]string, int64) {
	tb.Helper()
	var files []string
	var size int64
	for n := 0; n < memStates; n++ {
		p := filepath.Join(dir, fmt.Sprintf("account-%02d.tfstate", n))
		if err := writeMemState(p, n, memRealisticMix); err != nil {
			tb.Fatal(err)
		}
		fi, err := os.Stat(p)
		if err != nil {
			tb.Fatal(err)
		}
		size += fi.Size()
		files = append(files, p)
	}
	return files, size
}

// loadedStates is what serve keeps alive: the index, the refresher that
// owns it, and the detector built over it.
type loadedStates struct {
	ix  *state.Index
	ref *refresh.Refresher
	det *wiring.Detector
}

// loadLikeServe loads files the way serve does at start-up.
func loadLikeServe(ctx context.Context, files []string) (*loadedStates, error) {
	cat := catalog.Default()
	ix := wiring.NewIndex(cat)
	backends, err := wiring.LocalBackends(nil, files)
	if err != nil {
		return nil, err
	}
	ref, err := refresh.New(ix, backends)
	if err != nil {
		return nil, err
	}
	if err := ref.LoadAll(ctx); err != nil {
		return nil, err
	}
	det, err := wiring.NewDetector(ctx, wiring.DetectorOptions{Index: ix, Backends: backends, Catalog: cat})
	if err != nil {
		return nil, err
	}
	return &loadedStates{ix: ix, ref: ref, det: det}, nil
}

// memSample is the process's memory after a forced collection.
type memSample struct {
	heapInuse, heapAlloc uint64
	rss, peakRSS         int64 // bytes; -1 when /proc is unavailable
}

// sampleMemory collects garbage twice (finalizers may free more), returns
// freed pages to the OS so RSS shows the live set rather than the parse
// peak, and reads the runtime's and the kernel's view.
func sampleMemory() memSample {
	runtime.GC()
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s := memSample{heapInuse: ms.HeapInuse, heapAlloc: ms.HeapAlloc, rss: -1, peakRSS: -1}
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		s.rss = procStatusKB(b, "VmRSS:") << 10
		s.peakRSS = procStatusKB(b, "VmHWM:") << 10
	}
	return s
}

// procStatusKB reads a "Name:   1234 kB" line of /proc/self/status.
func procStatusKB(status []byte, name string) int64 {
	for _, line := range bytes.Split(status, []byte("\n")) {
		rest, ok := bytes.CutPrefix(line, []byte(name))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) == 0 {
			return -1
		}
		v, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			return -1
		}
		return v
	}
	return -1
}

const mib = 1 << 20

// BenchmarkTenStatesMemory loads ten 10,000-resource states per iteration
// and reports the heap in use and the process RSS with them loaded (after
// a forced GC), and the peak RSS of the process so far.
func BenchmarkTenStatesMemory(b *testing.B) {
	files, size := writeTenStates(b, b.TempDir())
	ctx := context.Background()
	before := sampleMemory()
	var last memSample
	var resources int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ls, err := loadLikeServe(ctx, files)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		last = sampleMemory()
		resources = ls.ix.Len()
		runtime.KeepAlive(ls)
		ls = nil
		runtime.GC()
		b.StartTimer()
	}
	b.StopTimer()
	if want := memStates * memResourcesPerFile; resources != want {
		b.Fatalf("index holds %d resources, want %d", resources, want)
	}
	b.ReportMetric(float64(size)/mib, "state-files-MB")
	b.ReportMetric(float64(last.heapInuse)/mib, "heap-inuse-MB")
	b.ReportMetric(float64(last.heapInuse-min(last.heapInuse, before.heapInuse))/mib, "heap-delta-MB")
	b.ReportMetric(float64(last.rss)/mib, "rss-MB")
	b.ReportMetric(float64(last.peakRSS)/mib, "peak-rss-MB")
}

// TestTenStatesMemoryBound holds ten states of 10,000 resources each and
// fails if the live heap exceeds 500 MB. The Go heap is deterministic for
// a given input; RSS (which also counts the runtime, the binary and the
// race detector's shadow memory under -race) is logged only.
func TestTenStatesMemoryBound(t *testing.T) {
	files, size := writeTenStates(t, t.TempDir())
	ls, err := loadLikeServe(context.Background(), files)
	if err != nil {
		t.Fatal(err)
	}
	s := sampleMemory()
	if want := memStates * memResourcesPerFile; ls.ix.Len() != want {
		t.Fatalf("index holds %d resources, want %d", ls.ix.Len(), want)
	}
	if got := len(ls.ix.Sources()); got != memStates {
		t.Fatalf("index holds %d sources, want %d", got, memStates)
	}
	// An instance of the last state resolves, so the index is really
	// populated and not merely counted.
	if hits := ls.ix.Lookup("aws", "", "aws_instance", "id", memInstanceID(memStates-1, 42)); len(hits) != 1 {
		t.Fatalf("lookup of instance 42 in state %d: %d hits, want 1", memStates-1, len(hits))
	}
	t.Logf("%d states, %.0f MB of state files: heap in use %.0f MB, RSS %.0f MB, peak RSS %.0f MB",
		memStates, float64(size)/mib, float64(s.heapInuse)/mib, float64(s.rss)/mib, float64(s.peakRSS)/mib)
	if s.heapInuse > memBoundBytes {
		t.Errorf("heap in use with %d states of %d resources is %d MB, want under %d MB",
			memStates, memResourcesPerFile, s.heapInuse/mib, memBoundBytes/mib)
	}
	runtime.KeepAlive(ls)
}

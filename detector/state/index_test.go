package state

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/change"
)

var testKeys = KeySpec{
	ByType: map[string][]string{
		"aws_iam_role_policy":     {"role:name"},
		"aws_db_instance":         {"identifier", "port"},
		"aws_s3_bucket":           {"bucket"},
		"google_compute_firewall": {"name", "self_link"},
		"aws_subnet":              {"vpc_id"},
		"aws_instance":            {"id"}, // also a Default: must not be indexed twice
	},
	Default: []string{"id", "arn"},
}

const (
	acctA = "123456789012"
	acctB = "999999999999"
)

// fixtureIndex loads the AWS network state three times (account A, account
// B and unknown account) and the GCP state once.
func fixtureIndex(t testing.TB) *Index {
	t.Helper()
	ix := NewIndex(testKeys)
	ix.now = func() time.Time { return time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC) }
	aws := readTestdata(t, "aws_network.tfstate")
	for _, src := range []Source{
		{Name: "accounts/123/network.tfstate", Account: acctA},
		{Name: "accounts/999/network.tfstate", Account: acctB, Provider: change.AWS},
		{Name: "shared/network.tfstate"},
	} {
		snap, err := Parse(aws, src)
		if err != nil {
			t.Fatal(err)
		}
		ix.Replace(snap)
	}
	snap, err := Parse(readTestdata(t, "gcp_firewall.tfstate"), Source{Name: "gs://s/gcp/prod.tfstate", Workspace: "prod", Provider: change.GCP, Account: "my-project-123"})
	if err != nil {
		t.Fatal(err)
	}
	ix.Replace(snap)
	return ix
}

// hit names one result: source and address.
type hit struct{ Source, Address string }

func hits(rs []*Resource) []hit {
	out := []hit{}
	for _, r := range rs {
		out = append(out, hit{r.Source.Name, r.Address})
	}
	return out
}

func TestLookup(t *testing.T) {
	ix := fixtureIndex(t)
	const (
		a = "accounts/123/network.tfstate"
		b = "accounts/999/network.tfstate"
		s = "shared/network.tfstate"
		g = "gs://s/gcp/prod.tfstate"
	)
	tests := []struct {
		name                    string
		p                       change.Provider
		account, rtype, key, id string
		want                    []hit
	}{
		{"id in account A matches A and the unknown-account source", change.AWS, acctA, "aws_instance", "id", "i-0a1b2c3d4e5f00001",
			[]hit{{a, "aws_instance.workers[0]"}, {s, "aws_instance.workers[0]"}}},
		{"unknown account matches every source, ordered by name", change.AWS, "", "aws_instance", "id", "i-0a1b2c3d4e5f00001",
			[]hit{{a, "aws_instance.workers[0]"}, {b, "aws_instance.workers[0]"}, {s, "aws_instance.workers[0]"}}},
		{"other account matches only the unknown-account source", change.AWS, "555555555555", "aws_instance", "id", "i-0a1b2c3d4e5f00001",
			[]hit{{s, "aws_instance.workers[0]"}}},
		{"empty provider matches any", "", acctB, "aws_instance", "id", "i-0a1b2c3d4e5f00002",
			[]hit{{b, "aws_instance.workers[1]"}, {s, "aws_instance.workers[1]"}}},
		{"arn default key", change.AWS, acctA, "aws_iam_role", "arn", "arn:aws:iam::123456789012:role/app-role",
			[]hit{{a, "aws_iam_role.app_role"}, {s, "aws_iam_role.app_role"}}},
		{"composite key", change.AWS, acctB, "aws_iam_role_policy", "role:name", "app-role:app-policy",
			[]hit{{b, "aws_iam_role_policy.app_policy"}, {s, "aws_iam_role_policy.app_policy"}}},
		{"composite key parts are not keys", change.AWS, acctB, "aws_iam_role_policy", "role", "app-role", []hit{}},
		{"identifier key", change.AWS, acctA, "aws_db_instance", "identifier", "orders-prod",
			[]hit{{a, "aws_db_instance.main"}, {s, "aws_db_instance.main"}}},
		{"numeric key rendered as JSON text", change.AWS, acctA, "aws_db_instance", "port", "5432",
			[]hit{{a, "aws_db_instance.main"}, {s, "aws_db_instance.main"}}},
		{"for_each instance by bucket", change.AWS, acctA, "aws_s3_bucket", "bucket", "acme-logs",
			[]hit{{a, `aws_s3_bucket.b["logs"]`}, {s, `aws_s3_bucket.b["logs"]`}}},
		{"module instance key", change.AWS, acctA, "aws_s3_bucket", "bucket", "acme-prod-data",
			[]hit{{a, `module.env["prod"].aws_s3_bucket.this`}, {s, `module.env["prod"].aws_s3_bucket.this`}}},
		{"several resources under one key", change.AWS, acctA, "aws_subnet", "vpc_id", "vpc-0a1b2c3d4e5f60718",
			[]hit{
				{a, "module.net.module.subnets.aws_subnet.private[0]"}, {a, "module.net.module.subnets.aws_subnet.private[1]"},
				{s, "module.net.module.subnets.aws_subnet.private[0]"}, {s, "module.net.module.subnets.aws_subnet.private[1]"},
			}},
		{"key not configured for the type", change.AWS, acctA, "aws_instance", "bucket", "acme-logs", []hit{}},
		{"wrong type", change.AWS, acctA, "aws_s3_bucket", "id", "i-0a1b2c3d4e5f00001", []hit{}},
		{"deposed objects are not indexed", change.AWS, "", "aws_instance", "id", "i-0deadbeef0000001", []hit{}},
		{"data sources are not indexed", change.AWS, "", "aws_caller_identity", "id", "123456789012", []hit{}},
		{"empty values are not indexed", change.AWS, "", "aws_iam_role_policy", "name_prefix", "", []hit{}},
		{"gcp by name", change.GCP, "my-project-123", "google_compute_firewall", "name", "allow-ssh",
			[]hit{{g, "google_compute_firewall.allow_ssh"}}},
		{"gcp by self_link", change.GCP, "", "google_compute_firewall", "self_link", "https://www.googleapis.com/compute/v1/projects/my-project-123/global/firewalls/allow-ssh",
			[]hit{{g, "google_compute_firewall.allow_ssh"}}},
		{"gcp source does not answer for aws", change.AWS, "", "google_compute_firewall", "name", "allow-ssh", []hit{}},
		{"gcp project scoping", change.GCP, "other-project", "google_compute_firewall", "name", "allow-ssh", []hit{}},
		{"attributes_flat resource by id", change.GCP, "my-project-123", "google_project_iam_member", "id", "my-project-123/roles/viewer/serviceAccount:ci@my-project-123.iam.gserviceaccount.com",
			[]hit{{g, "google_project_iam_member.ci"}}},
		{"resource provider must match", change.GCP, "", "random_id", "id", "q83v", []hit{}},
		{"non-cloud provider by its own name", "random", "", "random_id", "id", "q83v",
			[]hit{{a, "random_id.suffix"}, {s, "random_id.suffix"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ix.Lookup(tt.p, tt.account, tt.rtype, tt.key, tt.id)
			if diff := cmp.Diff(tt.want, hits(got)); diff != "" {
				t.Errorf("Lookup(%q, %q, %q, %q, %q) (-want +got):\n%s", tt.p, tt.account, tt.rtype, tt.key, tt.id, diff)
			}
		})
	}
}

func TestLookupResultCannotCorruptIndex(t *testing.T) {
	ix := fixtureIndex(t)
	got := ix.Lookup(change.AWS, "", "aws_instance", "id", "i-0a1b2c3d4e5f00001")
	_ = append(got, &Resource{Address: "intruder"})
	again := ix.Lookup(change.AWS, "", "aws_instance", "id", "i-0a1b2c3d4e5f00001")
	if len(again) != 3 {
		t.Fatalf("after appending to a result, Lookup returns %d resources, want 3", len(again))
	}
}

func TestByAddressSourcesLen(t *testing.T) {
	ix := fixtureIndex(t)
	tests := []struct {
		source, address string
		want            *hit
	}{
		{"accounts/999/network.tfstate", "aws_instance.workers[1]", &hit{"accounts/999/network.tfstate", "aws_instance.workers[1]"}},
		{"", `module.env["prod"].aws_s3_bucket.this`, &hit{"accounts/123/network.tfstate", `module.env["prod"].aws_s3_bucket.this`}},
		{"", "google_storage_bucket.artifacts", &hit{"gs://s/gcp/prod.tfstate", "google_storage_bucket.artifacts"}},
		{"gs://s/gcp/prod.tfstate", "aws_instance.workers[1]", nil},
		{"", "data.aws_caller_identity.current", nil},
		{"nope", "aws_instance.workers[1]", nil},
	}
	for _, tt := range tests {
		var got *hit
		if r := ix.ByAddress(tt.source, tt.address); r != nil {
			got = &hit{r.Source.Name, r.Address}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ByAddress(%q, %q) (-want +got):\n%s", tt.source, tt.address, diff)
		}
	}

	loaded := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	net := func(name, account string, p change.Provider) SourceInfo {
		return SourceInfo{Name: name, Workspace: "default", Provider: p, Account: account, Serial: 42,
			Lineage: "3f6c1d2e-8a4b-4c1e-9d7a-5b2f0e6a9c13", TerraformVersion: "1.5.7", Resources: 13, LoadedAt: loaded}
	}
	want := []SourceInfo{
		net("accounts/123/network.tfstate", acctA, ""),
		net("accounts/999/network.tfstate", acctB, change.AWS),
		{Name: "gs://s/gcp/prod.tfstate", Workspace: "prod", Provider: change.GCP, Account: "my-project-123", Serial: 7,
			Lineage: "b7e3c0a4-2f1d-4b8e-a6c5-0d9e8f7a6b51", TerraformVersion: "1.6.6", Resources: 3, LoadedAt: loaded},
		net("shared/network.tfstate", "", ""),
	}
	if diff := cmp.Diff(want, ix.Sources()); diff != "" {
		t.Errorf("Sources (-want +got):\n%s", diff)
	}
	if got := ix.Len(); got != 13*3+3 {
		t.Errorf("Len = %d, want %d", got, 13*3+3)
	}
}

// snapshotOf builds a state document with the given instance IDs.
func snapshotOf(t testing.TB, src Source, serial int, ids ...string) *Snapshot {
	t.Helper()
	var insts []string
	for i, id := range ids {
		insts = append(insts, fmt.Sprintf(`{"index_key":%d,"attributes":{"id":%q,"arn":"arn:%s"}}`, i, id, id))
	}
	doc := fmt.Sprintf(`{"version":4,"serial":%d,"resources":[{"mode":"managed","type":"aws_instance","name":"w",`+
		`"provider":"provider[\"registry.terraform.io/hashicorp/aws\"]","instances":[%s]}]}`, serial, strings.Join(insts, ","))
	snap, err := Parse([]byte(doc), src)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func TestReplaceAndRemove(t *testing.T) {
	ix := NewIndex(KeySpec{Default: []string{"id", "arn"}})
	src := Source{Name: "a.tfstate", Account: acctA}
	other := Source{Name: "a.tfstate", Workspace: "staging", Account: acctA}
	ix.Replace(snapshotOf(t, src, 1, "i-1", "i-2"))
	ix.Replace(snapshotOf(t, other, 1, "i-2"))
	ix.Replace(snapshotOf(t, src, 2, "i-2", "i-3"))

	look := func(id string) []string {
		var out []string
		for _, r := range ix.Lookup(change.AWS, acctA, "aws_instance", "id", id) {
			out = append(out, fmt.Sprintf("%s/%s/%d %s", r.Source.Name, r.Source.Workspace, ix.serialOf(r), r.Address))
		}
		return out
	}
	tests := []struct {
		step string
		do   func()
		want map[string][]string
		len  int
		// postings counts distinct (type, key, value) lists; i-2 in
		// both workspaces shares its lists.
		postings int
	}{
		{
			step: "after replacing serial 1 with 2",
			do:   func() {},
			want: map[string][]string{
				"i-1": nil,
				"i-2": {"a.tfstate/default/2 aws_instance.w[0]", "a.tfstate/staging/1 aws_instance.w[0]"},
				"i-3": {"a.tfstate/default/2 aws_instance.w[1]"},
			},
			len:      3,
			postings: 4,
		},
		{
			step:     "after removing the default workspace",
			do:       func() { ix.Remove("a.tfstate", "") },
			want:     map[string][]string{"i-1": nil, "i-2": {"a.tfstate/staging/1 aws_instance.w[0]"}, "i-3": nil},
			len:      1,
			postings: 2,
		},
		{
			step:     "removing an unknown source changes nothing",
			do:       func() { ix.Remove("b.tfstate", "default") },
			want:     map[string][]string{"i-1": nil, "i-2": {"a.tfstate/staging/1 aws_instance.w[0]"}, "i-3": nil},
			len:      1,
			postings: 2,
		},
		{
			step: "after replacing with an empty state",
			do:   func() { ix.Replace(snapshotOf(t, other, 2)) },
			want: map[string][]string{"i-1": nil, "i-2": nil, "i-3": nil},
			len:  0,
		},
		{
			step: "nil snapshot is ignored",
			do:   func() { ix.Replace(nil) },
			want: map[string][]string{"i-1": nil, "i-2": nil, "i-3": nil},
			len:  0,
		},
	}
	for _, tt := range tests {
		tt.do()
		got := map[string][]string{}
		for id := range tt.want {
			got[id] = look(id)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: lookups (-want +got):\n%s", tt.step, diff)
		}
		if ix.Len() != tt.len {
			t.Errorf("%s: Len = %d, want %d", tt.step, ix.Len(), tt.len)
		}
		for _, tbl := range ix.tables {
			if n := len(tbl.postings); n != tt.postings {
				t.Errorf("%s: %d posting lists left, want %d", tt.step, n, tt.postings)
			}
		}
	}
}

// serialOf is a test helper: the serial of the snapshot a resource came
// from.
func (ix *Index) serialOf(r *Resource) int64 {
	for _, s := range ix.tables[ix.active.Load()].sources {
		if &s.snap.Source == r.Source {
			return s.snap.Serial
		}
	}
	return -1
}

func TestReplaceHandBuiltSnapshot(t *testing.T) {
	r, err := NewResource(Resource{Type: "aws_s3_bucket", Name: "b", ProviderAddr: awsProv}, []byte(`{"bucket":"x","id":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	ix := NewIndex(KeySpec{ByType: map[string][]string{"aws_s3_bucket": {"bucket"}}})
	snap := &Snapshot{Source: Source{Name: "plan.json"}, Resources: []*Resource{r}}
	ix.Replace(snap)
	got := ix.Lookup(change.AWS, acctA, "aws_s3_bucket", "bucket", "x")
	if diff := cmp.Diff([]hit{{"plan.json", "aws_s3_bucket.b"}}, hits(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if r.Source != &snap.Source || snap.Source.Workspace != "default" {
		t.Errorf("Replace did not adopt the resource: Source=%p want %p, workspace %q", r.Source, &snap.Source, snap.Source.Workspace)
	}
}

// TestReplaceConcurrentReaders runs readers against a source that is
// replaced over and over. Every snapshot holds the resource "i-stable", so
// a reader must always find exactly one: never none (a gap while the source
// is swapped) and never two (old and new at once). Run it with -race.
func TestReplaceConcurrentReaders(t *testing.T) {
	ix := NewIndex(KeySpec{Default: []string{"id", "arn"}})
	src := Source{Name: "live.tfstate", Account: acctA}
	const writes = 1000
	snaps := make([]*Snapshot, writes)
	for i := range snaps {
		snaps[i] = snapshotOf(t, src, i, "i-stable", fmt.Sprintf("i-gen-%d", i), "i-other")
	}
	ix.Replace(snaps[0])

	var stop atomic.Bool
	var wg sync.WaitGroup
	var failures atomic.Int64
	var reads atomic.Int64
	fail := func(format string, args ...any) {
		if failures.Add(1) <= 5 {
			t.Errorf(format, args...)
		}
	}
	for range 4 {
		wg.Go(func() {
			for !stop.Load() {
				reads.Add(1)
				got := ix.Lookup(change.AWS, acctA, "aws_instance", "id", "i-stable")
				if len(got) != 1 {
					fail("Lookup(i-stable) returned %d resources, want 1", len(got))
					continue
				}
				if a := ix.Lookup(change.AWS, acctA, "aws_instance", "arn", "arn:i-stable"); len(a) != 1 {
					fail("Lookup(arn:i-stable) returned %d resources, want 1", len(a))
				}
				if r := ix.ByAddress("live.tfstate", "aws_instance.w[2]"); r == nil || r.ID != "i-other" {
					fail("ByAddress(aws_instance.w[2]) = %v, want i-other", r)
				}
				if n := ix.Len(); n != 3 {
					fail("Len = %d, want 3", n)
				}
				if s := ix.Sources(); len(s) != 1 || s[0].Resources != 3 {
					fail("Sources = %+v, want one source of 3 resources", s)
				}
				// Real readers do other work between lookups. Readers that
				// never leave the index would make each write wait for
				// the scheduler to cycle every preempted one out.
				runtime.Gosched()
			}
		})
	}
	for _, s := range snaps[1:] {
		ix.Replace(s)
	}
	stop.Store(true)
	wg.Wait()

	if got := ix.Lookup(change.AWS, acctA, "aws_instance", "id", fmt.Sprintf("i-gen-%d", writes-1)); len(got) != 1 {
		t.Errorf("newest snapshot's resource: %d results, want 1", len(got))
	}
	if got := ix.Lookup(change.AWS, acctA, "aws_instance", "id", "i-gen-0"); len(got) != 0 {
		t.Errorf("first snapshot's resource still indexed")
	}
	if reads.Load() == 0 {
		t.Error("readers never ran")
	}
}

func TestKeyPlan(t *testing.T) {
	p := newKeyPlan([]string{"role:name", "id", "name", "", "id", "arn"})
	type view struct {
		Fields []string
		IDAt   int
		Keys   []string
		Parts  [][]int
	}
	got := view{Fields: p.fields, IDAt: p.idAt}
	for _, k := range p.keys {
		got.Keys = append(got.Keys, k.name)
		got.Parts = append(got.Parts, k.parts)
	}
	want := view{
		Fields: []string{"role", "name", "id", "arn"},
		IDAt:   2,
		Keys:   []string{"role:name", "id", "name", "arn"},
		Parts:  [][]int{{0, 1}, {2}, {1}, {3}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("keyPlan (-want +got):\n%s", diff)
	}
}

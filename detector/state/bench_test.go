package state

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/state/internal/benchstate"
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

// BenchmarkParseIndex100k loads a 100,000-instance state from disk into a
// fresh Index, the work a refresh does for a large state. Targets: under
// 2 s per op on one core, and heap held by the loaded index under 3× the
// file size. Run with GOMAXPROCS=1.
//
// heapMB is the live heap after a GC with the index loaded, minus the
// live heap before loading: what a loaded state costs the daemon. The file
// bytes themselves are garbage once Parse returns.
func BenchmarkParseIndex100k(b *testing.B) {
	benchParseIndex100k(b, func(ctx context.Context, backend *LocalBackend) (*Snapshot, error) {
		// The whole file, then Parse: Load would stream it.
		data, _, err := backend.Fetch(ctx, "")
		if err != nil {
			return nil, err
		}
		return Parse(data, backend.Source())
	})
}

// BenchmarkParseIndex100kStream is BenchmarkParseIndex100k parsing the
// file as it is read (LoadStream, what a refresh of a local, S3 or GCS
// state does), instead of reading it whole and then parsing it.
func BenchmarkParseIndex100kStream(b *testing.B) {
	benchParseIndex100k(b, func(ctx context.Context, backend *LocalBackend) (*Snapshot, error) {
		snap, _, _, err := LoadStream(ctx, backend, "", nil)
		return snap, err
	})
}

func benchParseIndex100k(b *testing.B, load func(context.Context, *LocalBackend) (*Snapshot, error)) {
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
		snap, err := load(ctx, backend)
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
	if err := benchstate.Write(&sb, 20_000); err != nil {
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
	if err := benchstate.Write(&sb, 20_000); err != nil {
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
	if err := benchstate.Write(&sb, 200); err != nil {
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
	if err := benchstate.Write(f, 100_000); err != nil {
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

package reconcile

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/app/store/storetest"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
)

// BenchmarkHonourIgnores is the pipeline's recording of a new drift on
// SQLite through HonourIgnores, on a resource with three ignores that do
// not match (the look-up, the hash of each value, then the record), with
// the bare RecordDrift of as many other new drifts timed in the same run
// as its baseline (x-baseline is the hook's cost as a ratio).
func BenchmarkHonourIgnores(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, storetest.SQLite(b))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	mk := func(prefix string, i int) *drift.Drift {
		d := &drift.Drift{ChangeType: drift.Modified, ResourceType: "aws_security_group", ResourceAddress: "aws_security_group.web",
			ResourceID: "sg-1", Severity: drift.High, Event: &change.Change{Provider: change.AWS, Account: "123456789012"},
			Terraform: drift.Location{State: "prod.tfstate", Workspace: "default"},
			Changes: map[string]drift.AttrChange{
				"ingress": {Actual: []any{map[string]any{"from_port": 22, "cidr_blocks": []any{"0.0.0.0/0"}, "description": fmt.Sprint(prefix, i)}}},
				"tags":    {Actual: map[string]any{"Name": "web", "Owner": fmt.Sprint(prefix, i)}},
			}}
		d.ComputeFingerprint()
		return d
	}
	key := ticket.ResourceKey(mk("x", 0))
	for i, a := range []string{"ingress", "tags", "description"} {
		if err := st.AddIgnores(ctx, store.Ignore{ResourceKey: key, Attribute: a, ValueHash: ValueHash(fmt.Sprint("ignored-", i))}); err != nil {
			b.Fatal(err)
		}
	}
	hook := HonourIgnores(st, st, nil)
	hooked, bare := make([]*drift.Drift, b.N), make([]*drift.Drift, b.N)
	for i := range b.N {
		hooked[i], bare[i] = mk("h", i), mk("b", i)
	}
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if _, opened, err := hook.RecordDrift(ctx, hooked[i], nil); err != nil || !opened {
			b.Fatalf("hook: opened %v, %v", opened, err)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	t0 := time.Now()
	for i := range b.N {
		if _, _, err := st.RecordDrift(ctx, bare[i], nil); err != nil {
			b.Fatal(err)
		}
	}
	base := time.Since(t0)
	b.ReportMetric(float64(base.Nanoseconds())/float64(b.N), "baseline-ns/op")
	if base > 0 {
		b.ReportMetric(float64(elapsed)/float64(base), "x-baseline")
	}
}

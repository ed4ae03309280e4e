package serve

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/tfdrift/tfdrift/app/daemon"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
)

// BenchmarkRecordDriftWithApp is what the App's recorder hook (stored
// ignores looked up, an opened drift read back for the Reconciler) adds
// to recording a drift: "store" is the store's RecordDrift alone, the
// baseline; "app" the same through the hook. Each drift opens a record.
func BenchmarkRecordDriftWithApp(b *testing.B) {
	for _, name := range []string{"store", "app"} {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			st, err := store.Open(ctx, "sqlite://"+filepath.Join(b.TempDir(), "b.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			var rec daemon.Recorder = st
			if name == "app" {
				a := &appReconciler{st: st, log: slog.New(slog.DiscardHandler), jobs: make(chan reconcileJob, 1), branches: map[string]bool{}}
				rec = a.recorder(st, nil)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				d := &drift.Drift{ChangeType: drift.Modified, ResourceType: "aws_instance", ResourceAddress: fmt.Sprintf("aws_instance.w[%d]", i),
					ResourceID: fmt.Sprintf("i-%d", i), Severity: drift.High,
					Changes:   map[string]drift.AttrChange{"instance_type": {Expected: "t3.micro", Actual: "t3.large"}},
					Event:     &change.Change{Provider: change.AWS, Account: "1", EventID: fmt.Sprintf("e%d", i)},
					Terraform: drift.Location{State: "prod", Workspace: "default"}}
				d.ComputeEventID()
				d.ComputeFingerprint()
				if _, opened, err := rec.RecordDrift(ctx, d, nil); err != nil || !opened {
					b.Fatalf("RecordDrift: %v %v", opened, err)
				}
			}
		})
	}
}

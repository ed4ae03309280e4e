package drifts_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tfdrift/tfdrift/app/drifts"
	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
)

// `drifts resolve` queues resolve notices that say who resolved the drift
// and why: the GitHub issue closes with that comment.
func TestResolveNoticesCarryTheReason(t *testing.T) {
	tests := []struct {
		name, actor, note string
		want              string
	}{
		{"with a note", "alice", "  fixed in the console ", "resolved by alice: fixed in the console"},
		{"without a note", "bob", "", "resolved by bob"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			db := "sqlite://" + filepath.Join(dir, "tfdrift.db")
			st, err := store.Open(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			d := &drift.Drift{ChangeType: drift.Modified, ResourceType: "aws_instance", ResourceID: "i-1", ResourceAddress: "aws_instance.app",
				Changes:  map[string]drift.AttrChange{"instance_type": {Expected: "t3.micro", Actual: "m5.large"}},
				Severity: drift.High, Event: &change.Change{Provider: change.AWS, EventID: "e1", Actor: change.Actor{UserName: "dev"}},
				Terraform: drift.Location{State: "terraform.tfstate"}}
			d.ComputeFingerprint()
			d.ComputeEventID()
			if _, _, err := st.RecordDrift(ctx, d, nil); err != nil {
				t.Fatal(err)
			}
			st.Close()
			cfg := filepath.Join(dir, "tfdrift.yaml")
			if err := os.WriteFile(cfg, []byte("notifications:\n  pagerduty:\n    routing_key: R0UTINGKEY0123456789ABCDEF012345\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			var out, errb bytes.Buffer
			err = drifts.Run(ctx, job.Env{Stdout: &out, Stderr: &errb}, drifts.Args{Verb: "resolve", Database: db, ConfigFile: cfg,
				Actor: tt.actor, Note: tt.note, Fingerprints: []string{d.Fingerprint}})
			if err != nil {
				t.Fatalf("drifts resolve: %v\n%s%s", err, out.String(), errb.String())
			}
			st, err = store.Open(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			ns, err := st.ListNotices(ctx, store.NoticeFilter{Fingerprint: d.Fingerprint})
			if err != nil || len(ns) != 1 {
				t.Fatalf("notices: %+v, %v; want the one resolve notice", ns, err)
			}
			n, err := ticket.DecodeNotice(ns[0].Payload)
			if err != nil {
				t.Fatal(err)
			}
			if n.Kind != ticket.KindResolved || n.Reason != tt.want {
				t.Errorf("notice %s with reason %q, want resolved with %q", n.Kind, n.Reason, tt.want)
			}
		})
	}
}

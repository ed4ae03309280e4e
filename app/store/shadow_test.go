package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector"
	"github.com/tfdrift/tfdrift/detector/shadowtest"
)

// TestShadowConformance runs the detector's Shadow contract against the
// store on both engines, a fresh database per case.
func TestShadowConformance(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			shadowtest.Run(t, func(t *testing.T) detector.Shadow { return open(t, e.dsn(t), nil).Shadow() })
		})
	}
}

// TestShadowOutlivesTheProcess: what one store handle learnt, a handle
// opened later on the same database (serve restarted) and a handle open
// at the same time (a second replica) see; a Drop by one is seen by all.
func TestShadowOutlivesTheProcess(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		// NUL and invalid UTF-8 in an address must round-trip too (a
		// for_each key can hold anything).
		web := detector.ShadowRef{Source: "s3://state/prod.tfstate", Workspace: "default", Address: "aws_security_group.web[\"a\x00b\"]"}
		first, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		if err := first.Shadow().Put(ctx, web, 7, map[string]json.RawMessage{
			"ingress": json.RawMessage(`[{"from_port":22,"cidr_blocks":["0.0.0.0/0"]}]`),
			"tags":    json.RawMessage(`{"Owner":"alice"}`),
		}); err != nil {
			t.Fatal(err)
		}
		if err := first.Close(); err != nil {
			t.Fatal(err)
		}

		restarted := open(t, dsn, nil)
		replica := open(t, dsn, nil)
		for name, st := range map[string]store.Store{"restarted": restarted, "replica": replica} {
			got, err := st.Shadow().Get(ctx, web, 7)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || string(got["tags"]) != `{"Owner":"alice"}` {
				t.Errorf("%s: Get = %s", name, got)
			}
		}
		if err := replica.Shadow().Put(ctx, web, 7, map[string]json.RawMessage{"tags": nil}); err != nil {
			t.Fatal(err)
		}
		if got, _ := restarted.Shadow().Get(ctx, web, 7); len(got) != 1 {
			t.Errorf("a value the replica forgot is still seen: %s", got)
		}
		if err := restarted.Shadow().Drop(ctx, web.Source, web.Workspace, 8); err != nil {
			t.Fatal(err)
		}
		if got, _ := replica.Shadow().Get(ctx, web, 0); len(got) != 0 {
			t.Errorf("after Drop the replica still sees %s", got)
		}
	})
}

// TestShadowRefusesWhatIsNotJSON: a value that is not one JSON document
// is refused on both engines alike, and nothing of the Put is kept.
func TestShadowRefusesWhatIsNotJSON(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		sh := open(t, dsn, nil).Shadow()
		ref := detector.ShadowRef{Source: "prod.tfstate", Workspace: "default", Address: "aws_instance.a"}
		for _, bad := range []string{`{"a":`, `1 2`, "\"\xff\""} {
			err := sh.Put(ctx, ref, 1, map[string]json.RawMessage{"ok": json.RawMessage(`1`), "bad": json.RawMessage(bad)})
			if err == nil {
				t.Errorf("Put(%q) accepted it", bad)
			}
		}
		if got, err := sh.Get(ctx, ref, 1); err != nil || len(got) != 0 {
			t.Errorf("after refused puts Get = %s, %v", got, err)
		}
		closed, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		closed.Close()
		if _, err := closed.Shadow().Get(ctx, ref, 1); err == nil || errors.Is(err, context.Canceled) {
			t.Errorf("Get on a closed store: %v, want an error", err)
		}
	})
}

package refresh

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/state"
)

// store is a fake bucket with Terraform's layout for one backend type.
type store struct {
	name string
	// open starts the fake and returns a function that writes a
	// workspace's state object and one that lists the workspaces and
	// returns a backend for each, the way the daemon builds its sources.
	open func(t *testing.T) (put func(ws string, data []byte), sources func() []state.Backend)
	// source is the state name the backends report.
	source string
}

var stores = []store{
	{
		name:   "s3",
		source: "s3://tfstate/app/terraform.tfstate",
		open: func(t *testing.T) (func(string, []byte), func() []state.Backend) {
			fake := newS3Fake(t)
			put := func(ws string, data []byte) {
				key := "app/terraform.tfstate"
				if ws != state.DefaultWorkspace {
					key = "env:/" + ws + "/" + key
				}
				fake.put(t, key, data)
			}
			sources := func() []state.Backend {
				base := fake.backend(t, "app/terraform.tfstate")
				wss, err := base.Workspaces(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				var out []state.Backend
				for _, ws := range wss {
					out = append(out, base.ForWorkspace(ws))
				}
				return out
			}
			return put, sources
		},
	},
	{
		name:   "gcs",
		source: "gs://tfstate/app",
		open: func(t *testing.T) (func(string, []byte), func() []state.Backend) {
			fake := newGCSFake(t)
			put := func(ws string, data []byte) { fake.put("app/"+ws+".tfstate", data) }
			sources := func() []state.Backend {
				base := fake.backend(t, "app")
				wss, err := base.Workspaces(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				var out []state.Backend
				for _, ws := range wss {
					out = append(out, base.ForWorkspace(ws))
				}
				return out
			}
			return put, sources
		},
	},
}

// Workspaces are listed and loaded; a corrupt object keeps the last good
// snapshot and is reported; a new object is loaded on Nudge.
func TestBackendNudge(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			put, sources := st.open(t)
			put("default", stateJSON(1, "d1", 1))
			put("prod", stateJSON(5, "p5", 2))
			put("staging", stateJSON(7, "s7", 3))
			r, ix, alerts := newRunRefresher(t, sources(), WithInterval(time.Hour), WithNudgeFollowUps())
			if err := r.LoadAll(context.Background()); err != nil {
				t.Fatal(err)
			}
			serials := func() map[string]int64 {
				out := map[string]int64{}
				for _, s := range ix.Sources() {
					out[s.Name+"#"+s.Workspace] = s.Serial
				}
				return out
			}
			want := map[string]int64{st.source + "#default": 1, st.source + "#prod": 5, st.source + "#staging": 7}
			if diff := cmp.Diff(want, serials()); diff != "" {
				t.Fatalf("loaded serials (-want +got):\n%s", diff)
			}
			runRefresher(t, r)

			put("prod", []byte(corrupt))
			r.Nudge(st.source)
			waitFor(t, "the alert", func() bool { return len(alerts.get()) == 1 })
			wantPrefix := st.source + "[prod]: state " + st.source + " (workspace prod): parse: invalid JSON"
			if got := alerts.get()[0]; !strings.HasPrefix(got, wantPrefix) {
				t.Errorf("alert %q, want it to start %q", got, wantPrefix)
			}
			if diff := cmp.Diff(want, serials()); diff != "" {
				t.Errorf("serials after a corrupt write (-want +got):\n%s", diff)
			}
			if s := r.Status()[1]; s.Workspace != "prod" || s.Healthy || s.Serial != 5 || !strings.Contains(s.LastError, "parse: invalid JSON") {
				t.Errorf("prod's status = %+v, want unhealthy at serial 5 with the parse error", s)
			}

			put("prod", stateJSON(6, "p6", 2))
			put("staging", stateJSON(8, "s8", 3))
			r.Nudge(st.source)
			want[st.source+"#prod"], want[st.source+"#staging"] = 6, 8
			waitFor(t, "the new states", func() bool { return cmp.Equal(want, serials()) })
			rs := ix.Lookup("", "", "terraform_data", "id", "id-1")
			if len(rs) != 2 || rs[0].Source.Workspace != "prod" || rs[1].Source.Workspace != "staging" {
				t.Fatalf("Lookup(id-1) = %v, want prod's and staging's", rs)
			}
			for _, s := range r.Status() {
				if !s.Healthy {
					t.Errorf("%s not healthy: %+v", s.Workspace, s)
				}
			}
		})
	}
}

// A write is picked up by the next poll, without a nudge.
func TestBackendPoll(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			put, sources := st.open(t)
			put("default", stateJSON(1, "v1", 1))
			r, ix, _ := newRunRefresher(t, sources(), WithInterval(5*time.Millisecond))
			runRefresher(t, r)
			waitFor(t, "the first load", r.Ready)
			put("default", stateJSON(2, "v2", 1))
			waitFor(t, "the new state", func() bool { return serialOf(ix, st.source, "default") == 2 })
			if got := inputOf(t, ix, st.source, "terraform_data.x0"); got != "v2" {
				t.Errorf("input %q, want v2", got)
			}
		})
	}
}

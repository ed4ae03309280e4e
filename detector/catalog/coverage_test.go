package catalog

import (
	"slices"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/detector/change"
)

// TestCoverageOfEveryTargetType: every type some entry writes is covered,
// by exactly the events whose targets name it, with their operations; it
// is changed in place when one of them modifies it.
func TestCoverageOfEveryTargetType(t *testing.T) {
	cat := Default()
	want := map[string]map[string][]Op{} // type → "provider service event" → ops
	var uses []TypeUse
	for _, e := range cat.Entries() {
		for _, tg := range e.Targets {
			if want[tg.Type] == nil {
				want[tg.Type] = map[string][]Op{}
				uses = append(uses, TypeUse{Type: tg.Type, Instances: 1})
			}
			k := string(e.Provider) + " " + e.Service + " " + e.Event
			if !slices.Contains(want[tg.Type][k], tg.Op) {
				want[tg.Type][k] = append(want[tg.Type][k], tg.Op)
			}
		}
	}
	cov := cat.Coverage(uses)
	if len(cov) != len(want) {
		t.Fatalf("%d types covered, want %d", len(cov), len(want))
	}
	for _, tc := range cov {
		w := want[tc.Type]
		if !tc.Audited() || !tc.Covered() || len(tc.Events) != len(w) {
			t.Errorf("%s: audited %v, %d events, want %d", tc.Type, tc.Audited(), len(tc.Events), len(w))
			continue
		}
		inPlace := false
		for _, ev := range tc.Events {
			ops := w[string(ev.Provider)+" "+ev.Service+" "+ev.Event]
			if len(ops) != len(ev.Ops) {
				t.Errorf("%s %s: ops %v, want %v", tc.Type, ev.Event, ev.Ops, ops)
			}
			for _, o := range ops {
				inPlace = inPlace || o == Modify
				if !slices.Contains(ev.Ops, o) {
					t.Errorf("%s %s: ops %v lack %s", tc.Type, ev.Event, ev.Ops, o)
				}
			}
			if !slices.IsSortedFunc(ev.Ops, func(a, b Op) int { return opOrder(a) - opOrder(b) }) {
				t.Errorf("%s %s: ops %v not in create, modify, delete order", tc.Type, ev.Event, ev.Ops)
			}
		}
		if tc.InPlace() != inPlace {
			t.Errorf("%s: InPlace %v, want %v", tc.Type, tc.InPlace(), inPlace)
		}
	}
}

// TestCoverageMergesAndClassifies: uses of one type from several states
// add up; the provider comes from the type's prefix when state gave none;
// a type no entry writes is uncovered; other providers are not audited.
func TestCoverageMergesAndClassifies(t *testing.T) {
	cov := Default().Coverage([]TypeUse{
		{Type: "aws_security_group", Provider: change.AWS, Instances: 2},
		{Type: "aws_security_group", Instances: 3},
		{Type: "aws_cloudwatch_log_stream", Provider: change.AWS, Instances: 1},
		{Type: "random_id", Provider: "random", Instances: 1},
		{Type: "null_resource", Instances: 1},
	})
	got := map[string]TypeCoverage{}
	var order []string
	for _, tc := range cov {
		got[tc.Type] = tc
		order = append(order, tc.Type)
	}
	if !slices.IsSorted(order) || len(order) != 4 {
		t.Errorf("types %v: want 4, sorted", order)
	}
	if sg := got["aws_security_group"]; sg.Instances != 5 || !sg.Covered() || !sg.InPlace() {
		t.Errorf("aws_security_group: %d instances, covered %v", sg.Instances, sg.Covered())
	}
	if ls := got["aws_cloudwatch_log_stream"]; !ls.Audited() || ls.Covered() {
		t.Errorf("aws_cloudwatch_log_stream: audited %v covered %v", ls.Audited(), ls.Covered())
	}
	if n := got["null_resource"]; n.Audited() || n.Provider != "null" {
		t.Errorf("null_resource: provider %q audited %v", n.Provider, n.Audited())
	}
	var b strings.Builder
	if err := WriteCoverage(&b, []string{"a.tfstate", "b.tfstate"}, cov); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"Real-time coverage of 2 states: 4 resource types (8 instances)",
		"aws_cloudwatch_log_stream (1 instance): " + NoCoverage,
		"null_resource (1 instance): not in a cloud's audit log (provider null): nothing to watch",
		"No real-time coverage (run `tfdrift check` on a schedule for these): aws_cloudwatch_log_stream",
	} {
		if !strings.Contains(b.String(), line+"\n") {
			t.Errorf("report lacks %q:\n%s", line, b.String())
		}
	}
	for _, l := range strings.Split(b.String(), "\n") {
		if len(l) > 100 {
			t.Errorf("line over 100 columns: %q", l)
		}
	}
}

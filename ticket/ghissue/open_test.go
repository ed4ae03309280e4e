package ghissue_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/ghissue"
)

// OpenDrifts lists one state's resources with an open drift, own issue or
// overflow entry, with what a resolution needs; sent back as
// resolutions, they close every one of them.
func TestOpenDriftsOfOneState(t *testing.T) {
	f := newFixture(t, fixtureOptions{target: func(tg *ghissue.Target) { tg.MaxOpen = 3 }})
	for i := range 4 { // sg_3 goes to the overflow issue
		f.send(t, notice(ticket.KindDrift, sgDrift(i, t0.Add(time.Duration(i)*time.Minute), drift.High, 22)))
	}
	other := sgDrift(9, t0, drift.Low, 22) // another state, a longer name with this one's as its prefix
	other.Terraform.State += "/more"
	odd := sgDrift(8, t0, drift.Low, 22) // an address that needs escaping, in another workspace
	odd.ResourceAddress = `module.a["x/y z"].aws_security_group.sg`
	odd.Terraform.Workspace = "staging"
	for _, d := range []*drift.Drift{other, odd} {
		d.ComputeFingerprint()
		f.send(t, notice(ticket.KindDrift, d))
	}
	f.repo.CreateIssueAs("alice", "copied", "<!-- tfdrift:resource=s3://tf/prod.tfstate/aws_security_group.fake -->", "tfdrift")

	got, err := f.sink.OpenDrifts(ctxT(t), f.target, "s3://tf/prod.tfstate", "")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, o := range got {
		lines = append(lines, fmt.Sprintf("#%d %s %s %s %s", o.Issue, o.Drift.ResourceAddress, o.Drift.Severity,
			o.Drift.DetectedAt.Format(time.TimeOnly), ghissue.ResourceID(o.Drift)))
	}
	want := []string{
		"#1 aws_security_group.sg_0 high 14:00:00 s3://tf/prod.tfstate/aws_security_group.sg_0",
		"#2 aws_security_group.sg_1 high 14:01:00 s3://tf/prod.tfstate/aws_security_group.sg_1",
		"#3 aws_security_group.sg_2 high 14:02:00 s3://tf/prod.tfstate/aws_security_group.sg_2",
		"#0 aws_security_group.sg_3 high 14:03:00 s3://tf/prod.tfstate/aws_security_group.sg_3",
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("open drifts (-want +got):\n%s", diff)
	}
	staging, err := f.sink.OpenDrifts(ctxT(t), f.target, "s3://tf/prod.tfstate", "staging")
	if err != nil {
		t.Fatal(err)
	}
	if len(staging) != 1 || staging[0].Drift.ResourceAddress != odd.ResourceAddress {
		t.Errorf("the staging workspace's open drifts: %+v", staging)
	}

	for _, o := range got {
		f.send(t, notice(ticket.KindResolved, o.Drift))
	}
	for _, is := range f.openIssues() {
		switch {
		case is.Title == ghissue.OverflowTitle: // still lists the other state's and workspace's drifts
			if strings.Contains(is.Body, "sg_3") || !strings.Contains(is.Body, "sg_9") {
				t.Errorf("the overflow issue after sg_3's resolution:\n%s", is.Body)
			}
		case is.Number <= 3:
			t.Errorf("still open after its resolution: #%d %s", is.Number, is.Title)
		}
	}
	if again, err := f.sink.OpenDrifts(ctxT(t), f.target, "s3://tf/prod.tfstate", "default"); err != nil || len(again) != 0 {
		t.Errorf("after the resolutions: %+v %v", again, err)
	}
}

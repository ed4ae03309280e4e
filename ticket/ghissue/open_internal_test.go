package ghissue

import (
	"testing"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// FuzzDriftOfID: a marker's resource ID (read from an issue body, which
// anyone with write access may edit) never panics; a resource's own ID
// gives back its address exactly, and only in its own state and
// workspace.
func FuzzDriftOfID(f *testing.F) {
	for _, s := range [][3]string{
		{"s3://tf/prod.tfstate", "default", "aws_instance.web"},
		{"s3://tf/prod.tfstate", "staging", `module.a["x/y z"].aws_security_group.sg`},
		{"gs://b/p#1", "", "aws_s3_bucket.b[\"%41\"]"},
		{"", "", ""},
	} {
		f.Add(s[0], s[1], s[2], "s3://tf/prod.tfstate/aws_instance.web")
	}
	f.Fuzz(func(t *testing.T, state, workspace, addr, id string) {
		if d, ok := driftOfID(id, state, workspace); ok && ResourceID(d) != id {
			t.Fatalf("driftOfID(%q) = %q, whose ID is %q", id, d.ResourceAddress, ResourceID(d))
		}
		if addr == "" {
			return
		}
		ws := workspace
		if ws == "" {
			ws = "default"
		}
		d := &drift.Drift{ResourceAddress: addr, Terraform: drift.Location{State: state, Workspace: ws}}
		got, ok := driftOfID(ResourceID(d), state, workspace)
		if !ok || got.ResourceAddress != addr {
			t.Fatalf("the ID of %q in %q/%q read back as %v %v", addr, state, ws, got, ok)
		}
		if _, ok := driftOfID(ResourceID(d), state+"/x", workspace); ok {
			t.Fatalf("the ID of %q in %q read as one of state %q", addr, state, state+"/x")
		}
	})
}

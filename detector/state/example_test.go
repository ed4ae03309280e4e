package state_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/state"
)

// A detector loads each state source once, keeps it in an Index and asks
// the index which resource an event's identifier names.
func ExampleIndex_Lookup() {
	ix := state.NewIndex(state.KeySpec{
		ByType:  map[string][]string{"aws_iam_role_policy": {"role:name"}},
		Default: []string{"id", "arn"},
	})
	backend := state.NewLocal("testdata/aws_network.tfstate", state.Source{Account: "123456789012"})
	snap, version, err := state.Load(context.Background(), backend)
	if err != nil {
		log.Fatal(err)
	}
	ix.Replace(snap)

	// A PutRolePolicy event names the role and the policy.
	for _, r := range ix.Lookup(change.AWS, "123456789012", "aws_iam_role_policy", "role:name", "app-role:app-policy") {
		attrs, err := r.Attributes()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r.Address, "in", r.Source.Name)
		fmt.Println("policy in state:", attrs["policy"])
	}

	// Polling: nothing to do while the file is unchanged.
	if _, _, err := backend.Fetch(context.Background(), version); errors.Is(err, state.ErrNotModified) {
		fmt.Println("unchanged")
	}
	// Output:
	// aws_iam_role_policy.app_policy in testdata/aws_network.tfstate
	// policy in state: {"Statement":[{"Action":["s3:GetObject"],"Effect":"Allow","Resource":"arn:aws:s3:::my-app-bucket/*"}],"Version":"2012-10-17"}
	// unchanged
}

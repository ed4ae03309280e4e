package tftest

import (
	"slices"
	"testing"

	"github.com/tfdrift/tfdrift/internal/tftest/internal/cloudfile"
)

// Kinds of cloud objects: the Terraform resource types the test provider
// implements. Object ids are the resources' id attributes.
const (
	KindSecurityGroup     = "aws_security_group"                // id "sg-…"
	KindInstance          = "aws_instance"                      // id "i-…"
	KindIAMRolePolicy     = "aws_iam_role_policy"               // id "ROLE:NAME"
	KindPublicAccessBlock = "aws_s3_bucket_public_access_block" // id = bucket name
)

// Cloud reads and edits the test provider's cloud out of band, the way a
// console user would. Objects are JSON objects keyed by the resource's
// Terraform attribute names; ingress/egress rules are lists of objects
// with all nine rule attributes. Values read back are JSON values, so
// numbers are float64. Every call reads the file afresh and takes the same
// file lock as the provider. Errors fail the test.
type Cloud struct {
	t     testing.TB
	store *cloudfile.Store
}

// Get returns object kind/id, or nil when the cloud has no such object.
func (c Cloud) Get(kind, id string) map[string]any {
	c.t.Helper()
	obj, err := c.store.Object(kind, id)
	if err != nil {
		c.t.Fatalf("tftest: cloud get: %v", err)
	}
	return obj
}

// Set replaces object kind/id entirely (creating it if needed). Attributes
// missing from obj read as zero values, so use Mutate to change a few.
func (c Cloud) Set(kind, id string, obj map[string]any) {
	c.t.Helper()
	if err := c.store.Put(kind, id, obj); err != nil {
		c.t.Fatalf("tftest: cloud set: %v", err)
	}
}

// Delete removes object kind/id, like deleting it in the console.
func (c Cloud) Delete(kind, id string) {
	c.t.Helper()
	if err := c.store.Delete(kind, id); err != nil {
		c.t.Fatalf("tftest: cloud delete: %v", err)
	}
}

// Mutate edits object kind/id in place under the cloud's lock. The test
// fails if the object does not exist.
func (c Cloud) Mutate(kind, id string, fn func(obj map[string]any)) {
	c.t.Helper()
	err := c.store.Mutate(kind, id, func(obj map[string]any) error {
		fn(obj)
		return nil
	})
	if err != nil {
		c.t.Fatalf("tftest: cloud mutate: %v", err)
	}
}

// IDs returns the sorted ids of every object of kind.
func (c Cloud) IDs(kind string) []string {
	c.t.Helper()
	doc, err := c.store.Snapshot()
	if err != nil {
		c.t.Fatalf("tftest: cloud ids: %v", err)
	}
	var ids []string
	for id := range doc[kind] {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

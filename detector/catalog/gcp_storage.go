package catalog

import (
	"github.com/tfdrift/tfdrift/detector/change"
)

func init() { register(gcpStorageEntries) }

// Cloud Storage buckets. The audit resourceName is projects/_/buckets/NAME;
// google_storage_bucket is found by `name` (its `id` is the same name).
//
// Creation, deletion and IAM changes are mapped. Cloud Storage's
// admin-activity records of storage.buckets.update carry no request body,
// so which of versioning, labels, retention or uniform bucket-level access
// changed cannot be told. storage.setIamPermissions records the change only
// in protoPayload.serviceData.policyDelta, read from the raw record (see
// gcp_bindings.go); the bucket IAM resources name their bucket "b/NAME".
var gcpStorageEntries = []Entry{
	{
		Provider: change.GCP, Service: gcpStorageService, Event: "storage.buckets.create",
		Doc: "creates a Cloud Storage bucket",
		Targets: []Target{{
			Type: "google_storage_bucket", Op: Create, Key: "name", ID: gcpNameAfter("projects/_/buckets/"),
		}},
	},
	{
		Provider: change.GCP, Service: gcpStorageService, Event: "storage.buckets.delete",
		Doc: "deletes a Cloud Storage bucket",
		Targets: []Target{{
			Type: "google_storage_bucket", Op: Delete, Key: "name", ID: gcpNameAfter("projects/_/buckets/"),
		}},
	},
	{
		// The record has no request or response body: the bucket's
		// authoritative policy is derived by applying the deltas to state.
		Provider: change.GCP, Service: gcpStorageService, Event: "storage.setIamPermissions",
		Doc: "changes who may access a Cloud Storage bucket",
		Targets: append([]Target{{
			Type: "google_storage_bucket_iam_policy", Op: Modify, Key: "bucket", ID: gcpBucketIAMParent(),
			Attrs: []Attr{{Name: "policy_data", Value: gcpPolicyDelta()}},
		}}, gcpBindingTargets("storage_bucket", "bucket", gcpBucketIAMParent())...),
	},
}

// gcpBucketIAMParent is "b/NAME", the bucket attribute of the bucket IAM
// resources.
func gcpBucketIAMParent() IDs {
	return MapID(gcpNameAfter("projects/_/buckets/"), func(s string) string { return "b/" + s })
}

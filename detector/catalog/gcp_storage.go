package catalog

import (
	"github.com/tfdrift/tfdrift/detector/change"
)

func init() { register(gcpStorageEntries) }

// Cloud Storage buckets. The audit resourceName is projects/_/buckets/NAME;
// google_storage_bucket is found by `name` (its `id` is the same name).
//
// Only creation and deletion are mapped. Cloud Storage's admin-activity
// records of storage.buckets.update carry no request body, so which of
// versioning, labels, retention or uniform bucket-level access changed
// cannot be told; and storage.setIamPermissions records the change only in
// protoPayload.serviceData.policyDelta, which change.Change does not carry.
// Mapping either would mean entries that never derive a value.
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
}

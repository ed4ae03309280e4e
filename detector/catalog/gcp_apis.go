package catalog

import "github.com/tfdrift/tfdrift/detector/change"

func init() { register(gcpAPIEntries) }

const (
	gcpAPIKeysService  = "apikeys.googleapis.com"
	gcpBigQueryService = "bigquery.googleapis.com"
)

// API keys and BigQuery datasets: two small tables.
//
// An API key is found by project and name (google_apikeys_key stores the
// key's short name; the record names the project by number, the state index
// narrows to the record's project). A BigQuery dataset is found by
// dataset_id.
//
// Sources: Panther's fixture of google.api.apikeys.v2.ApiKeys.CreateKey
// (rules/gcp_audit_rules/gcp_serviceusage_apikeys_create_privilege_escalation.yml:
// the new key's name, projects/NUMBER/locations/global/keys/K, in the
// response); the API Keys and BigQuery audit logging documentation (method
// names google.api.apikeys.v2.ApiKeys.DeleteKey,
// google.cloud.bigquery.v2.DatasetService.InsertDataset and DeleteDataset;
// resourceName projects/P/datasets/D).
var gcpAPIEntries = []Entry{
	{
		Provider: change.GCP, Service: gcpAPIKeysService, Event: "google.api.apikeys.v2.ApiKeys.CreateKey",
		Doc:     "creates an API key",
		Targets: []Target{{Type: "google_apikeys_key", Op: Create, Key: "name", ID: MapID(RespID("name"), LastSegment("/keys/"))}},
	},
	{
		Provider: change.GCP, Service: gcpAPIKeysService, Event: "google.api.apikeys.v2.ApiKeys.DeleteKey",
		Doc:     "deletes an API key",
		Targets: []Target{{Type: "google_apikeys_key", Op: Delete, Key: "name", ID: gcpLastSegment("/keys/")}},
	},
	{
		Provider: change.GCP, Service: gcpBigQueryService, Event: "google.cloud.bigquery.v2.DatasetService.InsertDataset",
		Doc:     "creates a BigQuery dataset",
		Targets: []Target{{Type: "google_bigquery_dataset", Op: Create, Key: "dataset_id", ID: gcpLastSegment("/datasets/")}},
	},
	{
		Provider: change.GCP, Service: gcpBigQueryService, Event: "google.cloud.bigquery.v2.DatasetService.DeleteDataset",
		Doc:     "deletes a BigQuery dataset",
		Targets: []Target{{Type: "google_bigquery_dataset", Op: Delete, Key: "dataset_id", ID: gcpLastSegment("/datasets/")}},
	},
}

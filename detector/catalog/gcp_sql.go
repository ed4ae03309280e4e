package catalog

import "github.com/tfdrift/tfdrift/detector/change"

func init() { register(gcpSQLEntries) }

const gcpSQLService = "cloudsql.googleapis.com"

// Cloud SQL instances, found by name; resourceName is
// projects/P/instances/I. Admin-activity records of instance patches and
// updates do not reliably carry the settings sent (public records show
// them without a request body), so a patch is reported as a write to
// settings whose new value the record does not show: run `tfdrift check`
// or `terraform plan` to see it.
//
// Sources: the Cloud SQL audit logging documentation (method names
// cloudsql.instances.create, .delete, .patch, .update); Panther's fixture
// of cloudsql.instances.update (rules/gcp_audit_rules/
// gcp_sql_config_changes.yml: no request body).
var gcpSQLEntries = []Entry{
	{
		Provider: change.GCP, Service: gcpSQLService, Event: "cloudsql.instances.create",
		Doc:     "creates a Cloud SQL instance",
		Targets: []Target{{Type: "google_sql_database_instance", Op: Create, Key: "name", ID: gcpLastSegment("/instances/")}},
	},
	{
		Provider: change.GCP, Service: gcpSQLService, Event: "cloudsql.instances.delete",
		Doc:     "deletes a Cloud SQL instance",
		Targets: []Target{{Type: "google_sql_database_instance", Op: Delete, Key: "name", ID: gcpLastSegment("/instances/")}},
	},
	{
		Provider: change.GCP, Service: gcpSQLService, Event: "cloudsql.instances.patch",
		Doc: "changes a Cloud SQL instance's settings",
		Targets: []Target{{
			Type: "google_sql_database_instance", Op: Modify, Key: "name", ID: gcpLastSegment("/instances/"),
			Attrs: []Attr{{Name: "settings", Value: Always()}},
		}},
	},
	{
		Provider: change.GCP, Service: gcpSQLService, Event: "cloudsql.instances.update",
		Doc: "replaces a Cloud SQL instance's settings",
		Targets: []Target{{
			Type: "google_sql_database_instance", Op: Modify, Key: "name", ID: gcpLastSegment("/instances/"),
			Attrs: []Attr{{Name: "settings", Value: Always()}},
		}},
	},
}

package catalog

import "github.com/tfdrift/tfdrift/detector/change"

func init() { register(gcpRunEntries) }

const gcpRunService = "run.googleapis.com"

// Cloud Run services, found by name: the v1 API (google_cloud_run_service)
// logs resourceName namespaces/P/services/S, the v2 API
// (google_cloud_run_v2_service) projects/P/locations/L/services/S.
//
// Sources: Panther's fixture of google.cloud.run.v1.Services.CreateService
// (rules/gcp_audit_rules/gcp_cloud_run_service_created.yml: resourceName
// namespaces/P/services/S, the Knative service in request and response);
// the Cloud Run audit logging documentation for the v2 method names.
var gcpRunEntries = []Entry{
	{
		Provider: change.GCP, Service: gcpRunService, Event: "google.cloud.run.v1.Services.CreateService",
		Doc: "creates a Cloud Run service (v1 API)",
		Targets: []Target{{
			Type: "google_cloud_run_service", Op: Create, Key: "name", ID: gcpLastSegment("/services/"),
			Attrs: []Attr{{Name: "template", Value: gcpRunTemplate()}},
		}},
	},
	{
		Provider: change.GCP, Service: gcpRunService, Event: "google.cloud.run.v1.Services.DeleteService",
		Doc:     "deletes a Cloud Run service (v1 API)",
		Targets: []Target{{Type: "google_cloud_run_service", Op: Delete, Key: "name", ID: gcpLastSegment("/services/")}},
	},
	{
		Provider: change.GCP, Service: gcpRunService, Event: "google.cloud.run.v2.Services.CreateService",
		Doc:     "creates a Cloud Run service",
		Targets: []Target{{Type: "google_cloud_run_v2_service", Op: Create, Key: "name", ID: gcpLastSegment("/services/")}},
	},
	{
		Provider: change.GCP, Service: gcpRunService, Event: "google.cloud.run.v2.Services.DeleteService",
		Doc:     "deletes a Cloud Run service",
		Targets: []Target{{Type: "google_cloud_run_v2_service", Op: Delete, Key: "name", ID: gcpLastSegment("/services/")}},
	},
}

// gcpRunTemplate reports the service account a new v1 service runs as, the
// part of its template that matters most for who it can act as.
func gcpRunTemplate() Value {
	return func(e *Event, _ any) (any, bool) {
		sa := ctString(e.Req(), "service.spec.template.spec.serviceAccountName")
		if sa == "" {
			return nil, false
		}
		return []any{map[string]any{"spec": []any{map[string]any{"service_account_name": sa}}}}, true
	}
}

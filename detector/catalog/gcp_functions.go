package catalog

import "github.com/tfdrift/tfdrift/detector/change"

func init() { register(gcpFunctionsEntries) }

const gcpFunctionsService = "cloudfunctions.googleapis.com"

// Cloud Functions, 1st gen (google_cloudfunctions_function) and 2nd gen
// (google_cloudfunctions2_function), found by name; resourceName is
// projects/P/locations/L/functions/F.
//
// Sources: the Cloud Functions audit logging documentation (method names
// google.cloud.functions.v1.CloudFunctionsService.* and
// google.cloud.functions.v2.FunctionService.*) and the v1 API reference for
// UpdateFunctionRequest (function, updateMask).
var gcpFunctionsEntries = []Entry{
	{
		Provider: change.GCP, Service: gcpFunctionsService, Event: "google.cloud.functions.v1.CloudFunctionsService.CreateFunction",
		Doc: "creates a 1st gen function",
		Targets: []Target{{
			Type: "google_cloudfunctions_function", Op: Create, Key: "name", ID: gcpLastSegment("/functions/"),
			Attrs: []Attr{
				{Name: "runtime", Value: Req("function.runtime")},
				{Name: "service_account_email", Value: Req("function.serviceAccountEmail")},
			},
		}},
	},
	{
		Provider: change.GCP, Service: gcpFunctionsService, Event: "google.cloud.functions.v1.CloudFunctionsService.UpdateFunction",
		Doc: "changes a 1st gen function",
		Targets: []Target{{
			Type: "google_cloudfunctions_function", Op: Modify, Key: "name", ID: gcpLastSegment("/functions/"),
			Attrs: []Attr{
				{Name: "runtime", Value: gcpMasked("runtime", gcpMaskFields, "", Req("function.runtime"))},
				{Name: "service_account_email", Value: gcpMasked("service_account_email", gcpMaskFields, "", Req("function.serviceAccountEmail"))},
				{Name: "ingress_settings", Value: gcpMasked("ingress_settings", gcpMaskFields, "ALLOW_ALL", Req("function.ingressSettings"))},
				{Name: "available_memory_mb", Value: gcpMasked("available_memory_mb", gcpMaskFields, num("256"), Req("function.availableMemoryMb"))},
			},
		}},
	},
	{
		Provider: change.GCP, Service: gcpFunctionsService, Event: "google.cloud.functions.v1.CloudFunctionsService.DeleteFunction",
		Doc:     "deletes a 1st gen function",
		Targets: []Target{{Type: "google_cloudfunctions_function", Op: Delete, Key: "name", ID: gcpLastSegment("/functions/")}},
	},
	{
		Provider: change.GCP, Service: gcpFunctionsService, Event: "google.cloud.functions.v2.FunctionService.CreateFunction",
		Doc:     "creates a function",
		Targets: []Target{{Type: "google_cloudfunctions2_function", Op: Create, Key: "name", ID: gcpLastSegment("/functions/")}},
	},
	{
		Provider: change.GCP, Service: gcpFunctionsService, Event: "google.cloud.functions.v2.FunctionService.DeleteFunction",
		Doc:     "deletes a function",
		Targets: []Target{{Type: "google_cloudfunctions2_function", Op: Delete, Key: "name", ID: gcpLastSegment("/functions/")}},
	},
}

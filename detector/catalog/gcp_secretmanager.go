package catalog

import "github.com/tfdrift/tfdrift/detector/change"

func init() { register(gcpSecretManagerEntries) }

const gcpSecretManagerService = "secretmanager.googleapis.com"

// Secret Manager secrets and versions. A secret is found by secret_id (its
// short name); a version by name, projects/NUMBER/secrets/S/versions/V as
// the API returns it and the provider stores it. Secret values are never
// logged.
//
// Sources: the Secret Manager audit logging documentation (method names
// google.cloud.secretmanager.v1.SecretManagerService.*, resourceName the
// secret or version) and API reference.
var gcpSecretManagerEntries = []Entry{
	{
		Provider: change.GCP, Service: gcpSecretManagerService, Event: "google.cloud.secretmanager.v1.SecretManagerService.CreateSecret",
		Doc:     "creates a secret",
		Targets: []Target{{Type: "google_secret_manager_secret", Op: Create, Key: "secret_id", ID: gcpLastSegment("/secrets/")}},
	},
	{
		Provider: change.GCP, Service: gcpSecretManagerService, Event: "google.cloud.secretmanager.v1.SecretManagerService.DeleteSecret",
		Doc:     "deletes a secret and all its versions",
		Targets: []Target{{Type: "google_secret_manager_secret", Op: Delete, Key: "secret_id", ID: gcpLastSegment("/secrets/")}},
	},
	{
		Provider: change.GCP, Service: gcpSecretManagerService, Event: "google.cloud.secretmanager.v1.SecretManagerService.DisableSecretVersion",
		Doc: "disables a secret version",
		Targets: []Target{{
			Type: "google_secret_manager_secret_version", Op: Modify, Key: "name", ID: gcpResourceNameIf("/versions/"),
			Attrs: []Attr{{Name: "enabled", Value: Const(false)}},
		}},
	},
	{
		Provider: change.GCP, Service: gcpSecretManagerService, Event: "google.cloud.secretmanager.v1.SecretManagerService.EnableSecretVersion",
		Doc: "enables a secret version",
		Targets: []Target{{
			Type: "google_secret_manager_secret_version", Op: Modify, Key: "name", ID: gcpResourceNameIf("/versions/"),
			Attrs: []Attr{{Name: "enabled", Value: Const(true)}},
		}},
	},
	{
		Provider: change.GCP, Service: gcpSecretManagerService, Event: "google.cloud.secretmanager.v1.SecretManagerService.DestroySecretVersion",
		Doc:     "destroys a secret version's data",
		Targets: []Target{{Type: "google_secret_manager_secret_version", Op: Delete, Key: "name", ID: gcpResourceNameIf("/versions/")}},
	},
}

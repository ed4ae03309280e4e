package catalog

import "github.com/tfdrift/tfdrift/detector/change"

// BlindSpot is a group of writes the catalog deliberately does not map,
// and why. A guessed record shape is worse than a missing entry: an entry
// built on a wrong guess derives wrong values or never matches, and looks
// like coverage. These are listed so that users know where real-time
// detection is blind and `tfdrift check` must run on a schedule.
type BlindSpot struct {
	Provider change.Provider
	Service  string
	Events   []string
	Why      string
}

// BlindSpots lists the known gaps, by provider and service.
func BlindSpots() []BlindSpot { return blindSpots }

var blindSpots = []BlindSpot{
	{change.AWS, "apigateway.amazonaws.com", []string{"CreateRestApi", "UpdateRestApi", "DeleteRestApi", "CreateStage", "UpdateStage", "DeleteStage", "CreateDeployment", "CreateApi", "UpdateApi", "DeleteApi"},
		"no public record confirms how CloudTrail logs API Gateway's path parameters and patch operations, for REST or HTTP APIs"},
	{change.AWS, "ec2.amazonaws.com", []string{"CreateLaunchTemplate", "CreateLaunchTemplateVersion", "ModifyLaunchTemplate", "DeleteLaunchTemplate"},
		"no public record confirms the request wrapper these calls are logged with"},
	{change.AWS, "autoscaling.amazonaws.com", []string{"CreateOrUpdateTags", "DeleteTags", "PutScheduledUpdateGroupAction", "DeleteScheduledAction", "PutLifecycleHook", "DeleteLifecycleHook"},
		"record shapes not confirmed; a group's subnets (VPCZoneIdentifier) are not derived either"},
	{change.AWS, "secretsmanager.amazonaws.com", []string{"RotateSecret", "CancelRotateSecret", "ReplicateSecretToRegions", "RemoveRegionsFromReplication"},
		"record shapes not confirmed (rotation rules, replica regions)"},
	{change.AWS, "backup.amazonaws.com", []string{"PutBackupVaultNotifications", "UpdateBackupPlan"},
		"record shapes not confirmed; backup plan rules are not modelled"},
	{change.AWS, "es.amazonaws.com", []string{"AddTags", "RemoveTags"},
		"how the domain ARN is spelled in the record is not confirmed"},
	{change.AWS, "redshift.amazonaws.com", []string{"ModifyClusterParameterGroup"},
		"parameter changes are not modelled"},
	{change.AWS, "wafv2.amazonaws.com", []string{"UpdateRuleGroup"},
		"rules are not modelled; UpdateWebACL is compared on its description only"},
	{change.GCP, "run.googleapis.com", []string{"google.cloud.run.v1.Services.ReplaceService", "google.cloud.run.v1.Services.SetIamPolicy", "google.cloud.run.v2.Services.UpdateService"},
		"how the IAM resources store the service, and the service template's fields in the record, are not confirmed"},
	{change.GCP, "cloudkms.googleapis.com", []string{"SetIamPolicy"},
		"the form of crypto_key_id the key IAM resources store is not confirmed"},
	{change.GCP, "pubsub.googleapis.com", []string{"google.iam.v1.IAMPolicy.SetIamPolicy", "google.pubsub.v1.Publisher.UpdateTopic"},
		"record shapes not confirmed"},
	{change.GCP, "secretmanager.googleapis.com", []string{"google.cloud.secretmanager.v1.SecretManagerService.AddSecretVersion", "google.cloud.secretmanager.v1.SecretManagerService.UpdateSecret", "google.cloud.secretmanager.v1.SecretManagerService.SetIamPolicy"},
		"record shapes not confirmed (the new version's name, masked fields, IAM)"},
	{change.GCP, "cloudsql.googleapis.com", []string{"cloudsql.databases.create", "cloudsql.databases.delete", "cloudsql.users.create", "cloudsql.users.update", "cloudsql.users.delete"},
		"resource names in the record not confirmed; instance patches are reported without their values, which the record does not show"},
	{change.GCP, "container.googleapis.com", []string{"google.container.v1.ClusterManager.UpdateCluster", "google.container.v1.ClusterManager.SetMasterAuth", "google.container.v1.ClusterManager.UpdateNodePool"},
		"record shapes not confirmed"},
	{change.GCP, "compute.googleapis.com", []string{"compute.routers.patch", "compute.routers.update"},
		"router NAT and BGP configuration are not modelled"},
	{change.GCP, "storage.googleapis.com", []string{"storage.buckets.update"},
		"the record carries no request body: which setting changed cannot be told"},
	{change.GCP, "logging.googleapis.com", []string{"google.logging.v2.ConfigServiceV2.CreateExclusion", "google.logging.v2.ConfigServiceV2.UpdateExclusion", "google.logging.v2.ConfigServiceV2.DeleteExclusion"},
		"record shapes not confirmed; organization sinks are not mapped either"},
}

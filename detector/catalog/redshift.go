package catalog

import "github.com/tfdrift/tfdrift/detector/change"

const redshiftService = "redshift.amazonaws.com"

// Redshift clusters, their audit logging and parameter groups, found by
// cluster identifier or name. Redshift is a query-protocol API: CloudTrail
// logs its parameters in lower camel case and lists as JSON arrays; the
// master password is never shown.
//
// Sources: the Redshift API Reference (request syntax of each action).
var redshiftEntries = []Entry{
	{
		Provider: change.AWS, Service: redshiftService, Event: "CreateCluster",
		Doc: "creates a cluster",
		Targets: []Target{{
			Type: "aws_redshift_cluster", Op: Create, Key: "id", ID: ReqID("clusterIdentifier"),
			Attrs: []Attr{
				{Name: "node_type", Value: Req("nodeType")},
				{Name: "cluster_type", Value: Req("clusterType")},
				{Name: "master_username", Value: Req("masterUsername")},
				{Name: "publicly_accessible", Value: Bool(Req("publiclyAccessible"))},
				{Name: "encrypted", Value: Bool(Req("encrypted"))},
			},
		}},
	},
	{
		Provider: change.AWS, Service: redshiftService, Event: "ModifyCluster",
		Doc: "changes a cluster's size, access, encryption, backups or master password",
		Targets: []Target{{
			Type: "aws_redshift_cluster", Op: Modify, Key: "id", ID: ReqID("clusterIdentifier"),
			Attrs: []Attr{
				{Name: "node_type", Value: Req("nodeType")},
				{Name: "number_of_nodes", Value: ReqNum("numberOfNodes")},
				{Name: "cluster_type", Value: Req("clusterType")},
				{Name: "publicly_accessible", Value: Bool(Req("publiclyAccessible"))},
				{Name: "encrypted", Value: Bool(Req("encrypted"))},
				{Name: "kms_key_id", Value: Req("kmsKeyId")},
				{Name: "automated_snapshot_retention_period", Value: ReqNum("automatedSnapshotRetentionPeriod")},
				{Name: "enhanced_vpc_routing", Value: Bool(Req("enhancedVpcRouting"))},
				{Name: "vpc_security_group_ids", Value: List("vpcSecurityGroupIds")},
				{Name: "master_password", Value: Redacted("masterUserPassword")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: redshiftService, Event: "DeleteCluster",
		Doc:     "deletes a cluster",
		Targets: []Target{{Type: "aws_redshift_cluster", Op: Delete, Key: "id", ID: ReqID("clusterIdentifier")}},
	},
	{
		Provider: change.AWS, Service: redshiftService, Event: "ModifyClusterIamRoles",
		Doc: "adds or removes IAM roles a cluster may assume",
		Targets: []Target{{
			Type: "aws_redshift_cluster", Op: Modify, Key: "id", ID: ReqID("clusterIdentifier"),
			Attrs: []Attr{{Name: "iam_roles", Value: SetEdit("addIamRoles", "removeIamRoles")}},
		}},
	},
	{
		Provider: change.AWS, Service: redshiftService, Event: "EnableLogging",
		Doc: "turns on or redirects a cluster's audit logging",
		Targets: ModifyOrCreate(Target{
			Type: "aws_redshift_logging", Key: "id", ID: ReqID("clusterIdentifier"),
			Attrs: []Attr{
				{Name: "bucket_name", Value: Req("bucketName")},
				{Name: "s3_key_prefix", Value: Req("s3KeyPrefix")},
				{Name: "log_destination_type", Value: Req("logDestinationType")},
				{Name: "log_exports", Value: List("logExports")},
			},
		}),
	},
	{
		Provider: change.AWS, Service: redshiftService, Event: "DisableLogging",
		Doc:     "turns off a cluster's audit logging",
		Targets: []Target{{Type: "aws_redshift_logging", Op: Delete, Key: "id", ID: ReqID("clusterIdentifier")}},
	},
	{
		Provider: change.AWS, Service: redshiftService, Event: "CreateClusterParameterGroup",
		Doc: "creates a cluster parameter group",
		Targets: []Target{{
			Type: "aws_redshift_parameter_group", Op: Create, Key: "id", ID: ReqID("parameterGroupName"),
			Attrs: []Attr{{Name: "family", Value: Req("parameterGroupFamily")}, {Name: "description", Value: Req("description")}},
		}},
	},
	{
		Provider: change.AWS, Service: redshiftService, Event: "DeleteClusterParameterGroup",
		Doc:     "deletes a cluster parameter group",
		Targets: []Target{{Type: "aws_redshift_parameter_group", Op: Delete, Key: "id", ID: ReqID("parameterGroupName")}},
	},
}

func init() { registerGuarded(redshiftEntries) }

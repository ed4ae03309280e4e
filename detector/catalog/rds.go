package catalog

import (
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
)

const rdsService = "rds.amazonaws.com"

// RDS instances and Aurora clusters. aws_db_instance is found by
// identifier and aws_rds_cluster by cluster_identifier; RDS stores both in
// lower case whatever the caller typed. CloudTrail keeps the API's field
// names with a lower-case first letter (dBInstanceClass, multiAZ) and masks
// passwords ("****").
//
// A modification the caller did not apply immediately waits for the
// maintenance window: the response lists it in pendingModifiedValues. It
// is reported at once, as the change that is coming, flagged pending with
// the window it lands in (Target.Pending). With applyImmediately the
// response may still list values RDS is applying now; those are not
// pending.
var rdsEntries = []Entry{
	{
		Provider: change.AWS, Service: rdsService, Event: "ModifyDBInstance",
		Doc: "changes an RDS instance's class, storage, availability, backups or access",
		Targets: []Target{{
			Type: "aws_db_instance", Op: Modify, Key: "identifier", ID: rdsID("dBInstanceIdentifier"),
			Pending: rdsPending,
			Attrs: []Attr{
				{Name: "identifier", Value: rdsLower("newDBInstanceIdentifier")},
				{Name: "instance_class", Value: Req("dBInstanceClass")},
				{Name: "allocated_storage", Value: Req("allocatedStorage")},
				{Name: "max_allocated_storage", Value: Req("maxAllocatedStorage")},
				{Name: "storage_type", Value: Req("storageType")},
				{Name: "iops", Value: Req("iops")},
				{Name: "storage_throughput", Value: Req("storageThroughput")},
				{Name: "multi_az", Value: Bool(Req("multiAZ"))},
				{Name: "publicly_accessible", Value: Bool(Req("publiclyAccessible"))},
				{Name: "deletion_protection", Value: Bool(Req("deletionProtection"))},
				{Name: "backup_retention_period", Value: Req("backupRetentionPeriod")},
				{Name: "backup_window", Value: Req("preferredBackupWindow")},
				{Name: "maintenance_window", Value: rdsLower("preferredMaintenanceWindow")},
				{Name: "engine_version", Value: Req("engineVersion")},
				{Name: "auto_minor_version_upgrade", Value: Bool(Req("autoMinorVersionUpgrade"))},
				{Name: "ca_cert_identifier", Value: Req("cACertificateIdentifier")},
				{Name: "parameter_group_name", Value: Req("dBParameterGroupName")},
				{Name: "vpc_security_group_ids", Value: Req("vpcSecurityGroupIds")},
				{Name: "iam_database_authentication_enabled", Value: Bool(Req("enableIAMDatabaseAuthentication"))},
				{Name: "performance_insights_enabled", Value: Bool(Req("enablePerformanceInsights"))},
				{Name: "monitoring_interval", Value: Req("monitoringInterval")},
				{Name: "copy_tags_to_snapshot", Value: Bool(Req("copyTagsToSnapshot"))},
				{Name: "password", Value: Redacted("masterUserPassword")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: rdsService, Event: "DeleteDBInstance",
		Doc:     "deletes an RDS instance",
		Targets: []Target{{Type: "aws_db_instance", Op: Delete, Key: "identifier", ID: rdsID("dBInstanceIdentifier")}},
	},
	{
		Provider: change.AWS, Service: rdsService, Event: "CreateDBInstance",
		Doc: "creates an RDS instance",
		Targets: []Target{{
			Type: "aws_db_instance", Op: Create, Key: "identifier",
			ID: AnyID(RespID("dBInstanceIdentifier"), rdsID("dBInstanceIdentifier")),
			Attrs: []Attr{
				{Name: "engine", Value: Req("engine")},
				{Name: "engine_version", Value: Req("engineVersion")},
				{Name: "instance_class", Value: Req("dBInstanceClass")},
				{Name: "allocated_storage", Value: Req("allocatedStorage")},
				{Name: "publicly_accessible", Value: Bool(Req("publiclyAccessible"))},
				{Name: "storage_encrypted", Value: Bool(Req("storageEncrypted"))},
				{Name: "db_subnet_group_name", Value: Req("dBSubnetGroupName")},
				{Name: "arn", Value: Resp("dBInstanceArn")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: rdsService, Event: "ModifyDBCluster",
		Doc: "changes an Aurora cluster's engine, backups, network or access",
		Targets: []Target{{
			Type: "aws_rds_cluster", Op: Modify, Key: "cluster_identifier", ID: rdsID("dBClusterIdentifier"),
			Pending: rdsPending,
			Attrs: []Attr{
				{Name: "cluster_identifier", Value: rdsLower("newDBClusterIdentifier")},
				{Name: "engine_version", Value: Req("engineVersion")},
				{Name: "port", Value: Req("port")},
				{Name: "backup_retention_period", Value: Req("backupRetentionPeriod")},
				{Name: "preferred_backup_window", Value: Req("preferredBackupWindow")},
				{Name: "preferred_maintenance_window", Value: rdsLower("preferredMaintenanceWindow")},
				{Name: "deletion_protection", Value: Bool(Req("deletionProtection"))},
				{Name: "vpc_security_group_ids", Value: Req("vpcSecurityGroupIds")},
				{Name: "iam_database_authentication_enabled", Value: Bool(Req("enableIAMDatabaseAuthentication"))},
				{Name: "db_cluster_parameter_group_name", Value: Req("dBClusterParameterGroupName")},
				{Name: "copy_tags_to_snapshot", Value: Bool(Req("copyTagsToSnapshot"))},
				{Name: "master_password", Value: Redacted("masterUserPassword")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: rdsService, Event: "DeleteDBCluster",
		Doc:     "deletes an Aurora cluster",
		Targets: []Target{{Type: "aws_rds_cluster", Op: Delete, Key: "cluster_identifier", ID: rdsID("dBClusterIdentifier")}},
	},
	{
		Provider: change.AWS, Service: rdsService, Event: "CreateDBCluster",
		Doc: "creates an Aurora cluster",
		Targets: []Target{{
			Type: "aws_rds_cluster", Op: Create, Key: "cluster_identifier",
			ID: AnyID(RespID("dBClusterIdentifier"), rdsID("dBClusterIdentifier")),
			Attrs: []Attr{
				{Name: "engine", Value: Req("engine")},
				{Name: "engine_version", Value: Req("engineVersion")},
				{Name: "storage_encrypted", Value: Bool(Req("storageEncrypted"))},
				{Name: "db_subnet_group_name", Value: Req("dBSubnetGroupName")},
				{Name: "arn", Value: Resp("dBClusterArn")},
			},
		}},
	},
}

func init() { registerGuarded(rdsEntries) }

// rdsID takes an instance or cluster identifier from the request, in the
// lower case RDS stores. Callers may also pass the ARN.
func rdsID(path string) IDs {
	return MapID(ReqID(path), func(s string) string {
		if strings.HasPrefix(s, "arn:") {
			s = LastSegment(":")(s)
		}
		return strings.ToLower(s)
	})
}

// rdsLower derives a request value in lower case (new identifiers, and
// maintenance windows, which RDS returns as "tue:13:03-tue:13:33").
func rdsLower(path string) Value {
	return Transform(Req(path), func(x any) (any, bool) {
		s, ok := x.(string)
		if !ok || s == "" {
			return nil, false
		}
		return strings.ToLower(s), true
	})
}

// rdsPending says when a ModifyDBInstance or ModifyDBCluster change takes
// effect: "" when applied now, else the next maintenance window.
func rdsPending(e *Event) string {
	if now, _ := toBool(First(e.Req(), "applyImmediately")); now == true {
		return ""
	}
	pending, _ := First(e.Resp(), "pendingModifiedValues").(map[string]any)
	if len(pending) == 0 {
		return ""
	}
	if w := ctString(e.Resp(), "preferredMaintenanceWindow"); w != "" {
		return "at the next maintenance window (" + w + " UTC)"
	}
	return "at the next maintenance window"
}

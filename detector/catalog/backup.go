package catalog

import "github.com/tfdrift/tfdrift/detector/change"

const backupService = "backup.amazonaws.com"

// AWS Backup vaults, plans and selections. Vaults and everything attached
// to them (access policy, Vault Lock) are found by vault name, plans and
// selections by ID.
//
// Sources: the AWS Backup API Reference (request and response syntax of
// each action; a REST API whose path and body members CloudTrail logs
// together, first letter lower-cased).
//
// Left out for lack of a confirmed record shape: PutBackupVaultNotifications
// (how SNSTopicArn is spelled in the record) and UpdateBackupPlan (its
// rules are not modelled).
var backupEntries = []Entry{
	{
		Provider: change.AWS, Service: backupService, Event: "CreateBackupVault",
		Doc: "creates a backup vault",
		Targets: []Target{{
			Type: "aws_backup_vault", Op: Create, Key: "id", ID: ReqID("backupVaultName"),
			Attrs: []Attr{{Name: "kms_key_arn", Value: Req("encryptionKeyArn")}},
		}},
	},
	{
		Provider: change.AWS, Service: backupService, Event: "DeleteBackupVault",
		Doc:     "deletes an empty backup vault",
		Targets: []Target{{Type: "aws_backup_vault", Op: Delete, Key: "id", ID: ReqID("backupVaultName")}},
	},
	{
		Provider: change.AWS, Service: backupService, Event: "CreateBackupPlan",
		Doc: "creates a backup plan",
		Targets: []Target{{
			Type: "aws_backup_plan", Op: Create, Key: "id", ID: RespID("backupPlanId"),
			Attrs: []Attr{{Name: "name", Value: Req("backupPlan.backupPlanName")}},
		}},
	},
	{
		Provider: change.AWS, Service: backupService, Event: "DeleteBackupPlan",
		Doc:     "deletes a backup plan",
		Targets: []Target{{Type: "aws_backup_plan", Op: Delete, Key: "id", ID: ReqID("backupPlanId")}},
	},
	{
		Provider: change.AWS, Service: backupService, Event: "CreateBackupSelection",
		Doc: "assigns resources to a backup plan",
		Targets: []Target{{
			Type: "aws_backup_selection", Op: Create, Key: "id", ID: RespID("selectionId"),
			Attrs: []Attr{
				{Name: "plan_id", Value: Req("backupPlanId")},
				{Name: "name", Value: Req("backupSelection.selectionName")},
				{Name: "iam_role_arn", Value: Req("backupSelection.iamRoleArn")},
				{Name: "resources", Value: List("backupSelection.resources")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: backupService, Event: "DeleteBackupSelection",
		Doc:     "removes resources from a backup plan",
		Targets: []Target{{Type: "aws_backup_selection", Op: Delete, Key: "id", ID: ReqID("selectionId")}},
	},
	{
		Provider: change.AWS, Service: backupService, Event: "PutBackupVaultAccessPolicy",
		Doc: "replaces a backup vault's access policy",
		Targets: ModifyOrCreate(Target{
			Type: "aws_backup_vault_policy", Key: "id", ID: ReqID("backupVaultName"),
			Attrs: []Attr{{Name: "policy", Value: Doc("policy")}},
		}),
	},
	{
		Provider: change.AWS, Service: backupService, Event: "DeleteBackupVaultAccessPolicy",
		Doc:     "deletes a backup vault's access policy",
		Targets: []Target{{Type: "aws_backup_vault_policy", Op: Delete, Key: "id", ID: ReqID("backupVaultName")}},
	},
	{
		Provider: change.AWS, Service: backupService, Event: "PutBackupVaultLockConfiguration",
		Doc: "sets Vault Lock retention bounds on a backup vault",
		Targets: ModifyOrCreate(Target{
			Type: "aws_backup_vault_lock_configuration", Key: "id", ID: ReqID("backupVaultName"),
			Attrs: []Attr{
				{Name: "min_retention_days", Value: ReqNum("minRetentionDays")},
				{Name: "max_retention_days", Value: ReqNum("maxRetentionDays")},
				{Name: "changeable_for_days", Value: ReqNum("changeableForDays")},
			},
		}),
	},
	{
		// Possible only while the lock is still changeable.
		Provider: change.AWS, Service: backupService, Event: "DeleteBackupVaultLockConfiguration",
		Doc:     "removes Vault Lock from a backup vault",
		Targets: []Target{{Type: "aws_backup_vault_lock_configuration", Op: Delete, Key: "id", ID: ReqID("backupVaultName")}},
	},
}

func init() { registerGuarded(backupEntries) }

package catalog

import "github.com/tfdrift/tfdrift/detector/change"

const efsService = "elasticfilesystem.amazonaws.com"

// EFS file systems, mount targets, access points and the policies on a file
// system, all found by their IDs (fs-…, fsmt-…, fsap-…); the file system
// policy, backup policy and lifecycle resources by file_system_id.
//
// Sources: the EFS API Reference (request and response syntax of each
// action; a REST API whose path and body members CloudTrail logs together,
// first letter lower-cased); Elastic integrations' recorded
// DeleteFileSystem (packages/aws/data_stream/cloudtrail/_dev/test/pipeline/
// test-delete-file-system-json.log: fileSystemId, responseElements null).
var efsEntries = []Entry{
	{
		Provider: change.AWS, Service: efsService, Event: "CreateFileSystem",
		Doc: "creates a file system",
		Targets: []Target{{
			Type: "aws_efs_file_system", Op: Create, Key: "id", ID: RespID("fileSystemId"),
			Attrs: []Attr{
				{Name: "creation_token", Value: Req("creationToken")},
				{Name: "encrypted", Value: Bool(Req("encrypted"))},
				{Name: "performance_mode", Value: Req("performanceMode")},
				{Name: "throughput_mode", Value: Req("throughputMode")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: efsService, Event: "DeleteFileSystem",
		Doc:     "deletes a file system and its data",
		Targets: []Target{{Type: "aws_efs_file_system", Op: Delete, Key: "id", ID: ReqID("fileSystemId")}},
	},
	{
		Provider: change.AWS, Service: efsService, Event: "UpdateFileSystem",
		Doc: "changes a file system's throughput mode",
		Targets: []Target{{
			Type: "aws_efs_file_system", Op: Modify, Key: "id", ID: ReqID("fileSystemId"),
			Attrs: []Attr{
				{Name: "throughput_mode", Value: Req("throughputMode")},
				{Name: "provisioned_throughput_in_mibps", Value: ReqNum("provisionedThroughputInMibps")},
			},
		}},
	},
	{
		// The call replaces the whole lifecycle configuration; an empty
		// list removes it.
		Provider: change.AWS, Service: efsService, Event: "PutLifecycleConfiguration",
		Doc: "replaces a file system's lifecycle (storage class transition) policies",
		Targets: []Target{{
			Type: "aws_efs_file_system", Op: Modify, Key: "id", ID: ReqID("fileSystemId"),
			Attrs: []Attr{{Name: "lifecycle_policy", Value: Blocks("lifecyclePolicies",
				Field{Attr: "transition_to_ia", Path: "transitionToIA", Default: ""},
				Field{Attr: "transition_to_primary_storage_class", Path: "transitionToPrimaryStorageClass", Default: ""},
				Field{Attr: "transition_to_archive", Path: "transitionToArchive", Default: ""},
			)}},
		}},
	},
	{
		Provider: change.AWS, Service: efsService, Event: "PutFileSystemPolicy",
		Doc: "replaces a file system's resource policy",
		Targets: ModifyOrCreate(Target{
			Type: "aws_efs_file_system_policy", Key: "id", ID: ReqID("fileSystemId"),
			Attrs: []Attr{{Name: "policy", Value: Doc("policy")}},
		}),
	},
	{
		Provider: change.AWS, Service: efsService, Event: "DeleteFileSystemPolicy",
		Doc:     "deletes a file system's resource policy",
		Targets: []Target{{Type: "aws_efs_file_system_policy", Op: Delete, Key: "id", ID: ReqID("fileSystemId")}},
	},
	{
		Provider: change.AWS, Service: efsService, Event: "PutBackupPolicy",
		Doc: "turns automatic backups of a file system on or off",
		Targets: []Target{{
			Type: "aws_efs_backup_policy", Op: Modify, Key: "id", ID: ReqID("fileSystemId"),
			Attrs: []Attr{{Name: "backup_policy", Value: Block("backupPolicy", Field{Attr: "status", Path: "status"})}},
		}},
	},
	{
		Provider: change.AWS, Service: efsService, Event: "CreateMountTarget",
		Doc: "exposes a file system in a subnet",
		Targets: []Target{{
			Type: "aws_efs_mount_target", Op: Create, Key: "id", ID: RespID("mountTargetId"),
			Attrs: []Attr{{Name: "file_system_id", Value: Req("fileSystemId")}, {Name: "subnet_id", Value: Req("subnetId")}},
		}},
	},
	{
		Provider: change.AWS, Service: efsService, Event: "DeleteMountTarget",
		Doc:     "removes a file system's mount target",
		Targets: []Target{{Type: "aws_efs_mount_target", Op: Delete, Key: "id", ID: ReqID("mountTargetId")}},
	},
	{
		Provider: change.AWS, Service: efsService, Event: "CreateAccessPoint",
		Doc: "creates an access point",
		Targets: []Target{{
			Type: "aws_efs_access_point", Op: Create, Key: "id", ID: RespID("accessPointId"),
			Attrs: []Attr{{Name: "file_system_id", Value: Req("fileSystemId")}},
		}},
	},
	{
		Provider: change.AWS, Service: efsService, Event: "DeleteAccessPoint",
		Doc:     "deletes an access point",
		Targets: []Target{{Type: "aws_efs_access_point", Op: Delete, Key: "id", ID: ReqID("accessPointId")}},
	},
}

func init() { registerGuarded(efsEntries) }

package catalog

import "github.com/tfdrift/tfdrift/detector/change"

// EBS volumes and their attachments. An attachment has no cloud ID of its
// own; aws_volume_attachment is found by the (volume, instance) pair it
// joins, which every Attach/Detach record names.
var ec2VolumeEntries = []Entry{
	{
		Provider: change.AWS, Service: ec2Service, Event: "CreateVolume",
		Doc: "creates an EBS volume",
		Targets: []Target{{
			Type: "aws_ebs_volume", Op: Create, Key: "id", ID: RespID("volumeId"),
			// The response echoes the volume as created, defaults included.
			Attrs: []Attr{
				{Name: "availability_zone", Value: firstValueOf(Resp("zone"), Req("zone", "availabilityZone"))},
				{Name: "size", Value: Transform(firstValueOf(Resp("size"), Req("size")), numeric)},
				{Name: "type", Value: firstValueOf(Resp("volumeType"), Req("volumeType"))},
				{Name: "iops", Value: firstValueOf(Resp("iops"), Req("iops"))},
				{Name: "throughput", Value: firstValueOf(Resp("throughput"), Req("throughput"))},
				{Name: "encrypted", Value: Bool(firstValueOf(Resp("encrypted"), Req("encrypted")))},
				{Name: "kms_key_id", Value: firstValueOf(Resp("kmsKeyId"), Req("kmsKeyId"))},
				{Name: "tags", Value: ec2TagSpec("volume")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "DeleteVolume",
		Doc:     "deletes an EBS volume",
		Targets: []Target{{Type: "aws_ebs_volume", Op: Delete, Key: "id", ID: ReqID("volumeId")}},
	},
	{
		// A newer EC2 API: CloudTrail nests the parameters, PascalCase,
		// under ModifyVolumeRequest.
		Provider: change.AWS, Service: ec2Service, Event: "ModifyVolume",
		Doc: "changes a volume's size, type, IOPS or throughput",
		Targets: []Target{{
			Type: "aws_ebs_volume", Op: Modify, Key: "id", ID: ReqID("ModifyVolumeRequest.VolumeId", "volumeId"),
			Attrs: []Attr{
				{Name: "size", Value: Transform(Req("ModifyVolumeRequest.Size", "size"), numeric)},
				{Name: "type", Value: Req("ModifyVolumeRequest.VolumeType", "volumeType")},
				{Name: "iops", Value: Transform(Req("ModifyVolumeRequest.Iops", "iops"), numeric)},
				{Name: "throughput", Value: Transform(Req("ModifyVolumeRequest.Throughput", "throughput"), numeric)},
			},
		}},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "AttachVolume",
		Doc: "attaches a volume to an instance",
		Targets: []Target{{
			Type: "aws_volume_attachment", Op: Create, Key: "volume_id:instance_id",
			ID:    JoinID(":", ReqID("volumeId"), ReqID("instanceId")),
			Attrs: []Attr{{Name: "device_name", Value: firstValueOf(Req("device"), Resp("device"))}},
		}},
	},
	{
		// The request may name only the volume; the response always says
		// which instance it left.
		Provider: change.AWS, Service: ec2Service, Event: "DetachVolume",
		Doc: "detaches a volume from an instance",
		Targets: []Target{{
			Type: "aws_volume_attachment", Op: Delete, Key: "volume_id:instance_id",
			ID: JoinID(":", AnyID(ReqID("volumeId"), RespID("volumeId")), AnyID(ReqID("instanceId"), RespID("instanceId"))),
		}},
	},
}

func init() { register(servedBy(ec2VolumeEntries)) }

package catalog

import (
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
)

const kmsService = "kms.amazonaws.com"

// KMS keys. aws_kms_key is found by its ARN: CloudTrail lists the key's ARN
// in resources[], while requestParameters.keyId holds whatever the caller
// passed (key ID, key ARN or alias). aws_kms_key_policy and aws_kms_alias
// hold the bare key ID.
var kmsEntries = []Entry{
	{
		// The provider treats a key pending deletion as gone: it drops it
		// from state on refresh. The key can still be recovered with
		// CancelKeyDeletion until the waiting period ends.
		Provider: change.AWS, Service: kmsService, Event: "ScheduleKeyDeletion",
		Doc:     "schedules a key for deletion (gone for Terraform; recoverable during the waiting period)",
		Targets: []Target{{Type: "aws_kms_key", Op: Delete, Key: "arn", ID: kmsKeyARN()}},
	},
	{
		// A key whose deletion is cancelled comes back disabled.
		Provider: change.AWS, Service: kmsService, Event: "CancelKeyDeletion",
		Doc: "cancels a key's scheduled deletion; the key is left disabled",
		Targets: []Target{{
			Type: "aws_kms_key", Op: Modify, Key: "arn", ID: kmsKeyARN(),
			Attrs: []Attr{{Name: "is_enabled", Value: Const(false)}},
		}},
	},
	{
		Provider: change.AWS, Service: kmsService, Event: "DisableKey",
		Doc: "disables a key",
		Targets: []Target{{
			Type: "aws_kms_key", Op: Modify, Key: "arn", ID: kmsKeyARN(),
			Attrs: []Attr{{Name: "is_enabled", Value: Const(false)}},
		}},
	},
	{
		Provider: change.AWS, Service: kmsService, Event: "EnableKey",
		Doc: "enables a key",
		Targets: []Target{{
			Type: "aws_kms_key", Op: Modify, Key: "arn", ID: kmsKeyARN(),
			Attrs: []Attr{{Name: "is_enabled", Value: Const(true)}},
		}},
	},
	{
		Provider: change.AWS, Service: kmsService, Event: "DisableKeyRotation",
		Doc: "turns off automatic key rotation",
		Targets: []Target{{
			Type: "aws_kms_key", Op: Modify, Key: "arn", ID: kmsKeyARN(),
			Attrs: []Attr{{Name: "enable_key_rotation", Value: Const(false)}},
		}},
	},
	{
		Provider: change.AWS, Service: kmsService, Event: "EnableKeyRotation",
		Doc: "turns on automatic key rotation, optionally with a rotation period",
		Targets: []Target{{
			Type: "aws_kms_key", Op: Modify, Key: "arn", ID: kmsKeyARN(),
			Attrs: []Attr{
				{Name: "enable_key_rotation", Value: Const(true)},
				{Name: "rotation_period_in_days", Value: Req("rotationPeriodInDays")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: kmsService, Event: "PutKeyPolicy",
		Doc: "replaces a key policy",
		Targets: []Target{
			{Type: "aws_kms_key", Op: Modify, Key: "arn", ID: kmsKeyARN(),
				Attrs: []Attr{{Name: "policy", Value: Doc("policy")}}},
			{Type: "aws_kms_key_policy", Op: Modify, Key: "key_id", ID: MapID(kmsKeyARN(), LastSegment("/")),
				Attrs: []Attr{{Name: "policy", Value: Doc("policy")}}},
		},
	},
	{
		Provider: change.AWS, Service: kmsService, Event: "UpdateKeyDescription",
		Doc: "changes a key's description",
		Targets: []Target{{
			Type: "aws_kms_key", Op: Modify, Key: "arn", ID: kmsKeyARN(),
			Attrs: []Attr{{Name: "description", Value: Req("description")}},
		}},
	},
	{
		Provider: change.AWS, Service: kmsService, Event: "CreateKey",
		Doc: "creates a key",
		Targets: []Target{{
			Type: "aws_kms_key", Op: Create, Key: "arn", ID: RespID("keyMetadata.arn"),
			Attrs: []Attr{
				{Name: "key_id", Value: Resp("keyMetadata.keyId")},
				{Name: "description", Value: Resp("keyMetadata.description")},
				{Name: "key_usage", Value: Resp("keyMetadata.keyUsage")},
				{Name: "customer_master_key_spec", Value: Resp("keyMetadata.keySpec", "keyMetadata.customerMasterKeySpec")},
				{Name: "multi_region", Value: Bool(Resp("keyMetadata.multiRegion"))},
			},
		}},
	},
	{
		Provider: change.AWS, Service: kmsService, Event: "CreateAlias",
		Doc: "creates an alias for a key",
		Targets: []Target{{
			Type: "aws_kms_alias", Op: Create, Key: "name", ID: ReqID("aliasName"),
			Attrs: []Attr{{Name: "target_key_id", Value: kmsTargetKeyID()}},
		}},
	},
	{
		Provider: change.AWS, Service: kmsService, Event: "UpdateAlias",
		Doc: "points an alias at another key",
		Targets: []Target{{
			Type: "aws_kms_alias", Op: Modify, Key: "name", ID: ReqID("aliasName"),
			Attrs: []Attr{{Name: "target_key_id", Value: kmsTargetKeyID()}},
		}},
	},
	{
		Provider: change.AWS, Service: kmsService, Event: "DeleteAlias",
		Doc:     "deletes an alias",
		Targets: []Target{{Type: "aws_kms_alias", Op: Delete, Key: "name", ID: ReqID("aliasName")}},
	},
}

func init() { registerGuarded(kmsEntries) }

// kmsKeyARN names the key a KMS call acts on by ARN: from the record's
// resources when present (Falco alerts may not carry them), else from the
// request's keyId, which is a key ARN or a key ID qualified here with the
// record's partition, region and account. An alias names no key the
// record can resolve.
func kmsKeyARN() IDs {
	return func(e *Event) []string {
		var out []string
		for _, a := range e.ResourceARNs {
			if strings.Contains(a, ":key/") && !contains(out, a) {
				out = append(out, a)
			}
		}
		if len(out) > 0 {
			return out
		}
		id := ctString(e.Req(), "keyId")
		switch {
		case id == "" || strings.HasPrefix(id, "alias/") || strings.Contains(id, ":alias/"):
			return nil
		case strings.HasPrefix(id, "arn:"):
			if strings.Contains(id, ":key/") {
				return []string{id}
			}
			return nil
		case e.Region == "" || e.Account == "":
			return nil
		}
		return []string{"arn:" + awsPartition(e.Region) + ":kms:" + e.Region + ":" + e.Account + ":key/" + id}
	}
}

// awsPartition returns the ARN partition of a region.
func awsPartition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	}
	return "aws"
}

// kmsTargetKeyID derives aws_kms_alias.target_key_id, which the provider
// reads back as the bare key ID even when the alias was made with an ARN.
func kmsTargetKeyID() Value {
	return func(e *Event, _ any) (any, bool) {
		id := ctString(e.Req(), "targetKeyId")
		if id == "" {
			return nil, false
		}
		return LastSegment("/")(id), true
	}
}

package catalog

import "github.com/tfdrift/tfdrift/detector/change"

const secretsService = "secretsmanager.amazonaws.com"

// Secrets Manager. Calls name a secret by secretId, which is its name or
// its ARN (the ARN ends in a random suffix, so a name cannot be turned into
// one). aws_secretsmanager_secret is found by either; the policy and
// version resources hold only the ARN (secret_arn, secret_id), so they are
// found only when the caller used it, as the console does. CloudTrail never
// logs secret values.
//
// Sources: the Secrets Manager API Reference (request syntax of each
// action); the request members appear with their first letter lower-cased,
// as in Panther's fixture of PutResourcePolicy (rules/aws_cloudtrail_rules/
// aws_resource_made_public.yml: secretId, resourcePolicy, blockPublicPolicy).
//
// Left out for lack of a confirmed record shape: RotateSecret and
// CancelRotateSecret (how rotationRules and rotationLambdaARN are logged),
// ReplicateSecretToRegions and RemoveRegionsFromReplication, and the new
// value UpdateSecret may carry (whether its presence is logged).
var secretsEntries = []Entry{
	{
		Provider: change.AWS, Service: secretsService, Event: "CreateSecret",
		Doc: "creates a secret",
		Targets: []Target{{
			Type: "aws_secretsmanager_secret", Op: Create, Key: "name", ID: ReqID("name"),
			Attrs: []Attr{
				{Name: "description", Value: Req("description")},
				{Name: "kms_key_id", Value: Req("kmsKeyId")},
				{Name: "tags", Value: OwnTags(TagListEdit("tags", "key", "value", false))},
			},
		}},
	},
	{
		// The provider drops a secret scheduled for deletion from state.
		Provider: change.AWS, Service: secretsService, Event: "DeleteSecret",
		Doc:     "schedules a secret for deletion (gone for Terraform; restorable during the recovery window)",
		Targets: secretTargets(Delete, nil),
	},
	{
		Provider: change.AWS, Service: secretsService, Event: "UpdateSecret",
		Doc: "changes a secret's description or KMS key",
		Targets: secretTargets(Modify, []Attr{
			{Name: "description", Value: Req("description")},
			{Name: "kms_key_id", Value: Req("kmsKeyId")},
		}),
	},
	{
		Provider: change.AWS, Service: secretsService, Event: "PutSecretValue",
		Doc: "stores a new value in a secret",
		Targets: []Target{{
			Type: "aws_secretsmanager_secret_version", Op: Modify, Key: "secret_id",
			ID:    ARNOnly(ReqID("secretId")),
			Attrs: []Attr{{Name: "secret_string", Value: Always()}},
		}},
	},
	{
		// The secret's own policy attribute mirrors the stand-alone
		// resource, which is the one compared when state has it.
		Provider: change.AWS, Service: secretsService, Event: "PutResourcePolicy",
		Doc: "attaches a resource policy to a secret",
		Targets: append([]Target{{
			Type: "aws_secretsmanager_secret_policy", Op: Modify, Key: "secret_arn", ID: ARNOnly(ReqID("secretId")),
			Attrs: []Attr{
				{Name: "policy", Value: Doc("resourcePolicy")},
				{Name: "block_public_policy", Value: Bool(Req("blockPublicPolicy"))},
			},
		}}, secondary(secretTargets(Modify, []Attr{{Name: "policy", Value: Doc("resourcePolicy")}}))...),
	},
	{
		Provider: change.AWS, Service: secretsService, Event: "DeleteResourcePolicy",
		Doc: "removes a secret's resource policy",
		Targets: append([]Target{{
			Type: "aws_secretsmanager_secret_policy", Op: Delete, Key: "secret_arn", ID: ARNOnly(ReqID("secretId")),
		}}, secondary(secretTargets(Modify, []Attr{{Name: "policy", Value: Const("")}}))...),
	},
	{
		Provider: change.AWS, Service: secretsService, Event: "TagResource",
		Doc:     "adds or overwrites tags of a secret",
		Targets: secretTagTargets(TagListEdit("tags", "key", "value", false)),
	},
	{
		Provider: change.AWS, Service: secretsService, Event: "UntagResource",
		Doc:     "removes tags from a secret",
		Targets: secretTagTargets(TagKeysEdit("tagKeys")),
	},
}

func init() { registerGuarded(secretsEntries) }

// secretTargets finds a secret by ARN or by name, as the caller named it.
func secretTargets(op Op, attrs []Attr) []Target {
	return []Target{
		{Type: "aws_secretsmanager_secret", Op: op, Key: "arn", ID: ARNOnly(ReqID("secretId")), Attrs: attrs},
		{Type: "aws_secretsmanager_secret", Op: op, Key: "name", ID: NameOnly(ReqID("secretId")), Attrs: attrs},
	}
}

func secretTagTargets(edit TagEdit) []Target {
	return []Target{
		Tags("aws_secretsmanager_secret", "arn", ARNOnly(ReqID("secretId")), edit),
		Tags("aws_secretsmanager_secret", "name", NameOnly(ReqID("secretId")), edit),
	}
}

// secondary marks targets as Secondary (see Target.Secondary).
func secondary(ts []Target) []Target {
	for i := range ts {
		ts[i].Secondary = true
	}
	return ts
}

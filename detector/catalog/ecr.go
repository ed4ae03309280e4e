package catalog

import "github.com/tfdrift/tfdrift/detector/change"

const ecrService = "ecr.amazonaws.com"

// ECR repositories. aws_ecr_repository is found by name (its ID), and
// aws_ecr_repository_policy and aws_ecr_lifecycle_policy by their
// repository attribute. The ECR API's members are lower camel case and
// CloudTrail logs them as sent.
//
// Sources: the ECR API Reference (request syntax of each action); Panther's
// fixture of SetRepositoryPolicy (rules/aws_cloudtrail_rules/
// aws_resource_made_public.yml: repositoryName, policyText, force, and the
// repository ARN in resources).
var ecrEntries = []Entry{
	{
		Provider: change.AWS, Service: ecrService, Event: "CreateRepository",
		Doc: "creates a repository",
		Targets: []Target{{
			Type: "aws_ecr_repository", Op: Create, Key: "id", ID: ReqID("repositoryName"),
			Attrs: []Attr{
				{Name: "image_tag_mutability", Value: Req("imageTagMutability")},
				{Name: "image_scanning_configuration", Value: Block("imageScanningConfiguration",
					Field{Attr: "scan_on_push", Path: "scanOnPush"})},
			},
		}},
	},
	{
		Provider: change.AWS, Service: ecrService, Event: "DeleteRepository",
		Doc:     "deletes a repository",
		Targets: []Target{{Type: "aws_ecr_repository", Op: Delete, Key: "id", ID: ReqID("repositoryName")}},
	},
	{
		Provider: change.AWS, Service: ecrService, Event: "PutImageTagMutability",
		Doc: "makes image tags mutable or immutable",
		Targets: []Target{{
			Type: "aws_ecr_repository", Op: Modify, Key: "id", ID: ReqID("repositoryName"),
			Attrs: []Attr{{Name: "image_tag_mutability", Value: Req("imageTagMutability")}},
		}},
	},
	{
		Provider: change.AWS, Service: ecrService, Event: "PutImageScanningConfiguration",
		Doc: "turns scan on push on or off",
		Targets: []Target{{
			Type: "aws_ecr_repository", Op: Modify, Key: "id", ID: ReqID("repositoryName"),
			Attrs: []Attr{{Name: "image_scanning_configuration", Value: Block("imageScanningConfiguration",
				Field{Attr: "scan_on_push", Path: "scanOnPush"})}},
		}},
	},
	{
		Provider: change.AWS, Service: ecrService, Event: "SetRepositoryPolicy",
		Doc: "replaces a repository's policy",
		Targets: ModifyOrCreate(Target{
			Type: "aws_ecr_repository_policy", Key: "id", ID: ReqID("repositoryName"),
			Attrs: []Attr{{Name: "policy", Value: Doc("policyText")}},
		}),
	},
	{
		Provider: change.AWS, Service: ecrService, Event: "DeleteRepositoryPolicy",
		Doc:     "deletes a repository's policy",
		Targets: []Target{{Type: "aws_ecr_repository_policy", Op: Delete, Key: "id", ID: ReqID("repositoryName")}},
	},
	{
		Provider: change.AWS, Service: ecrService, Event: "PutLifecyclePolicy",
		Doc: "replaces a repository's lifecycle policy",
		Targets: ModifyOrCreate(Target{
			Type: "aws_ecr_lifecycle_policy", Key: "id", ID: ReqID("repositoryName"),
			Attrs: []Attr{{Name: "policy", Value: Doc("lifecyclePolicyText")}},
		}),
	},
	{
		Provider: change.AWS, Service: ecrService, Event: "DeleteLifecyclePolicy",
		Doc:     "deletes a repository's lifecycle policy",
		Targets: []Target{{Type: "aws_ecr_lifecycle_policy", Op: Delete, Key: "id", ID: ReqID("repositoryName")}},
	},
	{
		Provider: change.AWS, Service: ecrService, Event: "TagResource",
		Doc:     "adds or overwrites tags of a repository",
		Targets: []Target{Tags("aws_ecr_repository", "arn", ReqID("resourceArn"), TagListEdit("tags", "key", "value", false))},
	},
	{
		Provider: change.AWS, Service: ecrService, Event: "UntagResource",
		Doc:     "removes tags from a repository",
		Targets: []Target{Tags("aws_ecr_repository", "arn", ReqID("resourceArn"), TagKeysEdit("tagKeys"))},
	},
}

func init() { registerGuarded(ecrEntries) }

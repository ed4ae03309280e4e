package catalog

import "github.com/tfdrift/tfdrift/detector/change"

const logsService = "logs.amazonaws.com"

// CloudWatch Logs. CloudTrail logs the JSON request as sent (the API's
// members are already lower camel case). aws_cloudwatch_log_group is found
// by name; its arn in state has no ":*" suffix, which is how TagResource
// names it. Subscription and metric filters are identified by their log
// group and name: the provider's IDs for them are derived hashes.
//
// Sources: the CloudWatch Logs API Reference (request syntax of each
// action) and AWS's CloudTrail example for CloudWatch Logs, which shows the
// request logged as sent and responseElements null for these calls.
var logsEntries = []Entry{
	{
		Provider: change.AWS, Service: logsService, Event: "CreateLogGroup",
		Doc: "creates a log group",
		Targets: []Target{{
			Type: "aws_cloudwatch_log_group", Op: Create, Key: "id", ID: ReqID("logGroupName"),
			Attrs: []Attr{
				{Name: "kms_key_id", Value: Req("kmsKeyId")},
				{Name: "log_group_class", Value: Req("logGroupClass")},
				{Name: "tags", Value: OwnTags(TagMapEdit("tags"))},
			},
		}},
	},
	{
		Provider: change.AWS, Service: logsService, Event: "DeleteLogGroup",
		Doc:     "deletes a log group and its events",
		Targets: []Target{{Type: "aws_cloudwatch_log_group", Op: Delete, Key: "id", ID: ReqID("logGroupName")}},
	},
	{
		Provider: change.AWS, Service: logsService, Event: "PutRetentionPolicy",
		Doc: "sets how long a log group keeps its events",
		Targets: []Target{{
			Type: "aws_cloudwatch_log_group", Op: Modify, Key: "id", ID: ReqID("logGroupName"),
			Attrs: []Attr{{Name: "retention_in_days", Value: ReqNum("retentionInDays")}},
		}},
	},
	{
		// The provider stores 0 for a group that never expires its events.
		Provider: change.AWS, Service: logsService, Event: "DeleteRetentionPolicy",
		Doc: "makes a log group keep its events forever",
		Targets: []Target{{
			Type: "aws_cloudwatch_log_group", Op: Modify, Key: "id", ID: ReqID("logGroupName"),
			Attrs: []Attr{{Name: "retention_in_days", Value: Const(num("0"))}},
		}},
	},
	{
		Provider: change.AWS, Service: logsService, Event: "AssociateKmsKey",
		Doc: "encrypts a log group with a KMS key",
		Targets: []Target{{
			Type: "aws_cloudwatch_log_group", Op: Modify, Key: "id", ID: ReqID("logGroupName"),
			Attrs: []Attr{{Name: "kms_key_id", Value: Req("kmsKeyId")}},
		}},
	},
	{
		Provider: change.AWS, Service: logsService, Event: "DisassociateKmsKey",
		Doc: "stops encrypting a log group with its KMS key",
		Targets: []Target{{
			Type: "aws_cloudwatch_log_group", Op: Modify, Key: "id", ID: ReqID("logGroupName"),
			Attrs: []Attr{{Name: "kms_key_id", Value: Const("")}},
		}},
	},
	{
		// A subscription filter streams every matching event elsewhere,
		// possibly to another account: a new one is worth reporting.
		Provider: change.AWS, Service: logsService, Event: "PutSubscriptionFilter",
		Doc: "creates or replaces a subscription filter that streams a log group's events",
		Targets: ModifyOrCreate(Target{
			Type: "aws_cloudwatch_log_subscription_filter", Key: "log_group_name:name",
			ID: JoinID(":", ReqID("logGroupName"), ReqID("filterName")),
			Attrs: []Attr{
				{Name: "filter_pattern", Value: Req("filterPattern")},
				{Name: "destination_arn", Value: Req("destinationArn")},
				{Name: "role_arn", Value: Req("roleArn")},
				{Name: "distribution", Value: Req("distribution")},
			},
		}),
	},
	{
		Provider: change.AWS, Service: logsService, Event: "DeleteSubscriptionFilter",
		Doc: "deletes a subscription filter",
		Targets: []Target{{
			Type: "aws_cloudwatch_log_subscription_filter", Op: Delete, Key: "log_group_name:name",
			ID: JoinID(":", ReqID("logGroupName"), ReqID("filterName")),
		}},
	},
	{
		Provider: change.AWS, Service: logsService, Event: "PutMetricFilter",
		Doc: "creates or replaces a metric filter",
		Targets: ModifyOrCreate(Target{
			Type: "aws_cloudwatch_log_metric_filter", Key: "log_group_name:name",
			ID: JoinID(":", ReqID("logGroupName"), ReqID("filterName")),
			Attrs: []Attr{
				{Name: "pattern", Value: Req("filterPattern")},
				{Name: "metric_transformation", Value: Blocks("metricTransformations",
					Field{Attr: "name", Path: "metricName"},
					Field{Attr: "namespace", Path: "metricNamespace"},
					Field{Attr: "value", Path: "metricValue"},
				)},
			},
		}),
	},
	{
		Provider: change.AWS, Service: logsService, Event: "DeleteMetricFilter",
		Doc: "deletes a metric filter",
		Targets: []Target{{
			Type: "aws_cloudwatch_log_metric_filter", Op: Delete, Key: "log_group_name:name",
			ID: JoinID(":", ReqID("logGroupName"), ReqID("filterName")),
		}},
	},
	{
		// Resource policies let other services (Route 53, EventBridge)
		// write into the account's log groups.
		Provider: change.AWS, Service: logsService, Event: "PutResourcePolicy",
		Doc: "creates or replaces a CloudWatch Logs resource policy",
		Targets: ModifyOrCreate(Target{
			Type: "aws_cloudwatch_log_resource_policy", Key: "id", ID: ReqID("policyName"),
			Attrs: []Attr{{Name: "policy_document", Value: Doc("policyDocument")}},
		}),
	},
	{
		Provider: change.AWS, Service: logsService, Event: "DeleteResourcePolicy",
		Doc:     "deletes a CloudWatch Logs resource policy",
		Targets: []Target{{Type: "aws_cloudwatch_log_resource_policy", Op: Delete, Key: "id", ID: ReqID("policyName")}},
	},
	{
		Provider: change.AWS, Service: logsService, Event: "TagResource",
		Doc:     "adds or overwrites tags of a log group",
		Targets: []Target{Tags("aws_cloudwatch_log_group", "arn", logsGroupARN("resourceArn"), TagMapEdit("tags"))},
	},
	{
		Provider: change.AWS, Service: logsService, Event: "UntagResource",
		Doc:     "removes tags from a log group",
		Targets: []Target{Tags("aws_cloudwatch_log_group", "arn", logsGroupARN("resourceArn"), TagKeysEdit("tagKeys"))},
	},
	{
		// The deprecated calls the console used before TagResource.
		Provider: change.AWS, Service: logsService, Event: "TagLogGroup",
		Doc:     "adds or overwrites tags of a log group (deprecated call)",
		Targets: []Target{Tags("aws_cloudwatch_log_group", "id", ReqID("logGroupName"), TagMapEdit("tags"))},
	},
	{
		Provider: change.AWS, Service: logsService, Event: "UntagLogGroup",
		Doc:     "removes tags from a log group (deprecated call)",
		Targets: []Target{Tags("aws_cloudwatch_log_group", "id", ReqID("logGroupName"), TagKeysEdit("tags"))},
	},
}

func init() { registerGuarded(logsEntries) }

// logsGroupARN takes a log group ARN in the form state stores it, without
// the ":*" that DescribeLogGroups appends.
func logsGroupARN(path string) IDs {
	return MapID(ReqID(path), func(s string) string {
		if len(s) > 2 && s[len(s)-2:] == ":*" {
			return s[:len(s)-2]
		}
		return s
	})
}

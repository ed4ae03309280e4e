package catalog

import "github.com/tfdrift/tfdrift/detector/change"

const cloudtrailService = "cloudtrail.amazonaws.com"

// CloudTrail trails. Calls name a trail by name or ARN; aws_cloudtrail
// holds both (name, arn). Stopping a trail is a classic first step of an
// intrusion, so StopLogging is reported as enable_logging going false.
//
// Sources: AWS's CloudTrail example of UpdateTrail, reproduced in Elastic
// integrations (packages/aws/data_stream/cloudtrail/_dev/test/pipeline/
// test-update-trail-json.log: name as an ARN, s3BucketName,
// isMultiRegionTrail, enableLogFileValidation, kmsKeyId; the trail in
// responseElements); Panther's fixtures of CreateTrail, DeleteTrail,
// StopLogging and PutEventSelectors (rules/aws_cloudtrail_rules/
// aws_cloudtrail_created.yml, aws_cloudtrail_stopped.yml,
// aws_cloudtrail_event_selectors_disabled.yml); the CloudTrail API
// Reference.
var cloudtrailEntries = []Entry{
	{
		Provider: change.AWS, Service: cloudtrailService, Event: "CreateTrail",
		Doc: "creates a trail",
		Targets: []Target{{
			Type: "aws_cloudtrail", Op: Create, Key: "arn", ID: RespID("trailARN"),
			Attrs: []Attr{
				{Name: "s3_bucket_name", Value: Req("s3BucketName")},
				{Name: "is_multi_region_trail", Value: Bool(Req("isMultiRegionTrail"))},
			},
		}},
	},
	{
		Provider: change.AWS, Service: cloudtrailService, Event: "UpdateTrail",
		Doc: "changes where and how a trail logs",
		Targets: trailTargets(Modify, "name", []Attr{
			{Name: "s3_bucket_name", Value: Req("s3BucketName")},
			{Name: "s3_key_prefix", Value: Req("s3KeyPrefix")},
			{Name: "is_multi_region_trail", Value: Bool(Req("isMultiRegionTrail"))},
			{Name: "include_global_service_events", Value: Bool(Req("includeGlobalServiceEvents"))},
			{Name: "enable_log_file_validation", Value: Bool(Req("enableLogFileValidation"))},
			{Name: "kms_key_id", Value: Req("kmsKeyId")},
			{Name: "cloud_watch_logs_group_arn", Value: Req("cloudWatchLogsLogGroupArn")},
			{Name: "cloud_watch_logs_role_arn", Value: Req("cloudWatchLogsRoleArn")},
			{Name: "sns_topic_name", Value: Req("snsTopicName")},
		}),
	},
	{
		Provider: change.AWS, Service: cloudtrailService, Event: "DeleteTrail",
		Doc:     "deletes a trail",
		Targets: trailTargets(Delete, "name", nil),
	},
	{
		Provider: change.AWS, Service: cloudtrailService, Event: "StopLogging",
		Doc:     "stops a trail from logging",
		Targets: trailTargets(Modify, "name", []Attr{{Name: "enable_logging", Value: Const(false)}}),
	},
	{
		Provider: change.AWS, Service: cloudtrailService, Event: "StartLogging",
		Doc:     "makes a stopped trail log again",
		Targets: trailTargets(Modify, "name", []Attr{{Name: "enable_logging", Value: Const(true)}}),
	},
	{
		// Basic event selectors; advanced ones are not modelled.
		Provider: change.AWS, Service: cloudtrailService, Event: "PutEventSelectors",
		Doc:     "changes which events a trail records",
		Targets: trailTargets(Modify, "trailName", []Attr{{Name: "event_selector", Value: trailEventSelectors()}}),
	},
}

func init() { registerGuarded(cloudtrailEntries) }

// trailTargets finds a trail by the ARN or name at path.
func trailTargets(op Op, path string, attrs []Attr) []Target {
	return []Target{
		{Type: "aws_cloudtrail", Op: op, Key: "arn", ID: ARNOnly(ReqID(path)), Attrs: attrs},
		{Type: "aws_cloudtrail", Op: op, Key: "name", ID: NameOnly(ReqID(path)), Attrs: attrs},
	}
}

// trailEventSelectors turns eventSelectors into aws_cloudtrail's
// event_selector blocks.
func trailEventSelectors() Value {
	return func(e *Event, _ any) (any, bool) {
		sels := Items(e.Req(), "eventSelectors")
		if len(sels) == 0 {
			return nil, false
		}
		out := []any{}
		for _, s := range sels {
			m, ok := s.(map[string]any)
			if !ok {
				continue
			}
			data := []any{}
			for _, d := range Items(m, "dataResources") {
				dm, _ := d.(map[string]any)
				vals := []any{}
				for _, v := range Strings(dm, "values") {
					vals = append(vals, v)
				}
				data = append(data, map[string]any{"type": ctString(dm, "type"), "values": vals})
			}
			excl := []any{}
			for _, v := range Strings(m, "excludeManagementEventSources") {
				excl = append(excl, v)
			}
			out = append(out, map[string]any{
				"read_write_type":                  ctString(m, "readWriteType"),
				"include_management_events":        ctBoolOr(m, "includeManagementEvents", true),
				"data_resource":                    data,
				"exclude_management_event_sources": excl,
			})
		}
		return out, true
	}
}

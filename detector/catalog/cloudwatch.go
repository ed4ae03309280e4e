package catalog

import "github.com/tfdrift/tfdrift/detector/change"

const monitoringService = "monitoring.amazonaws.com"

// CloudWatch alarms and dashboards (the monitoring API, a query-protocol
// service: CloudTrail logs its parameters in lower camel case, lists as
// JSON arrays). aws_cloudwatch_metric_alarm is found by alarm_name.
//
// PutMetricAlarm replaces the whole alarm: "the update completely
// overwrites the previous configuration" (API Reference). So the actions
// and description it leaves out are cleared, and a call that drops an
// alarm's actions shows as such.
//
// Sources: the CloudWatch API Reference (request syntax of each action);
// Elastic integrations' recorded DeleteAlarms (packages/aws/data_stream/
// cloudtrail/_dev/test/pipeline/test-delete-alarms-json.log: alarmNames as
// a JSON array, responseElements null). OKActions is read as oKActions (the
// first letter lower-cased, as IAM's sAMLMetadataDocument) or okActions.
var monitoringEntries = []Entry{
	{
		Provider: change.AWS, Service: monitoringService, Event: "PutMetricAlarm",
		Doc: "creates or replaces a metric alarm",
		Targets: ModifyOrCreate(Target{
			Type: "aws_cloudwatch_metric_alarm", Key: "id", ID: ReqID("alarmName"),
			Attrs: []Attr{
				{Name: "comparison_operator", Value: Req("comparisonOperator")},
				{Name: "evaluation_periods", Value: ReqNum("evaluationPeriods")},
				{Name: "metric_name", Value: Req("metricName")},
				{Name: "namespace", Value: Req("namespace")},
				{Name: "period", Value: ReqNum("period")},
				{Name: "statistic", Value: Req("statistic")},
				{Name: "threshold", Value: ReqNum("threshold")},
				{Name: "treat_missing_data", Value: Req("treatMissingData")},
				{Name: "alarm_description", Value: OrDefault(Req("alarmDescription"), "")},
				{Name: "actions_enabled", Value: OrDefault(Bool(Req("actionsEnabled")), true)},
				{Name: "alarm_actions", Value: OrDefault(List("alarmActions"), []any{})},
				{Name: "ok_actions", Value: OrDefault(gcpFirstValue(List("oKActions"), List("okActions")), []any{})},
				{Name: "insufficient_data_actions", Value: OrDefault(List("insufficientDataActions"), []any{})},
			},
		}),
	},
	{
		Provider: change.AWS, Service: monitoringService, Event: "DeleteAlarms",
		Doc: "deletes metric or composite alarms",
		Targets: []Target{
			{Type: "aws_cloudwatch_metric_alarm", Op: Delete, Key: "id", ID: ReqID("alarmNames")},
			{Type: "aws_cloudwatch_composite_alarm", Op: Delete, Key: "id", ID: ReqID("alarmNames")},
		},
	},
	{
		Provider: change.AWS, Service: monitoringService, Event: "DisableAlarmActions",
		Doc: "stops alarms from running their actions",
		Targets: []Target{
			{Type: "aws_cloudwatch_metric_alarm", Op: Modify, Key: "id", ID: ReqID("alarmNames"),
				Attrs: []Attr{{Name: "actions_enabled", Value: Const(false)}}},
			{Type: "aws_cloudwatch_composite_alarm", Op: Modify, Key: "id", ID: ReqID("alarmNames"),
				Attrs: []Attr{{Name: "actions_enabled", Value: Const(false)}}},
		},
	},
	{
		Provider: change.AWS, Service: monitoringService, Event: "EnableAlarmActions",
		Doc: "lets alarms run their actions again",
		Targets: []Target{
			{Type: "aws_cloudwatch_metric_alarm", Op: Modify, Key: "id", ID: ReqID("alarmNames"),
				Attrs: []Attr{{Name: "actions_enabled", Value: Const(true)}}},
			{Type: "aws_cloudwatch_composite_alarm", Op: Modify, Key: "id", ID: ReqID("alarmNames"),
				Attrs: []Attr{{Name: "actions_enabled", Value: Const(true)}}},
		},
	},
	{
		Provider: change.AWS, Service: monitoringService, Event: "PutCompositeAlarm",
		Doc: "creates or replaces a composite alarm",
		Targets: ModifyOrCreate(Target{
			Type: "aws_cloudwatch_composite_alarm", Key: "id", ID: ReqID("alarmName"),
			Attrs: []Attr{
				{Name: "alarm_rule", Value: Req("alarmRule")},
				{Name: "alarm_description", Value: OrDefault(Req("alarmDescription"), "")},
				{Name: "actions_enabled", Value: OrDefault(Bool(Req("actionsEnabled")), true)},
				{Name: "alarm_actions", Value: OrDefault(List("alarmActions"), []any{})},
			},
		}),
	},
	{
		Provider: change.AWS, Service: monitoringService, Event: "PutDashboard",
		Doc: "creates or replaces a dashboard",
		Targets: ModifyOrCreate(Target{
			Type: "aws_cloudwatch_dashboard", Key: "id", ID: ReqID("dashboardName"),
			Attrs: []Attr{{Name: "dashboard_body", Value: Doc("dashboardBody")}},
		}),
	},
	{
		Provider: change.AWS, Service: monitoringService, Event: "DeleteDashboards",
		Doc:     "deletes dashboards",
		Targets: []Target{{Type: "aws_cloudwatch_dashboard", Op: Delete, Key: "id", ID: ReqID("dashboardNames")}},
	},
	{
		Provider: change.AWS, Service: monitoringService, Event: "TagResource",
		Doc:     "adds or overwrites tags of an alarm",
		Targets: []Target{Tags("aws_cloudwatch_metric_alarm", "arn", ReqID("resourceARN"), TagListEdit("tags", "key", "value", false))},
	},
	{
		Provider: change.AWS, Service: monitoringService, Event: "UntagResource",
		Doc:     "removes tags from an alarm",
		Targets: []Target{Tags("aws_cloudwatch_metric_alarm", "arn", ReqID("resourceARN"), TagKeysEdit("tagKeys"))},
	},
}

func init() { registerGuarded(monitoringEntries) }

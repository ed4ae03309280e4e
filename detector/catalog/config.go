package catalog

import "github.com/tfdrift/tfdrift/detector/change"

const configService = "config.amazonaws.com"

// AWS Config recorders, delivery channels and rules, all found by name.
// Stopping the recorder blinds compliance monitoring, as stopping a trail
// blinds auditing.
//
// Sources: Elastic integrations' recorded StopConfigurationRecorder
// (packages/aws/data_stream/cloudtrail/_dev/test/pipeline/
// test-stop-configuration-recorder.log: configurationRecorderName,
// responseElements null); the AWS Config API Reference (request syntax of
// each action), logged with lower-cased member names.
var configEntries = []Entry{
	{
		Provider: change.AWS, Service: configService, Event: "StopConfigurationRecorder",
		Doc: "stops recording configuration changes",
		Targets: []Target{{
			Type: "aws_config_configuration_recorder_status", Op: Modify, Key: "id", ID: ReqID("configurationRecorderName"),
			Attrs: []Attr{{Name: "is_enabled", Value: Const(false)}},
		}},
	},
	{
		Provider: change.AWS, Service: configService, Event: "StartConfigurationRecorder",
		Doc: "starts recording configuration changes",
		Targets: []Target{{
			Type: "aws_config_configuration_recorder_status", Op: Modify, Key: "id", ID: ReqID("configurationRecorderName"),
			Attrs: []Attr{{Name: "is_enabled", Value: Const(true)}},
		}},
	},
	{
		Provider: change.AWS, Service: configService, Event: "DeleteConfigurationRecorder",
		Doc: "deletes the configuration recorder",
		Targets: []Target{
			{Type: "aws_config_configuration_recorder", Op: Delete, Key: "id", ID: ReqID("configurationRecorderName")},
			{Type: "aws_config_configuration_recorder_status", Op: Delete, Key: "id", ID: ReqID("configurationRecorderName")},
		},
	},
	{
		Provider: change.AWS, Service: configService, Event: "PutDeliveryChannel",
		Doc: "creates or changes where Config delivers its snapshots",
		Targets: ModifyOrCreate(Target{
			Type: "aws_config_delivery_channel", Key: "id", ID: ReqID("deliveryChannel.name"),
			Attrs: []Attr{
				{Name: "s3_bucket_name", Value: Req("deliveryChannel.s3BucketName")},
				{Name: "s3_key_prefix", Value: Req("deliveryChannel.s3KeyPrefix")},
			},
		}),
	},
	{
		Provider: change.AWS, Service: configService, Event: "DeleteDeliveryChannel",
		Doc:     "deletes a delivery channel",
		Targets: []Target{{Type: "aws_config_delivery_channel", Op: Delete, Key: "id", ID: ReqID("deliveryChannelName")}},
	},
	{
		Provider: change.AWS, Service: configService, Event: "PutConfigRule",
		Doc: "creates or changes a Config rule",
		Targets: ModifyOrCreate(Target{
			Type: "aws_config_config_rule", Key: "id", ID: ReqID("configRule.configRuleName"),
			Attrs: []Attr{
				{Name: "description", Value: Req("configRule.description")},
				{Name: "maximum_execution_frequency", Value: Req("configRule.maximumExecutionFrequency")},
			},
		}),
	},
	{
		Provider: change.AWS, Service: configService, Event: "DeleteConfigRule",
		Doc:     "deletes a Config rule",
		Targets: []Target{{Type: "aws_config_config_rule", Op: Delete, Key: "id", ID: ReqID("configRuleName")}},
	},
}

func init() { registerGuarded(configEntries) }

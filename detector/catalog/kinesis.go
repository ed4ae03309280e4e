package catalog

import "github.com/tfdrift/tfdrift/detector/change"

const kinesisService = "kinesis.amazonaws.com"

// Kinesis data streams, found by name (calls may name a stream by ARN
// instead, from which the name is taken).
//
// Sources: the Kinesis Data Streams API Reference (request syntax of each
// action), logged with lower-cased member names.
var kinesisEntries = []Entry{
	{
		Provider: change.AWS, Service: kinesisService, Event: "CreateStream",
		Doc: "creates a data stream",
		Targets: []Target{{
			Type: "aws_kinesis_stream", Op: Create, Key: "name", ID: ReqID("streamName"),
			Attrs: []Attr{{Name: "shard_count", Value: ReqNum("shardCount")}},
		}},
	},
	{
		Provider: change.AWS, Service: kinesisService, Event: "DeleteStream",
		Doc:     "deletes a data stream",
		Targets: []Target{{Type: "aws_kinesis_stream", Op: Delete, Key: "name", ID: kinesisStream()}},
	},
	{
		Provider: change.AWS, Service: kinesisService, Event: "IncreaseStreamRetentionPeriod",
		Doc: "keeps a stream's records longer",
		Targets: []Target{{
			Type: "aws_kinesis_stream", Op: Modify, Key: "name", ID: kinesisStream(),
			Attrs: []Attr{{Name: "retention_period", Value: ReqNum("retentionPeriodHours")}},
		}},
	},
	{
		Provider: change.AWS, Service: kinesisService, Event: "DecreaseStreamRetentionPeriod",
		Doc: "keeps a stream's records for less time",
		Targets: []Target{{
			Type: "aws_kinesis_stream", Op: Modify, Key: "name", ID: kinesisStream(),
			Attrs: []Attr{{Name: "retention_period", Value: ReqNum("retentionPeriodHours")}},
		}},
	},
	{
		Provider: change.AWS, Service: kinesisService, Event: "StartStreamEncryption",
		Doc: "encrypts a stream with a KMS key",
		Targets: []Target{{
			Type: "aws_kinesis_stream", Op: Modify, Key: "name", ID: kinesisStream(),
			Attrs: []Attr{{Name: "encryption_type", Value: Req("encryptionType")}, {Name: "kms_key_id", Value: Req("keyId")}},
		}},
	},
	{
		// The provider stores NONE and no key for an unencrypted stream.
		Provider: change.AWS, Service: kinesisService, Event: "StopStreamEncryption",
		Doc: "stops encrypting a stream",
		Targets: []Target{{
			Type: "aws_kinesis_stream", Op: Modify, Key: "name", ID: kinesisStream(),
			Attrs: []Attr{{Name: "encryption_type", Value: Const("NONE")}, {Name: "kms_key_id", Value: Const("")}},
		}},
	},
	{
		Provider: change.AWS, Service: kinesisService, Event: "UpdateShardCount",
		Doc: "reshards a stream",
		Targets: []Target{{
			Type: "aws_kinesis_stream", Op: Modify, Key: "name", ID: kinesisStream(),
			Attrs: []Attr{{Name: "shard_count", Value: ReqNum("targetShardCount")}},
		}},
	},
}

func init() { registerGuarded(kinesisEntries) }

// kinesisStream names the stream by streamName, or by the name in
// streamARN (arn:…:stream/NAME).
func kinesisStream() IDs {
	return AnyID(ReqID("streamName"), ARNName(ReqID("streamARN"), "/"))
}

package catalog

import (
	"encoding/json"

	"github.com/tfdrift/tfdrift/detector/change"
)

const dynamodbService = "dynamodb.amazonaws.com"

// DynamoDB tables, found by name (aws_dynamodb_table's ID). CloudTrail
// lower-cases the first letter of the API's field names, which gives
// provisionedThroughput.readCapacityUnits but also sSESpecification.
var dynamodbEntries = []Entry{
	{
		Provider: change.AWS, Service: dynamodbService, Event: "UpdateTable",
		Doc: "changes a table's capacity mode, throughput, stream, class or deletion protection",
		Targets: []Target{{
			Type: "aws_dynamodb_table", Op: Modify, Key: "name", ID: ReqID("tableName"),
			Attrs: []Attr{
				{Name: "billing_mode", Value: Req("billingMode")},
				{Name: "read_capacity", Value: dynamoCapacity("readCapacityUnits")},
				{Name: "write_capacity", Value: dynamoCapacity("writeCapacityUnits")},
				{Name: "stream_enabled", Value: Bool(Req("streamSpecification.streamEnabled"))},
				{Name: "stream_view_type", Value: dynamoStreamViewType()},
				{Name: "deletion_protection_enabled", Value: Bool(Req("deletionProtectionEnabled"))},
				{Name: "table_class", Value: Req("tableClass")},
				{Name: "server_side_encryption", Value: dynamoSSE()},
			},
		}},
	},
	{
		Provider: change.AWS, Service: dynamodbService, Event: "DeleteTable",
		Doc:     "deletes a table",
		Targets: []Target{{Type: "aws_dynamodb_table", Op: Delete, Key: "name", ID: ReqID("tableName")}},
	},
	{
		Provider: change.AWS, Service: dynamodbService, Event: "CreateTable",
		Doc: "creates a table",
		Targets: []Target{{
			Type: "aws_dynamodb_table", Op: Create, Key: "name", ID: ReqID("tableName"),
			Attrs: []Attr{
				{Name: "arn", Value: Resp("tableDescription.tableArn")},
				{Name: "billing_mode", Value: Req("billingMode")},
				{Name: "hash_key", Value: dynamoKey("HASH")},
				{Name: "range_key", Value: dynamoKey("RANGE")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: dynamodbService, Event: "UpdateContinuousBackups",
		Doc: "turns point-in-time recovery on or off",
		Targets: []Target{{
			Type: "aws_dynamodb_table", Op: Modify, Key: "name", ID: ReqID("tableName"),
			Attrs: []Attr{{Name: "point_in_time_recovery", Value: dynamoPITR()}},
		}},
	},
	{
		Provider: change.AWS, Service: dynamodbService, Event: "UpdateTimeToLive",
		Doc: "turns time to live on or off",
		Targets: []Target{{
			Type: "aws_dynamodb_table", Op: Modify, Key: "name", ID: ReqID("tableName"),
			Attrs: []Attr{{Name: "ttl", Value: dynamoTTL()}},
		}},
	},
}

func init() { registerGuarded(dynamodbEntries) }

// dynamoCapacity derives read_capacity or write_capacity. Switching to
// on-demand (PAY_PER_REQUEST) without throughput makes both 0 in state.
func dynamoCapacity(field string) Value {
	return func(e *Event, _ any) (any, bool) {
		if v, ok := firstValue(e.Req(), []string{"provisionedThroughput." + field}); ok {
			return v, true
		}
		if ctString(e.Req(), "billingMode") == "PAY_PER_REQUEST" {
			return json.Number("0"), true
		}
		return nil, false
	}
}

// dynamoStreamViewType derives stream_view_type; a disabled stream has none.
func dynamoStreamViewType() Value {
	return func(e *Event, _ any) (any, bool) {
		spec, ok := First(e.Req(), "streamSpecification").(map[string]any)
		if !ok {
			return nil, false
		}
		if !ctBoolOr(spec, "streamEnabled", false) {
			return "", true
		}
		if v := ctString(spec, "streamViewType"); v != "" {
			return v, true
		}
		return nil, false
	}
}

// dynamoSSE derives server_side_encryption ([{enabled, kms_key_arn}]).
// Turning it off means encryption with an AWS-owned key, for which the
// provider reads no block at all. A request that names no key keeps the
// one in state.
func dynamoSSE() Value {
	return func(e *Event, cur any) (any, bool) {
		spec, ok := First(e.Req(), "sSESpecification").(map[string]any)
		if !ok {
			spec, ok = First(e.Req(), "sseSpecification").(map[string]any)
		}
		if !ok {
			return nil, false
		}
		if !ctBoolOr(spec, "enabled", false) {
			return []any{}, true
		}
		out := map[string]any{"enabled": true}
		if key := ctString(spec, "kMSMasterKeyId", "kmsMasterKeyId"); key != "" {
			out["kms_key_arn"] = key
		}
		return []any{keepUnmodelled(out, firstObject(cur))}, true
	}
}

// dynamoPITR derives point_in_time_recovery ([{enabled,
// recovery_period_in_days}]); attributes the request does not set keep
// their state value.
func dynamoPITR() Value {
	return func(e *Event, cur any) (any, bool) {
		spec, ok := First(e.Req(), "pointInTimeRecoverySpecification").(map[string]any)
		if !ok {
			return nil, false
		}
		out := map[string]any{"enabled": ctBoolOr(spec, "pointInTimeRecoveryEnabled", false)}
		if v, ok := spec["recoveryPeriodInDays"]; ok {
			out["recovery_period_in_days"] = v
		}
		return []any{keepUnmodelled(out, firstObject(cur))}, true
	}
}

// dynamoTTL derives ttl ([{attribute_name, enabled}]). DynamoDB reports no
// attribute name for disabled TTL, although the request must name one.
func dynamoTTL() Value {
	return func(e *Event, cur any) (any, bool) {
		spec, ok := First(e.Req(), "timeToLiveSpecification").(map[string]any)
		if !ok {
			return nil, false
		}
		enabled := ctBoolOr(spec, "enabled", false)
		out := map[string]any{"enabled": enabled, "attribute_name": ""}
		if enabled {
			out["attribute_name"] = ctString(spec, "attributeName")
		}
		return []any{keepUnmodelled(out, firstObject(cur))}, true
	}
}

// dynamoKey derives hash_key or range_key from a CreateTable key schema.
func dynamoKey(keyType string) Value {
	return func(e *Event, _ any) (any, bool) {
		for _, it := range Items(e.Req(), "keySchema") {
			if m, ok := it.(map[string]any); ok && ctString(m, "keyType") == keyType {
				return ctString(m, "attributeName"), true
			}
		}
		return nil, false
	}
}

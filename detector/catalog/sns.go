package catalog

import (
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
)

const snsService = "sns.amazonaws.com"

// SNS topics and subscriptions, both found by ARN (their Terraform ID).
// Set*Attributes calls set one attribute per call: attributeName says which,
// attributeValue holds it as a string ("true", "2", a JSON document).
var snsEntries = []Entry{
	{
		Provider: change.AWS, Service: snsService, Event: "SetTopicAttributes",
		Doc: "sets one attribute of a topic (policy, display name, encryption, …)",
		Targets: []Target{
			{Type: "aws_sns_topic", Op: Modify, Key: "arn", ID: ReqID("topicArn"),
				Attrs: []Attr{
					{Name: "policy", Value: snsAttr("Policy", snsDoc)},
					{Name: "delivery_policy", Value: snsAttr("DeliveryPolicy", snsDoc)},
					{Name: "display_name", Value: snsAttr("DisplayName", snsText)},
					{Name: "kms_master_key_id", Value: snsAttr("KmsMasterKeyId", snsText)},
					{Name: "signature_version", Value: ctNumeric(snsAttr("SignatureVersion", snsText))},
					{Name: "tracing_config", Value: snsAttr("TracingConfig", snsText)},
				}},
			{Type: "aws_sns_topic_policy", Op: Modify, Key: "arn", ID: snsIDIfAttr("topicArn", "Policy"),
				Attrs: []Attr{{Name: "policy", Value: snsAttr("Policy", snsDoc)}}},
		},
	},
	{
		Provider: change.AWS, Service: snsService, Event: "CreateTopic",
		Doc: "creates a topic",
		Targets: []Target{{
			Type: "aws_sns_topic", Op: Create, Key: "arn", ID: RespID("topicArn"),
			Attrs: []Attr{
				{Name: "name", Value: Req("name")},
				{Name: "fifo_topic", Value: Bool(Req("attributes.FifoTopic"))},
			},
		}},
	},
	{
		Provider: change.AWS, Service: snsService, Event: "DeleteTopic",
		Doc:     "deletes a topic",
		Targets: []Target{{Type: "aws_sns_topic", Op: Delete, Key: "arn", ID: ReqID("topicArn")}},
	},
	{
		// An e-mail or HTTP subscription waits for confirmation: the
		// response then says "pending confirmation" instead of an ARN, and
		// there is nothing to look up yet.
		Provider: change.AWS, Service: snsService, Event: "Subscribe",
		Doc: "subscribes an endpoint to a topic",
		Targets: []Target{{
			Type: "aws_sns_topic_subscription", Op: Create, Key: "arn",
			ID: MapID(RespID("subscriptionArn"), snsOnlyARN),
			Attrs: []Attr{
				{Name: "topic_arn", Value: Req("topicArn")},
				{Name: "protocol", Value: Req("protocol")},
				{Name: "endpoint", Value: Req("endpoint")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: snsService, Event: "Unsubscribe",
		Doc:     "deletes a subscription",
		Targets: []Target{{Type: "aws_sns_topic_subscription", Op: Delete, Key: "arn", ID: ReqID("subscriptionArn")}},
	},
	{
		Provider: change.AWS, Service: snsService, Event: "SetSubscriptionAttributes",
		Doc: "sets one attribute of a subscription (filter policy, raw delivery, …)",
		Targets: []Target{{
			Type: "aws_sns_topic_subscription", Op: Modify, Key: "arn", ID: ReqID("subscriptionArn"),
			Attrs: []Attr{
				{Name: "filter_policy", Value: snsAttr("FilterPolicy", snsDoc)},
				{Name: "raw_message_delivery", Value: snsAttr("RawMessageDelivery", snsBool)},
				{Name: "redrive_policy", Value: snsAttr("RedrivePolicy", snsDoc)},
			},
		}},
	},
}

func init() { registerGuarded(snsEntries) }

// snsAttr derives an attribute from a Set*Attributes call when the call
// names it (attributeName), converting attributeValue with conv.
func snsAttr(name string, conv func(string) (any, bool)) Value {
	return func(e *Event, _ any) (any, bool) {
		if ctString(e.Req(), "attributeName") != name {
			return nil, false
		}
		v, present := firstValue(e.Req(), []string{"attributeValue"})
		if !present {
			// An absent value clears the attribute.
			return conv("")
		}
		s, _ := v.(string)
		return conv(s)
	}
}

func snsText(s string) (any, bool) { return s, true }
func snsDoc(s string) (any, bool)  { return UnescapeDoc(s), true }
func snsBool(s string) (any, bool) { return toBool(s) }

// snsIDIfAttr names the resource at path only when the call sets attribute
// name: a topic's DisplayName is no business of its aws_sns_topic_policy.
func snsIDIfAttr(path, name string) IDs {
	return func(e *Event) []string {
		if ctString(e.Req(), "attributeName") != name {
			return nil
		}
		return Strings(e.Req(), path)
	}
}

func snsOnlyARN(s string) string {
	if strings.HasPrefix(s, "arn:") {
		return s
	}
	return ""
}

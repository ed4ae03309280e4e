package catalog

import (
	"net/url"
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
)

const sqsService = "sqs.amazonaws.com"

// SQS queues. aws_sqs_queue's ID is the queue URL, as are the queue_url
// keys of aws_sqs_queue_policy and aws_sqs_queue_redrive_policy. Callers may
// address a queue through a legacy or VPC-endpoint host; the URL is brought
// to the https://sqs.REGION.amazonaws.com/ACCOUNT/NAME form the API returns
// and the provider stores.
//
// SetQueueAttributes carries the changed attributes as a map of strings
// (requestParameters.attributes), named as in the API.
var sqsEntries = []Entry{
	{
		Provider: change.AWS, Service: sqsService, Event: "SetQueueAttributes",
		Doc: "sets queue attributes (timeouts, retention, policy, redrive, encryption)",
		Targets: []Target{
			{Type: "aws_sqs_queue", Op: Modify, Key: "id", ID: sqsQueueURL("queueUrl"),
				Attrs: []Attr{
					{Name: "visibility_timeout_seconds", Value: ctNumeric(Req("attributes.VisibilityTimeout"))},
					{Name: "message_retention_seconds", Value: ctNumeric(Req("attributes.MessageRetentionPeriod"))},
					{Name: "max_message_size", Value: ctNumeric(Req("attributes.MaximumMessageSize"))},
					{Name: "delay_seconds", Value: ctNumeric(Req("attributes.DelaySeconds"))},
					{Name: "receive_wait_time_seconds", Value: ctNumeric(Req("attributes.ReceiveMessageWaitTimeSeconds"))},
					{Name: "policy", Value: Doc("attributes.Policy")},
					{Name: "redrive_policy", Value: Doc("attributes.RedrivePolicy")},
					{Name: "redrive_allow_policy", Value: Doc("attributes.RedriveAllowPolicy")},
					{Name: "kms_master_key_id", Value: Req("attributes.KmsMasterKeyId")},
					{Name: "kms_data_key_reuse_period_seconds", Value: ctNumeric(Req("attributes.KmsDataKeyReusePeriodSeconds"))},
					{Name: "sqs_managed_sse_enabled", Value: Bool(Req("attributes.SqsManagedSseEnabled"))},
					{Name: "content_based_deduplication", Value: Bool(Req("attributes.ContentBasedDeduplication"))},
				}},
			// An empty Policy or RedrivePolicy removes it; the provider
			// then drops the stand-alone resource from state.
			{Type: "aws_sqs_queue_policy", Op: Modify, Key: "queue_url", ID: sqsURLIfAttr("Policy", true),
				Attrs: []Attr{{Name: "policy", Value: Doc("attributes.Policy")}}},
			{Type: "aws_sqs_queue_policy", Op: Delete, Key: "queue_url", ID: sqsURLIfAttr("Policy", false)},
			{Type: "aws_sqs_queue_redrive_policy", Op: Modify, Key: "queue_url", ID: sqsURLIfAttr("RedrivePolicy", true),
				Attrs: []Attr{{Name: "redrive_policy", Value: Doc("attributes.RedrivePolicy")}}},
			{Type: "aws_sqs_queue_redrive_policy", Op: Delete, Key: "queue_url", ID: sqsURLIfAttr("RedrivePolicy", false)},
		},
	},
	{
		Provider: change.AWS, Service: sqsService, Event: "CreateQueue",
		Doc: "creates a queue",
		Targets: []Target{{
			Type: "aws_sqs_queue", Op: Create, Key: "id", ID: sqsQueueURLResp(),
			Attrs: []Attr{
				{Name: "name", Value: Req("queueName")},
				{Name: "fifo_queue", Value: Bool(Req("attributes.FifoQueue"))},
				{Name: "kms_master_key_id", Value: Req("attributes.KmsMasterKeyId")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: sqsService, Event: "DeleteQueue",
		Doc:     "deletes a queue",
		Targets: []Target{{Type: "aws_sqs_queue", Op: Delete, Key: "id", ID: sqsQueueURL("queueUrl")}},
	},
	{
		Provider: change.AWS, Service: sqsService, Event: "TagQueue",
		Doc:     "adds or overwrites tags of a queue",
		Targets: []Target{Tags("aws_sqs_queue", "id", sqsQueueURL("queueUrl"), TagMapEdit("tags"))},
	},
	{
		Provider: change.AWS, Service: sqsService, Event: "UntagQueue",
		Doc:     "removes tags from a queue",
		Targets: []Target{Tags("aws_sqs_queue", "id", sqsQueueURL("queueUrl"), TagKeysEdit("tagKeys"))},
	},
}

func init() { registerGuarded(sqsEntries) }

// sqsQueueURL takes the queue URL at path in the request, in canonical form.
func sqsQueueURL(path string) IDs {
	return func(e *Event) []string {
		var out []string
		for _, u := range Strings(e.Req(), path) {
			if c := sqsCanonicalURL(u, e.Region); c != "" {
				out = append(out, c)
			}
		}
		return out
	}
}

// sqsQueueURLResp takes CreateQueue's response URL.
func sqsQueueURLResp() IDs {
	return func(e *Event) []string {
		var out []string
		for _, u := range Strings(e.Resp(), "queueUrl") {
			if c := sqsCanonicalURL(u, e.Region); c != "" {
				out = append(out, c)
			}
		}
		return out
	}
}

// sqsURLIfAttr names the queue when the call sets attribute name to a
// non-empty value (set) or to the empty string (!set).
func sqsURLIfAttr(name string, set bool) IDs {
	ids := sqsQueueURL("queueUrl")
	return func(e *Event) []string {
		attrs, ok := First(e.Req(), "attributes").(map[string]any)
		if !ok {
			return nil
		}
		v, present := attrs[name]
		if !present {
			return nil
		}
		s, _ := v.(string)
		if (strings.TrimSpace(s) != "") != set {
			return nil
		}
		return ids(e)
	}
}

// sqsCanonicalURL rewrites a queue URL to https://sqs.REGION.DOMAIN/ACCOUNT/NAME.
// Legacy hosts (queue.amazonaws.com, REGION.queue.amazonaws.com) and
// VPC-endpoint hosts name the same queue; region is the record's, used when
// the host does not say. Anything that is not a queue URL is returned as is.
func sqsCanonicalURL(raw, region string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return raw
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) != 2 || !sqsAccount(parts[0]) || !sqsQueueName(parts[1]) {
		return raw
	}
	host := strings.ToLower(u.Host)
	if host == "" || strings.Trim(host, "abcdefghijklmnopqrstuvwxyz0123456789.-:") != "" {
		return raw
	}
	if strings.HasPrefix(host, "sqs.") {
		return "https://" + host + "/" + parts[0] + "/" + parts[1]
	}
	for _, legacy := range []string{".queue.amazonaws.com", ".queue.amazonaws.com.cn"} {
		if r, ok := strings.CutSuffix(host, legacy); ok && r != "" {
			region = r
		}
	}
	region = strings.ToLower(region)
	if region == "" || strings.Trim(region, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		return raw
	}
	domain := "amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		domain = "amazonaws.com.cn"
	}
	return "https://sqs." + region + "." + domain + "/" + parts[0] + "/" + parts[1]
}

// sqsAccount reports whether s is an account ID as a queue URL holds it:
// digits only.
func sqsAccount(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// sqsQueueName reports whether s is a queue name: letters, digits, '-'
// and '_', at most 80 of them, and ".fifo" at the end of a FIFO queue's.
// (A path decoded from %00 or %2F is not one, and is never rewritten.)
func sqsQueueName(s string) bool {
	s = strings.TrimSuffix(s, ".fifo")
	return s != "" && len(s) <= 80 &&
		strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == ""
}

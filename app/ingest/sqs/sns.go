package sqs

import (
	"bytes"
	"encoding/json"
)

// snsEnvelope is the JSON an SNS topic delivers to an SQS queue when raw
// message delivery is off.
type snsEnvelope struct {
	Type     string  `json:"Type"`
	TopicArn string  `json:"TopicArn"`
	Message  *string `json:"Message"`
}

// unwrapSNS returns the published message inside an SNS notification, or
// body unchanged when it is not one. The signature is not checked: the
// queue's access policy decides who may send, as for any other message.
func unwrapSNS(body []byte) (inner []byte, wrapped bool) {
	// Cheap test first: EventBridge and CloudTrail bodies never have this.
	if !bytes.Contains(body, []byte(`"Notification"`)) {
		return body, false
	}
	var env snsEnvelope
	if json.Unmarshal(body, &env) != nil || env.Type != "Notification" || env.TopicArn == "" || env.Message == nil {
		return body, false
	}
	return []byte(*env.Message), true
}

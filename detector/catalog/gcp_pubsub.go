package catalog

import "github.com/tfdrift/tfdrift/detector/change"

func init() { register(gcpPubSubEntries) }

const gcpPubSubService = "pubsub.googleapis.com"

// Pub/Sub topics and subscriptions, found by their short name (the state
// index narrows them to the record's project, which resourceName may spell
// as an ID or a number).
//
// Sources: the Pub/Sub audit logging documentation (method names
// google.pubsub.v1.Publisher.* and Subscriber.*, resourceName
// projects/P/topics/T and projects/P/subscriptions/S), as used by Cloud
// Custodian's gcp-audit mode (methods: google.pubsub.v1.Publisher.CreateTopic);
// the Pub/Sub API reference for UpdateSubscriptionRequest (subscription,
// updateMask).
var gcpPubSubEntries = []Entry{
	{
		Provider: change.GCP, Service: gcpPubSubService, Event: "google.pubsub.v1.Publisher.CreateTopic",
		Doc:     "creates a topic",
		Targets: []Target{{Type: "google_pubsub_topic", Op: Create, Key: "name", ID: gcpLastSegment("/topics/")}},
	},
	{
		Provider: change.GCP, Service: gcpPubSubService, Event: "google.pubsub.v1.Publisher.DeleteTopic",
		Doc:     "deletes a topic",
		Targets: []Target{{Type: "google_pubsub_topic", Op: Delete, Key: "name", ID: gcpLastSegment("/topics/")}},
	},
	{
		Provider: change.GCP, Service: gcpPubSubService, Event: "google.pubsub.v1.Subscriber.CreateSubscription",
		Doc: "creates a subscription",
		Targets: []Target{{
			Type: "google_pubsub_subscription", Op: Create, Key: "name", ID: gcpLastSegment("/subscriptions/"),
			Attrs: []Attr{{Name: "topic", Value: Req("topic")}},
		}},
	},
	{
		Provider: change.GCP, Service: gcpPubSubService, Event: "google.pubsub.v1.Subscriber.UpdateSubscription",
		Doc: "changes a subscription's delivery settings",
		Targets: []Target{{
			Type: "google_pubsub_subscription", Op: Modify, Key: "name", ID: gcpLastSegment("/subscriptions/"),
			Attrs: []Attr{
				{Name: "ack_deadline_seconds", Value: gcpMasked("ack_deadline_seconds", gcpMaskFields, num("0"), gcpInt(Req("subscription.ackDeadlineSeconds")))},
				{Name: "message_retention_duration", Value: gcpMasked("message_retention_duration", gcpMaskFields, "", Req("subscription.messageRetentionDuration"))},
				{Name: "filter", Value: gcpMasked("filter", gcpMaskFields, "", Req("subscription.filter"))},
			},
		}},
	},
	{
		Provider: change.GCP, Service: gcpPubSubService, Event: "google.pubsub.v1.Subscriber.DeleteSubscription",
		Doc:     "deletes a subscription",
		Targets: []Target{{Type: "google_pubsub_subscription", Op: Delete, Key: "name", ID: gcpLastSegment("/subscriptions/")}},
	},
}

package catalog

import "github.com/tfdrift/tfdrift/detector/change"

const guarddutyService = "guardduty.amazonaws.com"

// GuardDuty detectors, found by detector ID. Disabling or deleting the
// detector turns threat detection off for the region.
//
// Sources: Elastic integrations' recorded CreateDetector (packages/aws/
// data_stream/cloudtrail/_dev/test/pipeline/test-create-detector-json.log:
// enable and clientToken in the request, detectorId in responseElements);
// the GuardDuty API Reference (request syntax of UpdateDetector and
// DeleteDetector).
var guarddutyEntries = []Entry{
	{
		Provider: change.AWS, Service: guarddutyService, Event: "CreateDetector",
		Doc: "creates a detector",
		Targets: []Target{{
			Type: "aws_guardduty_detector", Op: Create, Key: "id", ID: RespID("detectorId"),
			Attrs: []Attr{
				{Name: "enable", Value: Bool(Req("enable"))},
				{Name: "finding_publishing_frequency", Value: Req("findingPublishingFrequency")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: guarddutyService, Event: "UpdateDetector",
		Doc: "enables or disables a detector, or changes how often it publishes findings",
		Targets: []Target{{
			Type: "aws_guardduty_detector", Op: Modify, Key: "id", ID: ReqID("detectorId"),
			Attrs: []Attr{
				{Name: "enable", Value: Bool(Req("enable"))},
				{Name: "finding_publishing_frequency", Value: Req("findingPublishingFrequency")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: guarddutyService, Event: "DeleteDetector",
		Doc:     "deletes a detector",
		Targets: []Target{{Type: "aws_guardduty_detector", Op: Delete, Key: "id", ID: ReqID("detectorId")}},
	},
}

func init() { registerGuarded(guarddutyEntries) }

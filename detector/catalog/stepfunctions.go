package catalog

import "github.com/tfdrift/tfdrift/detector/change"

const statesService = "states.amazonaws.com"

// Step Functions state machines, found by ARN (their ID). The API marks a
// state machine's definition sensitive, so CloudTrail may log the marker
// HIDDEN_DUE_TO_SECURITY_REASONS in its place: the definition is then
// reported as written but hidden.
//
// Sources: the Step Functions API Reference (request and response syntax of
// CreateStateMachine, UpdateStateMachine, DeleteStateMachine, TagResource,
// UntagResource; the API's members are lower camel case and logged as sent).
var statesEntries = []Entry{
	{
		Provider: change.AWS, Service: statesService, Event: "CreateStateMachine",
		Doc: "creates a state machine",
		Targets: []Target{{
			Type: "aws_sfn_state_machine", Op: Create, Key: "arn", ID: RespID("stateMachineArn"),
			Attrs: []Attr{
				{Name: "name", Value: Req("name")},
				{Name: "type", Value: Req("type")},
				{Name: "role_arn", Value: Req("roleArn")},
				{Name: "definition", Value: Hidden(Doc("definition"))},
			},
		}},
	},
	{
		Provider: change.AWS, Service: statesService, Event: "UpdateStateMachine",
		Doc: "changes a state machine's definition or role",
		Targets: []Target{{
			Type: "aws_sfn_state_machine", Op: Modify, Key: "arn", ID: ReqID("stateMachineArn"),
			Attrs: []Attr{
				{Name: "definition", Value: Hidden(Doc("definition"))},
				{Name: "role_arn", Value: Req("roleArn")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: statesService, Event: "DeleteStateMachine",
		Doc:     "deletes a state machine",
		Targets: []Target{{Type: "aws_sfn_state_machine", Op: Delete, Key: "arn", ID: ReqID("stateMachineArn")}},
	},
	{
		Provider: change.AWS, Service: statesService, Event: "TagResource",
		Doc:     "adds or overwrites tags of a state machine",
		Targets: []Target{Tags("aws_sfn_state_machine", "arn", ReqID("resourceArn"), TagListEdit("tags", "key", "value", false))},
	},
	{
		Provider: change.AWS, Service: statesService, Event: "UntagResource",
		Doc:     "removes tags from a state machine",
		Targets: []Target{Tags("aws_sfn_state_machine", "arn", ReqID("resourceArn"), TagKeysEdit("tagKeys"))},
	},
}

func init() { registerGuarded(statesEntries) }

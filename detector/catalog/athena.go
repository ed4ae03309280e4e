package catalog

import "github.com/tfdrift/tfdrift/detector/change"

const athenaService = "athena.amazonaws.com"

// Athena workgroups, found by name.
//
// Sources: the Athena API Reference (request syntax of CreateWorkGroup,
// UpdateWorkGroup, DeleteWorkGroup), logged with lower-cased member names.
var athenaEntries = []Entry{
	{
		Provider: change.AWS, Service: athenaService, Event: "CreateWorkGroup",
		Doc: "creates a workgroup",
		Targets: []Target{{
			Type: "aws_athena_workgroup", Op: Create, Key: "id", ID: ReqID("name"),
			Attrs: []Attr{{Name: "description", Value: Req("description")}},
		}},
	},
	{
		Provider: change.AWS, Service: athenaService, Event: "UpdateWorkGroup",
		Doc: "changes a workgroup's description or state",
		Targets: []Target{{
			Type: "aws_athena_workgroup", Op: Modify, Key: "id", ID: ReqID("workGroup"),
			Attrs: []Attr{{Name: "description", Value: Req("description")}, {Name: "state", Value: Req("state")}},
		}},
	},
	{
		Provider: change.AWS, Service: athenaService, Event: "DeleteWorkGroup",
		Doc:     "deletes a workgroup",
		Targets: []Target{{Type: "aws_athena_workgroup", Op: Delete, Key: "id", ID: ReqID("workGroup")}},
	},
}

func init() { registerGuarded(athenaEntries) }

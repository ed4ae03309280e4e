package catalog

import "github.com/tfdrift/tfdrift/detector/change"

const ssmService = "ssm.amazonaws.com"

// SSM Parameter Store and documents. aws_ssm_parameter and aws_ssm_document
// are found by name. PutParameter creates a parameter or, with overwrite,
// replaces its value; CloudTrail never shows the value (the API marks it
// sensitive), so a write is reported as a value written but hidden.
//
// Sources: the Systems Manager API Reference (request syntax of
// PutParameter, DeleteParameter(s), AddTagsToResource,
// RemoveTagsFromResource, CreateDocument, UpdateDocument, DeleteDocument),
// logged with lower-cased member names.
var ssmEntries = []Entry{
	{
		Provider: change.AWS, Service: ssmService, Event: "PutParameter",
		Doc: "creates a parameter or overwrites its value",
		Targets: ModifyOrCreate(Target{
			Type: "aws_ssm_parameter", Key: "id", ID: ReqID("name"),
			Attrs: []Attr{
				{Name: "value", Value: Always()},
				{Name: "type", Value: Req("type")},
				{Name: "description", Value: Req("description")},
				{Name: "tier", Value: Req("tier")},
				{Name: "key_id", Value: Req("keyId")},
				{Name: "allowed_pattern", Value: Req("allowedPattern")},
				{Name: "data_type", Value: Req("dataType")},
			},
		}),
	},
	{
		Provider: change.AWS, Service: ssmService, Event: "DeleteParameter",
		Doc:     "deletes a parameter",
		Targets: []Target{{Type: "aws_ssm_parameter", Op: Delete, Key: "id", ID: ReqID("name")}},
	},
	{
		Provider: change.AWS, Service: ssmService, Event: "DeleteParameters",
		Doc:     "deletes several parameters",
		Targets: []Target{{Type: "aws_ssm_parameter", Op: Delete, Key: "id", ID: ReqID("names")}},
	},
	{
		Provider: change.AWS, Service: ssmService, Event: "AddTagsToResource",
		Doc: "adds or overwrites tags of a parameter or document",
		Targets: []Target{
			Tags("aws_ssm_parameter", "id", WhenReq("resourceType", "Parameter", ReqID("resourceId")), TagListEdit("tags", "key", "value", false)),
			Tags("aws_ssm_document", "id", WhenReq("resourceType", "Document", ReqID("resourceId")), TagListEdit("tags", "key", "value", false)),
		},
	},
	{
		Provider: change.AWS, Service: ssmService, Event: "RemoveTagsFromResource",
		Doc: "removes tags from a parameter or document",
		Targets: []Target{
			Tags("aws_ssm_parameter", "id", WhenReq("resourceType", "Parameter", ReqID("resourceId")), TagKeysEdit("tagKeys")),
			Tags("aws_ssm_document", "id", WhenReq("resourceType", "Document", ReqID("resourceId")), TagKeysEdit("tagKeys")),
		},
	},
	{
		Provider: change.AWS, Service: ssmService, Event: "CreateDocument",
		Doc: "creates an SSM document",
		Targets: []Target{{
			Type: "aws_ssm_document", Op: Create, Key: "id", ID: ReqID("name"),
			Attrs: []Attr{
				{Name: "document_type", Value: Req("documentType")},
				{Name: "document_format", Value: Req("documentFormat")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: ssmService, Event: "UpdateDocument",
		Doc: "adds a new version of an SSM document",
		Targets: []Target{{
			Type: "aws_ssm_document", Op: Modify, Key: "id", ID: ReqID("name"),
			Attrs: []Attr{{Name: "content", Value: Doc("content")}},
		}},
	},
	{
		Provider: change.AWS, Service: ssmService, Event: "DeleteDocument",
		Doc:     "deletes an SSM document",
		Targets: []Target{{Type: "aws_ssm_document", Op: Delete, Key: "id", ID: ReqID("name")}},
	},
}

func init() { registerGuarded(ssmEntries) }

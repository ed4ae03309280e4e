package catalog

import "github.com/tfdrift/tfdrift/detector/change"

const orgsService = "organizations.amazonaws.com"

// AWS Organizations: service control policies and other policies, their
// attachments, organizational units and account placement. A policy is
// found by its ID (p-…), an attachment by policy_id:target_id.
//
// Sources: the Organizations API Reference (request and response syntax of
// each action), logged with lower-cased member names. The service is
// global: its records carry region us-east-1.
var orgsEntries = []Entry{
	{
		Provider: change.AWS, Service: orgsService, Event: "CreatePolicy",
		Doc: "creates a policy (SCP, tag, backup or AI opt-out policy)",
		Targets: []Target{{
			Type: "aws_organizations_policy", Op: Create, Key: "id", ID: RespID("policy.policySummary.id"),
			Attrs: []Attr{
				{Name: "name", Value: Req("name")},
				{Name: "type", Value: Req("type")},
				{Name: "description", Value: Req("description")},
				{Name: "content", Value: Doc("content")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: orgsService, Event: "UpdatePolicy",
		Doc: "changes a policy's document, name or description",
		Targets: []Target{{
			Type: "aws_organizations_policy", Op: Modify, Key: "id", ID: ReqID("policyId"),
			Attrs: []Attr{
				{Name: "content", Value: Doc("content")},
				{Name: "name", Value: Req("name")},
				{Name: "description", Value: Req("description")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: orgsService, Event: "DeletePolicy",
		Doc:     "deletes a policy",
		Targets: []Target{{Type: "aws_organizations_policy", Op: Delete, Key: "id", ID: ReqID("policyId")}},
	},
	{
		Provider: change.AWS, Service: orgsService, Event: "AttachPolicy",
		Doc:     "attaches a policy to a root, OU or account",
		Targets: []Target{{Type: "aws_organizations_policy_attachment", Op: Create, Key: "policy_id:target_id", ID: JoinID(":", ReqID("policyId"), ReqID("targetId"))}},
	},
	{
		// Detaching an SCP lifts its guardrails from every account below.
		Provider: change.AWS, Service: orgsService, Event: "DetachPolicy",
		Doc:     "detaches a policy from a root, OU or account",
		Targets: []Target{{Type: "aws_organizations_policy_attachment", Op: Delete, Key: "policy_id:target_id", ID: JoinID(":", ReqID("policyId"), ReqID("targetId"))}},
	},
	{
		Provider: change.AWS, Service: orgsService, Event: "CreateOrganizationalUnit",
		Doc: "creates an organizational unit",
		Targets: []Target{{
			Type: "aws_organizations_organizational_unit", Op: Create, Key: "id", ID: RespID("organizationalUnit.id"),
			Attrs: []Attr{{Name: "name", Value: Req("name")}, {Name: "parent_id", Value: Req("parentId")}},
		}},
	},
	{
		Provider: change.AWS, Service: orgsService, Event: "UpdateOrganizationalUnit",
		Doc: "renames an organizational unit",
		Targets: []Target{{
			Type: "aws_organizations_organizational_unit", Op: Modify, Key: "id", ID: ReqID("organizationalUnitId"),
			Attrs: []Attr{{Name: "name", Value: Req("name")}},
		}},
	},
	{
		Provider: change.AWS, Service: orgsService, Event: "DeleteOrganizationalUnit",
		Doc:     "deletes an organizational unit",
		Targets: []Target{{Type: "aws_organizations_organizational_unit", Op: Delete, Key: "id", ID: ReqID("organizationalUnitId")}},
	},
	{
		// Moving an account changes which SCPs apply to it.
		Provider: change.AWS, Service: orgsService, Event: "MoveAccount",
		Doc: "moves an account to another OU or the root",
		Targets: []Target{{
			Type: "aws_organizations_account", Op: Modify, Key: "id", ID: ReqID("accountId"),
			Attrs: []Attr{{Name: "parent_id", Value: Req("destinationParentId")}},
		}},
	},
}

func init() { registerGuarded(orgsEntries) }

package catalog

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
)

const iamService = "iam.amazonaws.com"

// IAM. CloudTrail logs IAM requests with camelCase names (roleName,
// policyDocument) and policy documents as JSON strings, sometimes
// URL-encoded; Doc undoes that and comparison is semantic.
//
// Where a call changes both a stand-alone resource and an attribute of its
// parent (an inline policy also shows in aws_iam_role.inline_policy, an
// attachment in aws_iam_role.managed_policy_arns), the parent's attribute
// is an Inline target: the stand-alone resources (aws_iam_role_policy,
// aws_iam_role_policy_attachment) manage it whenever state holds any for
// the role. Then a new policy or attachment is an unmanaged stand-alone
// resource, reported by the Secondary Create; without them it is drift on
// the role's inline_policy or managed_policy_arns.
var iamEntries = []Entry{
	// Inline policies. Put*Policy is an upsert: it replaces the policy when
	// it exists and creates it otherwise.
	{
		Provider: change.AWS, Service: iamService, Event: "PutRolePolicy",
		Doc: "creates or replaces an inline policy of a role",
		Targets: []Target{
			{Type: "aws_iam_role_policy", Op: Modify, Key: "id", ID: iamPairID("roleName", "policyName"),
				Attrs: []Attr{{Name: "policy", Value: Doc("policyDocument")}}},
			{Type: "aws_iam_role", Op: Modify, Key: "name", ID: ReqID("roleName"), Inline: iamRolePolicies,
				Attrs: []Attr{{Name: "inline_policy", Value: iamInlinePolicyPut()}}},
			{Type: "aws_iam_role_policy", Op: Create, Key: "id", Secondary: true, ID: iamPairID("roleName", "policyName"),
				Attrs: []Attr{
					{Name: "role", Value: Req("roleName")},
					{Name: "name", Value: Req("policyName")},
					{Name: "policy", Value: Doc("policyDocument")},
				}},
		},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "DeleteRolePolicy",
		Doc: "deletes an inline policy of a role",
		Targets: []Target{
			{Type: "aws_iam_role_policy", Op: Delete, Key: "id", ID: iamPairID("roleName", "policyName")},
			{Type: "aws_iam_role", Op: Modify, Key: "name", ID: ReqID("roleName"), Inline: iamRolePolicies,
				Attrs: []Attr{{Name: "inline_policy", Value: iamInlinePolicyDelete()}}},
		},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "PutUserPolicy",
		Doc: "creates or replaces an inline policy of a user",
		Targets: []Target{
			{Type: "aws_iam_user_policy", Op: Modify, Key: "id", ID: iamPairID("userName", "policyName"),
				Attrs: []Attr{{Name: "policy", Value: Doc("policyDocument")}}},
			{Type: "aws_iam_user_policy", Op: Create, Key: "id", ID: iamPairID("userName", "policyName"),
				Attrs: []Attr{
					{Name: "user", Value: Req("userName")},
					{Name: "name", Value: Req("policyName")},
					{Name: "policy", Value: Doc("policyDocument")},
				}},
		},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "DeleteUserPolicy",
		Doc: "deletes an inline policy of a user",
		Targets: []Target{
			{Type: "aws_iam_user_policy", Op: Delete, Key: "id", ID: iamPairID("userName", "policyName")},
		},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "PutGroupPolicy",
		Doc: "creates or replaces an inline policy of a group",
		Targets: []Target{
			{Type: "aws_iam_group_policy", Op: Modify, Key: "id", ID: iamPairID("groupName", "policyName"),
				Attrs: []Attr{{Name: "policy", Value: Doc("policyDocument")}}},
			{Type: "aws_iam_group_policy", Op: Create, Key: "id", ID: iamPairID("groupName", "policyName"),
				Attrs: []Attr{
					{Name: "group", Value: Req("groupName")},
					{Name: "name", Value: Req("policyName")},
					{Name: "policy", Value: Doc("policyDocument")},
				}},
		},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "DeleteGroupPolicy",
		Doc: "deletes an inline policy of a group",
		Targets: []Target{
			{Type: "aws_iam_group_policy", Op: Delete, Key: "id", ID: iamPairID("groupName", "policyName")},
		},
	},

	// Managed policy attachments. The attachment resources' own IDs are
	// generated ("role-2021…"), so they are found by role/user/group and
	// policy ARN together.
	{
		Provider: change.AWS, Service: iamService, Event: "AttachRolePolicy",
		Doc: "attaches a managed policy to a role",
		Targets: []Target{
			{Type: "aws_iam_role", Op: Modify, Key: "name", ID: ReqID("roleName"), Inline: iamRoleAttachments,
				Attrs: []Attr{{Name: "managed_policy_arns", Value: ctSetAdd("policyArn")}}},
			{Type: "aws_iam_role_policy_attachment", Op: Create, Key: "role:policy_arn", Secondary: true,
				ID: iamPairID("roleName", "policyArn"),
				Attrs: []Attr{
					{Name: "role", Value: Req("roleName")},
					{Name: "policy_arn", Value: Req("policyArn")},
				}},
		},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "DetachRolePolicy",
		Doc: "detaches a managed policy from a role",
		Targets: []Target{
			{Type: "aws_iam_role", Op: Modify, Key: "name", ID: ReqID("roleName"), Inline: iamRoleAttachments,
				Attrs: []Attr{{Name: "managed_policy_arns", Value: ctSetRemove("policyArn")}}},
			{Type: "aws_iam_role_policy_attachment", Op: Delete, Key: "role:policy_arn",
				ID: iamPairID("roleName", "policyArn")},
		},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "AttachUserPolicy",
		Doc: "attaches a managed policy to a user",
		Targets: []Target{
			{Type: "aws_iam_user_policy_attachment", Op: Create, Key: "user:policy_arn",
				ID: iamPairID("userName", "policyArn"),
				Attrs: []Attr{
					{Name: "user", Value: Req("userName")},
					{Name: "policy_arn", Value: Req("policyArn")},
				}},
		},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "DetachUserPolicy",
		Doc: "detaches a managed policy from a user",
		Targets: []Target{
			{Type: "aws_iam_user_policy_attachment", Op: Delete, Key: "user:policy_arn",
				ID: iamPairID("userName", "policyArn")},
		},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "AttachGroupPolicy",
		Doc: "attaches a managed policy to a group",
		Targets: []Target{
			{Type: "aws_iam_group_policy_attachment", Op: Create, Key: "group:policy_arn",
				ID: iamPairID("groupName", "policyArn"),
				Attrs: []Attr{
					{Name: "group", Value: Req("groupName")},
					{Name: "policy_arn", Value: Req("policyArn")},
				}},
		},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "DetachGroupPolicy",
		Doc: "detaches a managed policy from a group",
		Targets: []Target{
			{Type: "aws_iam_group_policy_attachment", Op: Delete, Key: "group:policy_arn",
				ID: iamPairID("groupName", "policyArn")},
		},
	},

	// Roles.
	{
		Provider: change.AWS, Service: iamService, Event: "CreateRole",
		Doc: "creates a role",
		Targets: []Target{{
			Type: "aws_iam_role", Op: Create, Key: "name", ID: AnyID(RespID("role.roleName"), ReqID("roleName")),
			Attrs: []Attr{
				{Name: "name", Value: Req("roleName")},
				{Name: "arn", Value: Resp("role.arn")},
				{Name: "path", Value: Req("path")},
				{Name: "description", Value: Req("description")},
				{Name: "assume_role_policy", Value: Doc("assumeRolePolicyDocument")},
				{Name: "max_session_duration", Value: Req("maxSessionDuration")},
				{Name: "permissions_boundary", Value: Req("permissionsBoundary")},
				{Name: "tags", Value: OwnTags(TagListEdit("tags", "key", "value", true))},
			},
		}},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "DeleteRole",
		Doc:     "deletes a role",
		Targets: []Target{{Type: "aws_iam_role", Op: Delete, Key: "name", ID: ReqID("roleName")}},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "UpdateRole",
		Doc: "changes a role's description or maximum session duration",
		Targets: []Target{{
			Type: "aws_iam_role", Op: Modify, Key: "name", ID: ReqID("roleName"),
			Attrs: []Attr{
				{Name: "description", Value: Req("description")},
				{Name: "max_session_duration", Value: Req("maxSessionDuration")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "UpdateAssumeRolePolicy",
		Doc: "replaces a role's trust policy",
		Targets: []Target{{
			Type: "aws_iam_role", Op: Modify, Key: "name", ID: ReqID("roleName"),
			Attrs: []Attr{{Name: "assume_role_policy", Value: Doc("policyDocument")}},
		}},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "PutRolePermissionsBoundary",
		Doc: "sets a role's permissions boundary",
		Targets: []Target{{
			Type: "aws_iam_role", Op: Modify, Key: "name", ID: ReqID("roleName"),
			Attrs: []Attr{{Name: "permissions_boundary", Value: Req("permissionsBoundary")}},
		}},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "DeleteRolePermissionsBoundary",
		Doc: "removes a role's permissions boundary",
		Targets: []Target{{
			Type: "aws_iam_role", Op: Modify, Key: "name", ID: ReqID("roleName"),
			Attrs: []Attr{{Name: "permissions_boundary", Value: Const("")}},
		}},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "TagRole",
		Doc:     "adds or overwrites tags of a role",
		Targets: []Target{Tags("aws_iam_role", "name", ReqID("roleName"), TagListEdit("tags", "key", "value", false))},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "UntagRole",
		Doc:     "removes tags from a role",
		Targets: []Target{Tags("aws_iam_role", "name", ReqID("roleName"), TagKeysEdit("tagKeys"))},
	},

	// Users, keys and groups.
	{
		Provider: change.AWS, Service: iamService, Event: "CreateUser",
		Doc: "creates a user",
		Targets: []Target{{
			Type: "aws_iam_user", Op: Create, Key: "name", ID: AnyID(RespID("user.userName"), ReqID("userName")),
			Attrs: []Attr{
				{Name: "name", Value: Req("userName")},
				{Name: "arn", Value: Resp("user.arn")},
				{Name: "path", Value: Req("path")},
				{Name: "permissions_boundary", Value: Req("permissionsBoundary")},
				{Name: "tags", Value: OwnTags(TagListEdit("tags", "key", "value", true))},
			},
		}},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "DeleteUser",
		Doc:     "deletes a user",
		Targets: []Target{{Type: "aws_iam_user", Op: Delete, Key: "name", ID: ReqID("userName")}},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "TagUser",
		Doc:     "adds or overwrites tags of a user",
		Targets: []Target{Tags("aws_iam_user", "name", ReqID("userName"), TagListEdit("tags", "key", "value", false))},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "UntagUser",
		Doc:     "removes tags from a user",
		Targets: []Target{Tags("aws_iam_user", "name", ReqID("userName"), TagKeysEdit("tagKeys"))},
	},
	{
		// The secret is never logged; the key ID is in the response only.
		Provider: change.AWS, Service: iamService, Event: "CreateAccessKey",
		Doc: "creates an access key for a user",
		Targets: []Target{{
			Type: "aws_iam_access_key", Op: Create, Key: "id", ID: RespID("accessKey.accessKeyId"),
			Attrs: []Attr{
				{Name: "user", Value: Resp("accessKey.userName")},
				{Name: "status", Value: Resp("accessKey.status")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "UpdateAccessKey",
		Doc: "activates or deactivates an access key",
		Targets: []Target{{
			Type: "aws_iam_access_key", Op: Modify, Key: "id", ID: ReqID("accessKeyId"),
			Attrs: []Attr{{Name: "status", Value: Req("status")}},
		}},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "DeleteAccessKey",
		Doc:     "deletes an access key",
		Targets: []Target{{Type: "aws_iam_access_key", Op: Delete, Key: "id", ID: ReqID("accessKeyId")}},
	},
	{
		// aws_iam_group_membership owns a group's whole member list, so a
		// member added or removed elsewhere is drift on its users set.
		// (aws_iam_user_group_membership is not exclusive: one user may have
		// several, and none of them is wrong when another group is added.)
		Provider: change.AWS, Service: iamService, Event: "AddUserToGroup",
		Doc: "adds a user to a group",
		Targets: []Target{{
			Type: "aws_iam_group_membership", Op: Modify, Key: "group", ID: ReqID("groupName"),
			Attrs: []Attr{{Name: "users", Value: ctSetAdd("userName")}},
		}},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "RemoveUserFromGroup",
		Doc: "removes a user from a group",
		Targets: []Target{{
			Type: "aws_iam_group_membership", Op: Modify, Key: "group", ID: ReqID("groupName"),
			Attrs: []Attr{{Name: "users", Value: ctSetRemove("userName")}},
		}},
	},

	// Customer managed policies.
	{
		Provider: change.AWS, Service: iamService, Event: "CreatePolicy",
		Doc: "creates a customer managed policy",
		Targets: []Target{{
			Type: "aws_iam_policy", Op: Create, Key: "arn", ID: RespID("policy.arn"),
			Attrs: []Attr{
				{Name: "name", Value: Req("policyName")},
				{Name: "path", Value: Req("path")},
				{Name: "description", Value: Req("description")},
				{Name: "policy", Value: Doc("policyDocument")},
				{Name: "tags", Value: OwnTags(TagListEdit("tags", "key", "value", true))},
			},
		}},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "DeletePolicy",
		Doc:     "deletes a customer managed policy",
		Targets: []Target{{Type: "aws_iam_policy", Op: Delete, Key: "arn", ID: ReqID("policyArn")}},
	},
	{
		// A version that is not made the default changes nothing Terraform
		// reads: aws_iam_policy.policy is the default version's document.
		Provider: change.AWS, Service: iamService, Event: "CreatePolicyVersion",
		Doc: "adds a policy version, the new document when set as default",
		Targets: []Target{{
			Type: "aws_iam_policy", Op: Modify, Key: "arn", ID: ReqID("policyArn"),
			Attrs: []Attr{{Name: "policy", Value: iamDefaultVersionDoc()}},
		}},
	},
	{
		// The record names the version, not its document.
		Provider: change.AWS, Service: iamService, Event: "SetDefaultPolicyVersion",
		Doc: "makes an older policy version the default",
		Targets: []Target{{
			Type: "aws_iam_policy", Op: Modify, Key: "arn", ID: ReqID("policyArn"),
			Attrs: []Attr{{Name: "policy", Value: Redacted("versionId")}},
		}},
	},
}

func init() { registerGuarded(iamEntries) }

// The stand-alone resources that manage a role's inline policies and
// managed policy attachments, found by the role's name.
var (
	iamRolePolicies    = &Split{Type: "aws_iam_role_policy", Key: "role"}
	iamRoleAttachments = &Split{Type: "aws_iam_role_policy_attachment", Key: "role"}
)

// iamPairID joins two request values with ':', the ID form of inline
// policies (role:policy) and the lookup key of policy attachments
// (role:arn:aws:iam::aws:policy/…).
func iamPairID(first, second string) IDs {
	return JoinID(":", ReqID(first), ReqID(second))
}

// iamDefaultVersionDoc derives aws_iam_policy.policy from a
// CreatePolicyVersion request only when the new version becomes the
// default one.
func iamDefaultVersionDoc() Value {
	doc := Doc("policyDocument")
	return func(e *Event, cur any) (any, bool) {
		if b, ok := toBool(First(e.Req(), "setAsDefault")); !ok || b != true {
			return nil, false
		}
		return doc(e, cur)
	}
}

// iamInlinePolicyPut derives aws_iam_role.inline_policy after PutRolePolicy:
// the role's inline policies with the named one added or replaced. The
// provider reads every inline policy of the role into this set.
func iamInlinePolicyPut() Value {
	doc := Doc("policyDocument")
	return func(e *Event, cur any) (any, bool) {
		name := ctString(e.Req(), "policyName")
		policy, ok := doc(e, nil)
		if name == "" || !ok {
			return nil, false
		}
		out := []any{}
		for _, p := range asObjects(cur) {
			if n, _ := p["name"].(string); n != name {
				out = append(out, p)
			}
		}
		return append(out, map[string]any{"name": name, "policy": policy}), true
	}
}

// iamInlinePolicyDelete derives aws_iam_role.inline_policy after
// DeleteRolePolicy.
func iamInlinePolicyDelete() Value {
	return func(e *Event, cur any) (any, bool) {
		name := ctString(e.Req(), "policyName")
		if name == "" {
			return nil, false
		}
		out := []any{}
		for _, p := range asObjects(cur) {
			if n, _ := p["name"].(string); n != name {
				out = append(out, p)
			}
		}
		return out, true
	}
}

// --- Helpers shared by the AWS tables (iam, s3, kms, rds, lambda, dynamodb,
// sns, sqs). ---

// registerGuarded registers a table whose targets only resolve events from
// the entry's own service. The catalog is keyed by event name alone and AWS
// services reuse names (DeleteTable is DynamoDB, Glue and Timestream;
// CreateAlias is KMS and Lambda; CreateKey is KMS and Payment
// Cryptography), so without the guard another service's call could name a
// resource of the same name. Events that carry no service are let through.
func registerGuarded(entries []Entry) {
	for i := range entries {
		service := entries[i].Service
		for j := range entries[i].Targets {
			entries[i].Targets[j].ID = fromService(service, entries[i].Targets[j].ID)
		}
	}
	register(entries)
}

func fromService(service string, ids IDs) IDs {
	return func(e *Event) []string {
		if e.Service != "" && e.Service != service {
			return nil
		}
		return ids(e)
	}
}

// ctString returns the first non-empty scalar, as a string, found at any of
// the paths in v.
func ctString(v any, paths ...string) string {
	for _, p := range paths {
		if s := Strings(v, p); len(s) > 0 {
			return s[0]
		}
	}
	return ""
}

// ctSetAdd derives a set of strings (managed_policy_arns, users) with the
// request values at path added. Values already present add nothing, so a
// repeated call is not drift.
func ctSetAdd(path string) Value {
	return func(e *Event, cur any) (any, bool) {
		add := Strings(e.Req(), path)
		if len(add) == 0 {
			return nil, false
		}
		out := ctStringList(cur)
		for _, a := range add {
			if !contains(out, a) {
				out = append(out, a)
			}
		}
		return toAnyStrings(out), true
	}
}

// ctSetRemove derives a set of strings with the request values at path
// taken out.
func ctSetRemove(path string) Value {
	return func(e *Event, cur any) (any, bool) {
		gone := Strings(e.Req(), path)
		if len(gone) == 0 {
			return nil, false
		}
		out := []string{}
		for _, s := range ctStringList(cur) {
			if !contains(gone, s) {
				out = append(out, s)
			}
		}
		return toAnyStrings(out), true
	}
}

// ctStringList returns the non-empty strings of a state list.
func ctStringList(v any) []string {
	var out []string
	for _, x := range flattenLists([]any{v}) {
		if s, ok := x.(string); ok && strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

func toAnyStrings(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// emptyList derives a fresh empty list on every call, so no caller can
// alter a value shared between events.
func emptyList() Value { return func(*Event, any) (any, bool) { return []any{}, true } }

// firstObject returns the first object of a Terraform block list (blocks
// with MaxItems 1 are lists of one object in state), or nil.
func firstObject(v any) map[string]any {
	if objs := asObjects(v); len(objs) > 0 {
		return objs[0]
	}
	return nil
}

// keepUnmodelled returns derived with the keys of cur that derived does not
// set. Provider schemas grow: a nested object in state may carry attributes
// this catalog does not model, and leaving them out would make every write
// look like drift.
func keepUnmodelled(derived, cur map[string]any) map[string]any {
	for k, v := range cur {
		if _, set := derived[k]; !set {
			derived[k] = v
		}
	}
	return derived
}

// ctBoolOr returns the boolean at key in m, or def when absent or not a
// boolean.
func ctBoolOr(m map[string]any, key string, def bool) bool {
	if b, ok := toBool(m[key]); ok {
		return b.(bool)
	}
	return def
}

// ctNumberOrZero returns the number at key in m (CloudTrail renders XML
// numbers as numbers or strings), or 0, the value the provider stores for
// an unset number, when absent. Numbers made here are json.Number, the type
// decoded records and state carry: Go ints do not compare equal to them.
func ctNumberOrZero(m map[string]any, key string) any {
	if v, ok := m[key]; ok && v != nil {
		return ctToNumber(v)
	}
	return json.Number("0")
}

// ctNumeric turns a number sent as a string ("300", as SQS attribute maps
// and SNS attribute values carry them) into a JSON number, so drift shows
// the value in the attribute's own type. Other values pass unchanged.
func ctNumeric(v Value) Value {
	return Transform(v, func(x any) (any, bool) { return ctToNumber(x), true })
}

// ctToNumber converts a plain decimal string to json.Number and returns
// anything else unchanged.
func ctToNumber(x any) any {
	s, ok := x.(string)
	if !ok {
		return x
	}
	t := strings.TrimSpace(s)
	if t == "" || strings.ContainsAny(t, "eEnNxX+") {
		return x
	}
	if _, err := strconv.ParseFloat(t, 64); err != nil {
		return x
	}
	return json.Number(t)
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

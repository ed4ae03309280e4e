package catalog

import (
	"encoding/json"
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
)

func init() { register(gcpIAMEntries) }

// IAM: service accounts, their keys, custom roles and IAM policies.
//
// IAM records use proto field names in snake_case. Service account calls
// name the account as projects/P/serviceAccounts/EMAIL, often with "-" for
// P, or by its numeric unique ID (resourceName is usually
// projects/-/serviceAccounts/UNIQUE_ID). google_service_account is looked up
// by `email` when the record has it, else by `unique_id`; keys, whose
// provider `id`/`name` is projects/P/serviceAccounts/EMAIL/keys/KEY_ID, get
// P filled in from the email's domain or the record's project.
//
// IAM policies: SetIamPolicy replaces a whole policy, and the record holds
// the result (the response), so the authoritative *_iam_policy resources
// are compared on policy_data. The *_iam_binding and *_iam_member
// resources are found through the record's policy delta (serviceData), one
// identifier per role or per role and member: see gcp_bindings.go.
var gcpIAMEntries = []Entry{
	{
		Provider: change.GCP, Service: gcpIAMService, Event: "google.iam.admin.v1.CreateServiceAccount",
		Doc: "creates a service account",
		Targets: []Target{{
			Type: "google_service_account", Op: Create, Key: "email",
			ID: AnyID(RespID("email"), gcpNewServiceAccountEmail()),
			Attrs: []Attr{
				{Name: "account_id", Value: Req("account_id", "accountId")},
				{Name: "display_name", Value: gcpFirstValue(Resp("display_name", "displayName"),
					Req("service_account.display_name", "serviceAccount.displayName"))},
				{Name: "description", Value: gcpFirstValue(Resp("description"),
					Req("service_account.description", "serviceAccount.description"))},
			},
		}},
	},
	{
		Provider: change.GCP, Service: gcpIAMService, Event: "google.iam.admin.v1.DeleteServiceAccount",
		Doc:     "deletes a service account",
		Targets: gcpServiceAccountTargets(Delete, nil, "name"),
	},
	{
		// Console and Terraform edits: only the masked fields change.
		Provider: change.GCP, Service: gcpIAMService, Event: "google.iam.admin.v1.PatchServiceAccount",
		Doc: "changes the display name or description of a service account",
		Targets: gcpServiceAccountTargets(Modify, []Attr{
			{Name: "display_name", Value: gcpMasked("display_name", gcpMaskFields, "",
				Req("service_account.display_name", "serviceAccount.displayName"))},
			{Name: "description", Value: gcpMasked("description", gcpMaskFields, "",
				Req("service_account.description", "serviceAccount.description"))},
		}, "service_account.name", "serviceAccount.name"),
	},
	{
		// The deprecated full update: the request is the ServiceAccount.
		Provider: change.GCP, Service: gcpIAMService, Event: "google.iam.admin.v1.UpdateServiceAccount",
		Doc: "changes the display name or description of a service account",
		Targets: gcpServiceAccountTargets(Modify, []Attr{
			{Name: "display_name", Value: Req("display_name", "displayName")},
			{Name: "description", Value: Req("description")},
		}, "name"),
	},
	{
		Provider: change.GCP, Service: gcpIAMService, Event: "google.iam.admin.v1.DisableServiceAccount",
		Doc:     "disables a service account",
		Targets: gcpServiceAccountTargets(Modify, []Attr{{Name: "disabled", Value: Const(true)}}, "name"),
	},
	{
		Provider: change.GCP, Service: gcpIAMService, Event: "google.iam.admin.v1.EnableServiceAccount",
		Doc:     "enables a disabled service account",
		Targets: gcpServiceAccountTargets(Modify, []Attr{{Name: "disabled", Value: Const(false)}}, "name"),
	},
	{
		Provider: change.GCP, Service: gcpIAMService, Event: "google.iam.admin.v1.CreateServiceAccountKey",
		Doc: "creates a service account key",
		Targets: []Target{{
			Type: "google_service_account_key", Op: Create, Key: "name",
			ID: gcpServiceAccountProject(RespID("name")),
			Attrs: []Attr{
				{Name: "key_algorithm", Value: gcpFirstValue(Resp("key_algorithm", "keyAlgorithm"),
					Req("key_algorithm", "keyAlgorithm"))},
				{Name: "private_key_type", Value: Req("private_key_type", "privateKeyType")},
			},
		}},
	},
	{
		Provider: change.GCP, Service: gcpIAMService, Event: "google.iam.admin.v1.DeleteServiceAccountKey",
		Doc: "deletes a service account key",
		Targets: []Target{{
			Type: "google_service_account_key", Op: Delete, Key: "name",
			ID: gcpServiceAccountProject(ReqID("name")),
		}},
	},
	{
		// Who may act as (impersonate) the service account.
		Provider: change.GCP, Service: gcpIAMService, Event: "google.iam.admin.v1.SetIAMPolicy",
		Doc: "replaces the IAM policy of a service account",
		Targets: append([]Target{{
			Type: "google_service_account_iam_policy", Op: Modify, Key: "service_account_id",
			ID:    gcpServiceAccountProject(ReqID("resource")),
			Attrs: []Attr{{Name: "policy_data", Value: gcpPolicyData()}},
		}}, gcpBindingTargets("service_account", "service_account_id", gcpServiceAccountProject(ReqID("resource")))...),
	},
	{
		Provider: change.GCP, Service: gcpIAMService, Event: "google.iam.admin.v1.CreateRole",
		Doc: "creates a custom IAM role",
		Targets: gcpCustomRoleTargets(Create, gcpNewRoleName(), []Attr{
			{Name: "role_id", Value: Req("role_id", "roleId")},
			{Name: "title", Value: Req("role.title")},
			{Name: "description", Value: Req("role.description")},
			{Name: "permissions", Value: Req("role.included_permissions", "role.includedPermissions")},
			{Name: "stage", Value: Req("role.stage")},
		}),
	},
	{
		// An empty field under the mask was omitted by the log; it was
		// cleared (stage ALPHA is the enum's zero value).
		Provider: change.GCP, Service: gcpIAMService, Event: "google.iam.admin.v1.UpdateRole",
		Doc: "changes the permissions, title or stage of a custom IAM role",
		Targets: gcpCustomRoleTargets(Modify, ReqID("name"), []Attr{
			{Name: "title", Value: gcpMasked("title", gcpMaskFields, "", Req("role.title"))},
			{Name: "description", Value: gcpMasked("description", gcpMaskFields, "", Req("role.description"))},
			{Name: "permissions", Value: gcpMasked("included_permissions", gcpMaskFields, []any{},
				Req("role.included_permissions", "role.includedPermissions"))},
			{Name: "stage", Value: gcpMasked("stage", gcpMaskFields, "ALPHA", Req("role.stage"))},
		}),
	},
	{
		Provider: change.GCP, Service: gcpIAMService, Event: "google.iam.admin.v1.DeleteRole",
		Doc:     "deletes a custom IAM role",
		Targets: gcpCustomRoleTargets(Delete, ReqID("name"), nil),
	},
	{
		// Cloud Resource Manager logs a bare "SetIamPolicy" for projects,
		// folders and organizations; the binding deltas (gcp_bindings.go)
		// serve the member and binding resources.
		Provider: change.GCP, Service: gcpCRMService, Event: "SetIamPolicy",
		Doc:     "changes the IAM policy of a project, folder or organization",
		Targets: gcpCRMPolicyTargets(),
	},
}

// gcpMaskFields are where patch/update requests keep their field mask.
var gcpMaskFields = []string{"update_mask", "updateMask"}

// gcpFirstValue derives the first of vs that yields a value: the response
// holds what the service stored, the request what the caller sent.
func gcpFirstValue(vs ...Value) Value {
	return func(e *Event, cur any) (any, bool) {
		for _, v := range vs {
			if x, ok := v(e, cur); ok {
				return x, true
			}
		}
		return nil, false
	}
}

// gcpServiceAccountTargets builds the two ways to find a service account:
// by email when the request names it so, else by unique ID.
func gcpServiceAccountTargets(op Op, attrs []Attr, namePaths ...string) []Target {
	return []Target{
		{Type: "google_service_account", Op: op, Key: "email", ID: gcpServiceAccountEmail(namePaths...), Attrs: attrs},
		{Type: "google_service_account", Op: op, Key: "unique_id", ID: gcpServiceAccountUniqueID(namePaths...), Attrs: attrs},
	}
}

// gcpServiceAccountRef returns the account part of
// projects/P/serviceAccounts/ACCOUNT[/keys/K].
func gcpServiceAccountRef(name string) string {
	_, rest, ok := strings.Cut(name, "/serviceAccounts/")
	if !ok {
		return ""
	}
	acct, _, _ := strings.Cut(rest, "/")
	return acct
}

func gcpServiceAccountEmail(namePaths ...string) IDs {
	return func(e *Event) []string {
		for _, id := range firstStrings(e.Req(), namePaths) {
			if acct := gcpServiceAccountRef(id); strings.Contains(acct, "@") {
				return []string{acct}
			}
		}
		return nil
	}
}

// gcpServiceAccountUniqueID yields the numeric ID only when the request
// does not name the account by email, so an account is resolved once.
func gcpServiceAccountUniqueID(namePaths ...string) IDs {
	return func(e *Event) []string {
		if len(gcpServiceAccountEmail(namePaths...)(e)) > 0 {
			return nil
		}
		for _, name := range append(firstStrings(e.Req(), namePaths), e.ResourceName) {
			if acct := gcpServiceAccountRef(name); acct != "" && gcpDigits(acct) {
				return []string{acct}
			}
		}
		return nil
	}
}

func gcpDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// gcpNewServiceAccountEmail spells the email of an account being created
// from the request (name "projects/P", account_id), for records without a
// response. Accounts created by users always live in P.iam.gserviceaccount.com.
func gcpNewServiceAccountEmail() IDs {
	return func(e *Event) []string {
		acct, _ := First(e.Req(), "account_id").(string)
		if acct == "" {
			acct, _ = First(e.Req(), "accountId").(string)
		}
		project, ok := strings.CutPrefix(gcpFirstString(e.Req(), "name"), "projects/")
		if acct == "" || !ok || project == "" || project == "-" || strings.Contains(project, "/") {
			return nil
		}
		return []string{acct + "@" + project + ".iam.gserviceaccount.com"}
	}
}

func gcpFirstString(v any, path string) string {
	s, _ := First(v, path).(string)
	return s
}

// gcpServiceAccountProject fills the "projects/-/" wildcard that IAM
// callers may use in a service account path with the project that owns the
// account: the one in its email's domain (P.iam.gserviceaccount.com), else
// the project the record was logged in. Terraform's identifiers always
// spell the project out.
func gcpServiceAccountProject(ids IDs) IDs {
	return func(e *Event) []string {
		var out []string
		for _, id := range ids(e) {
			rest, ok := strings.CutPrefix(id, "projects/-/")
			if !ok {
				out = append(out, id)
				continue
			}
			project := e.Account
			if _, domain, ok := strings.Cut(gcpServiceAccountRef(id), "@"); ok {
				if p, ok := strings.CutSuffix(domain, ".iam.gserviceaccount.com"); ok && p != "" {
					project = p
				}
			}
			if project != "" {
				out = append(out, "projects/"+project+"/"+rest)
			}
		}
		return out
	}
}

// gcpCustomRoleTargets maps a role name to the project- or
// organization-level custom role resource; both are keyed by `id`, which is
// the role name (projects/P/roles/R, organizations/O/roles/R).
func gcpCustomRoleTargets(op Op, name IDs, attrs []Attr) []Target {
	return []Target{
		{Type: "google_project_iam_custom_role", Op: op, Key: "id", ID: gcpPrefixed("projects/", name), Attrs: attrs},
		{Type: "google_organization_iam_custom_role", Op: op, Key: "id", ID: gcpPrefixed("organizations/", name), Attrs: attrs},
	}
}

// gcpNewRoleName is the created role's name: from the response, else
// parent + "/roles/" + role_id from the request.
func gcpNewRoleName() IDs {
	return AnyID(RespID("name"), JoinID("/roles/", ReqID("parent"), ReqID("role_id", "roleId")))
}

// gcpPolicyData derives policy_data, the JSON document the provider keeps
// for authoritative IAM policies: {"bindings": […], "auditConfigs": […]}
// without etag and version. The response holds the policy as stored; the
// request's policy is used when the record has no response.
func gcpPolicyData() Value {
	return func(e *Event, _ any) (any, bool) {
		pol, ok := e.Resp().(map[string]any)
		if !ok || !gcpIsPolicy(pol) {
			pol, ok = First(e.Req(), "policy").(map[string]any)
			if !ok {
				return nil, false
			}
		}
		out := map[string]any{}
		if b, ok := pol["bindings"].([]any); ok && len(b) > 0 {
			out["bindings"] = gcpCamelKeys(b)
		}
		for _, k := range []string{"auditConfigs", "audit_configs"} {
			if a, ok := pol[k].([]any); ok && len(a) > 0 {
				out["auditConfigs"] = gcpCamelKeys(a)
			}
		}
		doc, err := json.Marshal(out)
		if err != nil {
			return nil, false
		}
		return string(doc), true
	}
}

func gcpIsPolicy(m map[string]any) bool {
	if t, _ := m["@type"].(string); strings.HasSuffix(t, "google.iam.v1.Policy") {
		return true
	}
	_, ok := m["bindings"]
	return ok
}

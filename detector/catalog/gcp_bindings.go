package catalog

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/tfdrift/tfdrift/internal/jsonany"
)

// IAM policy deltas. A SetIamPolicy record carries the whole new policy
// (when it has one at all), but Cloud Audit Logs also states what changed:
// protoPayload.serviceData.policyDelta.bindingDeltas, a list of
// {action: ADD|REMOVE, role, member[, condition]}. That is what the
// non-authoritative IAM resources need, since each manages one role or one
// member:
//
//   - google_*_iam_member (role and member): an ADD of a member that no
//     state manages is reported as a new, unmanaged grant, unless another
//     resource of the call (a binding of the role, the authoritative
//     policy) is in state and answers for it; a REMOVE of a managed member
//     is its deletion;
//   - google_*_iam_binding (one role, all its members): the members after
//     the call's additions and removals for that role;
//   - google_*_iam_policy: policy_data with the deltas applied, where the
//     record has no policy of its own (storage.setIamPermissions).
//
// serviceData is not part of change.Change: it is read from the raw audit
// LogEntry the change was decoded from. Falco alerts carry no serviceData,
// so for them only the authoritative *_iam_policy resources, compared on
// the policy in the request or response, can drift.
//
// Deltas with a condition belong to conditional bindings, which the
// provider keys by condition too; they are left out rather than matched to
// an unconditional grant of the same role and member.
//
// Sources: Cloud Audit Logs' AuditData.policyDelta (google.iam.v1.logging;
// the IAM audit logging documentation shows bindingDeltas with action,
// role and member), as recorded in Panther's fixtures of
// storage.setIamPermissions (rules/gcp_audit_rules/gcp_gcs_iam_changes.yml)
// and Cloud Resource Manager SetIamPolicy (rules/gcp_audit_rules/
// gcp_iam_org_folder_changes.yml and others); the Google provider's IAM
// resource documentation for the keys (project, folder, service_account_id,
// bucket as "b/NAME", role, member, members).

// gcpDelta is one binding delta.
type gcpDelta struct {
	Action, Role, Member string
	Conditional          bool
}

// gcpBindingDeltas reads the unconditional binding deltas of the record.
func gcpBindingDeltas(e *Event) []gcpDelta {
	if len(e.Raw) == 0 {
		return nil
	}
	raw, err := jsonany.Decode(e.Raw)
	if err != nil {
		return nil
	}
	var out []gcpDelta
	for _, d := range Items(raw, "protoPayload.serviceData.policyDelta.bindingDeltas") {
		m, ok := d.(map[string]any)
		if !ok {
			continue
		}
		delta := gcpDelta{
			Action: strings.ToUpper(ctString(m, "action")),
			Role:   ctString(m, "role"),
			Member: ctString(m, "member"),
		}
		_, delta.Conditional = m["condition"]
		if delta.Role == "" || delta.Member == "" || (delta.Action != "ADD" && delta.Action != "REMOVE") {
			continue
		}
		out = append(out, delta)
	}
	return out
}

// gcpBindingTargets builds the member and binding targets of one kind of
// parent (project, folder, service account, bucket). parent names the
// parent as the IAM resources store it.
func gcpBindingTargets(kind, parentAttr string, parent IDs) []Target {
	return []Target{
		{Type: "google_" + kind + "_iam_member", Op: Create, Key: parentAttr + ":role:member", Secondary: true,
			ID:    gcpMemberIDs(parent, "ADD"),
			Attrs: []Attr{{Name: "role", Value: gcpIDPart(1)}, {Name: "member", Value: gcpIDPart(2)}}},
		{Type: "google_" + kind + "_iam_member", Op: Delete, Key: parentAttr + ":role:member",
			ID: gcpMemberIDs(parent, "REMOVE")},
		{Type: "google_" + kind + "_iam_binding", Op: Modify, Key: parentAttr + ":role",
			ID:    gcpRoleIDs(parent),
			Attrs: []Attr{{Name: "members", Value: gcpBindingMembers()}}},
	}
}

// gcpMemberIDs is "PARENT:ROLE:MEMBER" for each delta with the action.
func gcpMemberIDs(parent IDs, action string) IDs {
	return func(e *Event) []string {
		ps := parent(e)
		if len(ps) == 0 {
			return nil
		}
		var out []string
		for _, d := range gcpBindingDeltas(e) {
			if d.Action == action && !d.Conditional {
				out = append(out, ps[0]+":"+d.Role+":"+d.Member)
			}
		}
		return out
	}
}

// gcpRoleIDs is "PARENT:ROLE" for each role the deltas touch.
func gcpRoleIDs(parent IDs) IDs {
	return func(e *Event) []string {
		ps := parent(e)
		if len(ps) == 0 {
			return nil
		}
		var out []string
		for _, d := range gcpBindingDeltas(e) {
			if id := ps[0] + ":" + d.Role; !d.Conditional && !contains(out, id) {
				out = append(out, id)
			}
		}
		return out
	}
}

// gcpIDPart derives the role (1) or member (2) of the member ID being
// derived for. Parents and roles hold no ':'; members may.
func gcpIDPart(i int) Value {
	return func(e *Event, _ any) (any, bool) {
		parts := strings.SplitN(e.ID, ":", 3)
		if len(parts) != 3 || parts[i] == "" {
			return nil, false
		}
		return parts[i], true
	}
}

// gcpBindingMembers derives a binding's members: the state's members with
// the call's additions and removals for the binding's role applied.
func gcpBindingMembers() Value {
	return func(e *Event, cur any) (any, bool) {
		i := strings.LastIndex(e.ID, ":")
		if i < 0 {
			return nil, false
		}
		role := e.ID[i+1:]
		members := ctStringList(cur)
		changed := false
		for _, d := range gcpBindingDeltas(e) {
			if d.Role != role || d.Conditional {
				continue
			}
			changed = true
			switch d.Action {
			case "ADD":
				if !contains(members, d.Member) {
					members = append(members, d.Member)
				}
			case "REMOVE":
				kept := members[:0:0]
				for _, m := range members {
					if m != d.Member {
						kept = append(kept, m)
					}
				}
				members = kept
			}
		}
		if !changed {
			return nil, false
		}
		return toAnyStrings(members), true
	}
}

// gcpPolicyDelta derives policy_data by applying the deltas to the policy in
// state, for records that carry no policy (storage.setIamPermissions).
func gcpPolicyDelta() Value {
	return func(e *Event, cur any) (any, bool) {
		deltas := gcpBindingDeltas(e)
		if len(deltas) == 0 {
			return nil, false
		}
		s, _ := cur.(string)
		var pol map[string]any
		if s != "" {
			if v, err := jsonany.Decode([]byte(s)); err == nil {
				pol, _ = v.(map[string]any)
			}
		}
		if pol == nil {
			pol = map[string]any{}
		}
		members := map[string][]string{}
		var roles []string
		out := map[string]any{}
		for k, v := range pol {
			if k != "bindings" {
				out[k] = v
			}
		}
		var conditional []any
		for _, b := range asObjects(pol["bindings"]) {
			if _, ok := b["condition"]; ok {
				conditional = append(conditional, b)
				continue
			}
			r := ctString(b, "role")
			if _, seen := members[r]; !seen {
				roles = append(roles, r)
			}
			members[r] = append(members[r], Strings(b, "members")...)
		}
		for _, d := range deltas {
			if d.Conditional {
				continue
			}
			if _, seen := members[d.Role]; !seen {
				roles = append(roles, d.Role)
			}
			ms := members[d.Role]
			switch d.Action {
			case "ADD":
				if !contains(ms, d.Member) {
					ms = append(ms, d.Member)
				}
			case "REMOVE":
				kept := ms[:0:0]
				for _, m := range ms {
					if m != d.Member {
						kept = append(kept, m)
					}
				}
				ms = kept
			}
			members[d.Role] = ms
		}
		sort.Strings(roles)
		bindings := []any{}
		for _, r := range roles {
			if len(members[r]) == 0 {
				continue
			}
			ms := append([]string(nil), members[r]...)
			sort.Strings(ms)
			bindings = append(bindings, map[string]any{"role": r, "members": toAnyStrings(ms)})
		}
		bindings = append(bindings, conditional...)
		if len(bindings) > 0 {
			out["bindings"] = bindings
		}
		doc, err := json.Marshal(out)
		if err != nil {
			return nil, false
		}
		return string(doc), true
	}
}

// gcpCRMPolicyTargets are the targets of Cloud Resource Manager's
// SetIamPolicy: the authoritative policy, bindings and members of the
// project, folder or organization the record names. Projects and folders
// are stored as their resource ID and "folders/N"; organizations as the
// bare number (org_id).
func gcpCRMPolicyTargets() []Target {
	project := gcpNameAfter("projects/")
	folder := gcpPrefixed("folders/", ResourceName())
	org := gcpNameAfter("organizations/")
	ts := []Target{
		{Type: "google_project_iam_policy", Op: Modify, Key: "project", ID: project,
			Attrs: []Attr{{Name: "policy_data", Value: gcpPolicyData()}}},
		{Type: "google_folder_iam_policy", Op: Modify, Key: "folder", ID: folder,
			Attrs: []Attr{{Name: "policy_data", Value: gcpPolicyData()}}},
		{Type: "google_organization_iam_policy", Op: Modify, Key: "org_id", ID: org,
			Attrs: []Attr{{Name: "policy_data", Value: gcpPolicyData()}}},
	}
	ts = append(ts, gcpBindingTargets("project", "project", project)...)
	ts = append(ts, gcpBindingTargets("folder", "folder", folder)...)
	return append(ts, gcpBindingTargets("organization", "org_id", org)...)
}

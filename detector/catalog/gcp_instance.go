package catalog

import (
	"github.com/tfdrift/tfdrift/detector/change"
)

func init() { register(gcpInstanceEntries) }

// Compute Engine instances and persistent disks. resourceName
// (projects/P/zones/Z/instances/NAME, projects/P/zones/Z/disks/NAME) is the
// provider's `id` for google_compute_instance and google_compute_disk.
var gcpInstanceEntries = []Entry{
	{
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.instances.insert",
		Doc: "creates a VM instance",
		Targets: []Target{{
			Type: "google_compute_instance", Op: Create, Key: "id", ID: ResourceName(),
			Attrs: []Attr{
				{Name: "name", Value: Req("name")},
				{Name: "machine_type", Value: gcpShortName(Req("machineType"))},
				{Name: "labels", Value: gcpAllLabels("labels", "labelFingerprint")},
				{Name: "tags", Value: gcpStringList("", "tags.tags", "tags.items")},
				{Name: "service_account", Value: gcpServiceAccounts("serviceAccounts")},
				{Name: "can_ip_forward", Value: Bool(Req("canIpForward"))},
				{Name: "deletion_protection", Value: Bool(Req("deletionProtection"))},
			},
		}},
	},
	{
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.instances.delete",
		Doc:     "deletes a VM instance",
		Targets: []Target{{Type: "google_compute_instance", Op: Delete, Key: "id", ID: ResourceName()}},
	},
	{
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.instances.setMachineType",
		Doc: "changes the machine type of a stopped VM",
		Targets: []Target{{
			Type: "google_compute_instance", Op: Modify, Key: "id", ID: ResourceName(),
			Attrs: []Attr{{Name: "machine_type", Value: gcpShortName(Req("machineType"))}},
		}},
	},
	{
		// The request carries every label the instance keeps afterwards.
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.instances.setLabels",
		Doc: "replaces the labels of a VM",
		Targets: []Target{{
			Type: "google_compute_instance", Op: Modify, Key: "id", ID: ResourceName(),
			Attrs: []Attr{
				{Name: "labels", Value: gcpManagedLabels("labels", "labelFingerprint")},
				{Name: "effective_labels", Value: gcpEffectiveLabels("labels", "labelFingerprint")},
			},
		}},
	},
	{
		// Compute does not log metadata values; see gcpInstanceMetadata.
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.instances.setMetadata",
		Doc: "replaces the metadata (ssh-keys, startup-script, …) of a VM",
		Targets: []Target{{
			Type: "google_compute_instance", Op: Modify, Key: "id", ID: ResourceName(),
			Attrs: []Attr{
				{Name: "metadata", Value: gcpInstanceMetadata()},
				{Name: "metadata_startup_script", Value: gcpStartupScript()},
			},
		}},
	},
	{
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.instances.setTags",
		Doc: "replaces the network tags of a VM (the targets of firewall rules)",
		Targets: []Target{{
			Type: "google_compute_instance", Op: Modify, Key: "id", ID: ResourceName(),
			Attrs: []Attr{{Name: "tags", Value: gcpStringList("fingerprint", "tags", "items")}},
		}},
	},
	{
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.instances.setServiceAccount",
		Doc: "changes the service account and scopes of a stopped VM",
		Targets: []Target{{
			Type: "google_compute_instance", Op: Modify, Key: "id", ID: ResourceName(),
			Attrs: []Attr{{Name: "service_account", Value: gcpSetServiceAccount()}},
		}},
	},
	{
		// deletionProtection is a query parameter (default true); the value
		// is derived when the record carries it, reported hidden otherwise.
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.instances.setDeletionProtection",
		Doc: "turns deletion protection of a VM on or off",
		Targets: []Target{{
			Type: "google_compute_instance", Op: Modify, Key: "id", ID: ResourceName(),
			Attrs: []Attr{{Name: "deletion_protection", Value: gcpOrUnknown(Bool(Req("deletionProtection")))}},
		}},
	},
	{
		// The console's "Edit" sends the whole instance back (PUT).
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.instances.update",
		Doc: "replaces the configuration of a VM",
		Targets: []Target{{
			Type: "google_compute_instance", Op: Modify, Key: "id", ID: ResourceName(),
			Attrs: []Attr{
				{Name: "machine_type", Value: gcpShortName(Req("machineType"))},
				{Name: "labels", Value: gcpManagedLabels("labels", "labelFingerprint")},
				{Name: "effective_labels", Value: gcpEffectiveLabels("labels", "labelFingerprint")},
				{Name: "tags", Value: gcpStringList("tags", "tags.tags", "tags.items")},
				{Name: "deletion_protection", Value: Bool(Req("deletionProtection"))},
				{Name: "description", Value: Req("description")},
			},
		}},
	},
	{
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.instances.stop",
		Doc: "stops a VM",
		Targets: []Target{{
			Type: "google_compute_instance", Op: Modify, Key: "id", ID: ResourceName(),
			Attrs: []Attr{{Name: "desired_status", Value: gcpWhenManaged(Const("TERMINATED"))}},
		}},
	},
	{
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.instances.start",
		Doc: "starts a stopped VM",
		Targets: []Target{{
			Type: "google_compute_instance", Op: Modify, Key: "id", ID: ResourceName(),
			Attrs: []Attr{{Name: "desired_status", Value: gcpWhenManaged(Const("RUNNING"))}},
		}},
	},
	{
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.disks.insert",
		Doc: "creates a persistent disk",
		Targets: []Target{{
			Type: "google_compute_disk", Op: Create, Key: "id", ID: ResourceName(),
			Attrs: []Attr{
				{Name: "name", Value: Req("name")},
				{Name: "size", Value: gcpInt(Req("sizeGb"))},
				{Name: "type", Value: gcpShortName(Req("type"))},
				{Name: "labels", Value: gcpAllLabels("labels", "labelFingerprint")},
			},
		}},
	},
	{
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.disks.resize",
		Doc: "grows a persistent disk",
		Targets: []Target{{
			Type: "google_compute_disk", Op: Modify, Key: "id", ID: ResourceName(),
			Attrs: []Attr{{Name: "size", Value: gcpInt(Req("sizeGb"))}},
		}},
	},
	{
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.disks.setLabels",
		Doc: "replaces the labels of a persistent disk",
		Targets: []Target{{
			Type: "google_compute_disk", Op: Modify, Key: "id", ID: ResourceName(),
			Attrs: []Attr{
				{Name: "labels", Value: gcpManagedLabels("labels", "labelFingerprint")},
				{Name: "effective_labels", Value: gcpEffectiveLabels("labels", "labelFingerprint")},
			},
		}},
	},
	{
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.disks.delete",
		Doc:     "deletes a persistent disk",
		Targets: []Target{{Type: "google_compute_disk", Op: Delete, Key: "id", ID: ResourceName()}},
	},
}

// gcpServiceAccounts derives service_account blocks from an instance's
// "serviceAccounts" list ([{email, scopes}]); the provider stores scopes as
// full URLs, as the API logs them.
func gcpServiceAccounts(path string) Value {
	return func(e *Event, _ any) (any, bool) {
		if len(Path(e.Req(), path)) == 0 {
			return nil, false
		}
		out := []any{}
		for _, it := range Items(e.Req(), path) {
			if m, ok := it.(map[string]any); ok {
				if b := gcpServiceAccountBlock(m); b != nil {
					out = append(out, b)
				}
			}
		}
		return out, true
	}
}

// gcpSetServiceAccount derives service_account from a setServiceAccount
// body ({email, scopes}); an empty email removes the service account.
func gcpSetServiceAccount() Value {
	return func(e *Event, _ any) (any, bool) {
		m, ok := e.Req().(map[string]any)
		if !ok {
			return nil, false
		}
		_, hasEmail := m["email"]
		_, hasScopes := m["scopes"]
		if !hasEmail && !hasScopes {
			return nil, false
		}
		if b := gcpServiceAccountBlock(m); b != nil {
			return []any{b}, true
		}
		return []any{}, true
	}
}

func gcpServiceAccountBlock(m map[string]any) map[string]any {
	email, _ := m["email"].(string)
	scopes := []any{}
	for _, s := range Strings(m, "scopes") {
		scopes = append(scopes, s)
	}
	if email == "" && len(scopes) == 0 {
		return nil
	}
	return map[string]any{"email": email, "scopes": scopes}
}

// Compute's audit record of setMetadata never holds metadata values (they
// carry ssh keys and scripts). Older records list the keys the call
// touched in the request ("Metadata Keys Added/Modified/Deleted"); newer
// ones move that list out of the request. So:
//   - a call that only deletes keys gives the exact new map;
//   - a call that adds or changes keys makes metadata Unknown;
//   - without key lists, metadata is Unknown.
//
// The provider keeps startup-script out of `metadata` when it is managed
// through metadata_startup_script; a change to that key alone is then
// reported on metadata_startup_script, not on metadata.
const gcpStartupScriptKey = "startup-script"

type gcpMetadataKeys struct {
	listed                   bool
	added, modified, deleted []string
}

func gcpMetadataDelta(e *Event) gcpMetadataKeys {
	var k gcpMetadataKeys
	for field, dst := range map[string]*[]string{
		"Metadata Keys Added": &k.added, "Metadata Keys Modified": &k.modified, "Metadata Keys Deleted": &k.deleted,
	} {
		if m, ok := e.Req().(map[string]any); ok {
			if v, ok := m[field]; ok {
				k.listed = true
				*dst = Strings(v, ".")
			}
		}
	}
	return k
}

func gcpInstanceMetadata() Value {
	return func(e *Event, cur any) (any, bool) {
		k := gcpMetadataDelta(e)
		if !k.listed {
			return Unknown, true
		}
		have, _ := cur.(map[string]any)
		_, tracksScript := have[gcpStartupScriptKey]
		written := false
		for _, key := range append(append([]string{}, k.added...), k.modified...) {
			if key == gcpStartupScriptKey && !tracksScript {
				continue // reported on metadata_startup_script
			}
			written = true
		}
		if written {
			return Unknown, true
		}
		out := map[string]any{}
		for key, v := range have {
			out[key] = v
		}
		for _, key := range k.deleted {
			delete(out, key)
		}
		return out, true
	}
}

// gcpStartupScript derives metadata_startup_script when the key lists
// show the call touched startup-script: "" when deleted, hidden otherwise.
func gcpStartupScript() Value {
	return func(e *Event, _ any) (any, bool) {
		k := gcpMetadataDelta(e)
		for _, key := range k.deleted {
			if key == gcpStartupScriptKey {
				return "", true
			}
		}
		for _, key := range append(append([]string{}, k.added...), k.modified...) {
			if key == gcpStartupScriptKey {
				return Unknown, true
			}
		}
		return nil, false
	}
}

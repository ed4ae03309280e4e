package catalog

import (
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
)

func init() { register(gcpDNSEntries) }

const gcpDNSService = "dns.googleapis.com"

// Cloud DNS managed zones and record sets. The audit resourceName is
// managedZones/ZONE; the request names the project. google_dns_managed_zone
// is found by its ID, projects/P/managedZones/ZONE, and
// google_dns_record_set by projects/P/managedZones/ZONE/rrsets/NAME/TYPE.
//
// dns.changes.create adds and deletes record sets in one change: a record
// set both deleted and added is modified, one only added is new (unmanaged
// unless state has it), one only deleted is gone.
//
// Sources: Panther's fixtures of dns.managedZones.patch,
// dns.managedZones.delete and dns.changes.create
// (rules/gcp_audit_rules/gcp_dns_zone_modified_or_deleted.yml: request
// {project, managedZone, managedZoneResource | change {additions,
// deletions: [{name, type, ttl, rrdata}]}}); the Cloud DNS API reference
// for managedZones.create.
var gcpDNSEntries = []Entry{
	{
		Provider: change.GCP, Service: gcpDNSService, Event: "dns.managedZones.create",
		Doc: "creates a managed zone",
		Targets: []Target{{
			Type: "google_dns_managed_zone", Op: Create, Key: "id", ID: gcpDNSZoneID(),
			Attrs: []Attr{
				{Name: "dns_name", Value: Req("managedZoneResource.dnsName")},
				{Name: "visibility", Value: Req("managedZoneResource.visibility")},
				{Name: "description", Value: Req("managedZoneResource.description")},
			},
		}},
	},
	{
		Provider: change.GCP, Service: gcpDNSService, Event: "dns.managedZones.patch",
		Doc: "changes a managed zone",
		Targets: []Target{{
			Type: "google_dns_managed_zone", Op: Modify, Key: "id", ID: gcpDNSZoneID(),
			Attrs: []Attr{{Name: "description", Value: Req("managedZoneResource.description")}},
		}},
	},
	{
		Provider: change.GCP, Service: gcpDNSService, Event: "dns.managedZones.delete",
		Doc:     "deletes a managed zone",
		Targets: []Target{{Type: "google_dns_managed_zone", Op: Delete, Key: "id", ID: gcpDNSZoneID()}},
	},
	{
		Provider: change.GCP, Service: gcpDNSService, Event: "dns.changes.create",
		Doc: "adds, changes or deletes record sets of a zone",
		Targets: []Target{
			{Type: "google_dns_record_set", Op: Modify, Key: "id", ID: gcpDNSRecordIDs("additions"),
				Attrs: []Attr{{Name: "rrdatas", Value: gcpDNSRecordField("rrdata")}, {Name: "ttl", Value: gcpDNSRecordField("ttl")}}},
			{Type: "google_dns_record_set", Op: Create, Key: "id", ID: gcpDNSRecordIDs("additions"),
				Attrs: []Attr{{Name: "rrdatas", Value: gcpDNSRecordField("rrdata")}, {Name: "ttl", Value: gcpDNSRecordField("ttl")}}},
			{Type: "google_dns_record_set", Op: Delete, Key: "id", ID: gcpDNSDeletedOnly()},
		},
	},
}

// gcpDNSProject is the project the request names, else the record's.
func gcpDNSProject(e *Event) string {
	if p := ctString(e.Req(), "project"); p != "" {
		return p
	}
	return e.Account
}

// gcpDNSZoneID is projects/P/managedZones/ZONE.
func gcpDNSZoneID() IDs {
	return func(e *Event) []string {
		zone := ctString(e.Req(), "managedZone")
		if zone == "" {
			zone = ctString(e.Req(), "managedZoneResource.name")
		}
		if zone == "" {
			zone, _ = strings.CutPrefix(e.ResourceName, "managedZones/")
		}
		p := gcpDNSProject(e)
		if zone == "" || p == "" || strings.Contains(zone, "/") {
			return nil
		}
		return []string{"projects/" + p + "/managedZones/" + zone}
	}
}

// gcpDNSRecordIDs is the ID of each record set in the change's list.
func gcpDNSRecordIDs(list string) IDs {
	return func(e *Event) []string {
		zone := gcpDNSZoneID()(e)
		if len(zone) == 0 {
			return nil
		}
		var out []string
		for _, r := range Items(e.Req(), "change."+list) {
			m, _ := r.(map[string]any)
			name, typ := ctString(m, "name"), ctString(m, "type")
			if id := zone[0] + "/rrsets/" + name + "/" + typ; name != "" && typ != "" && !contains(out, id) {
				out = append(out, id)
			}
		}
		return out
	}
}

// gcpDNSDeletedOnly names the record sets the change deletes and does not
// add back.
func gcpDNSDeletedOnly() IDs {
	return func(e *Event) []string {
		added := gcpDNSRecordIDs("additions")(e)
		var out []string
		for _, id := range gcpDNSRecordIDs("deletions")(e) {
			if !contains(added, id) {
				out = append(out, id)
			}
		}
		return out
	}
}

// gcpDNSRecordField derives a field of the added record set being derived
// for (Event.ID names it).
func gcpDNSRecordField(field string) Value {
	return func(e *Event, _ any) (any, bool) {
		for _, r := range Items(e.Req(), "change.additions") {
			m, _ := r.(map[string]any)
			if !strings.HasSuffix(e.ID, "/rrsets/"+ctString(m, "name")+"/"+ctString(m, "type")) {
				continue
			}
			v, ok := m[field]
			if !ok {
				return nil, false
			}
			if l, isList := v.([]any); isList {
				return l, true
			}
			return ctToNumber(v), true
		}
		return nil, false
	}
}

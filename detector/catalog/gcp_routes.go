package catalog

import "github.com/tfdrift/tfdrift/detector/change"

func init() { register(gcpRouteEntries) }

// VPC routes and Cloud Routers (Compute Engine). Their IDs are the
// resourceNames Compute logs: projects/P/global/routes/R and
// projects/P/regions/REGION/routers/R. Compute logs int64 values as
// strings (priority "1000").
//
// Sources: the Compute Engine audit logging documentation (method names
// v1.compute.routes.insert, .delete, v1.compute.routers.insert, .delete),
// the Route resource of the Compute API reference, and the shape of
// Compute insert requests in Panther's fixture of
// v1.compute.firewalls.insert (rules/gcp_audit_rules/
// gcp_firewall_rule_created.yml).
var gcpRouteEntries = []Entry{
	{
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.routes.insert",
		Doc: "adds a route to a VPC network",
		Targets: []Target{{
			Type: "google_compute_route", Op: Create, Key: "id", ID: gcpResourceNameIf("/global/routes/"),
			Attrs: []Attr{
				{Name: "dest_range", Value: Req("destRange")},
				{Name: "next_hop_ip", Value: Req("nextHopIp")},
				{Name: "priority", Value: gcpInt(Req("priority"))},
			},
		}},
	},
	{
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.routes.delete",
		Doc:     "deletes a route",
		Targets: []Target{{Type: "google_compute_route", Op: Delete, Key: "id", ID: gcpResourceNameIf("/global/routes/")}},
	},
	{
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.routers.insert",
		Doc:     "creates a Cloud Router",
		Targets: []Target{{Type: "google_compute_router", Op: Create, Key: "id", ID: gcpResourceNameIf("/routers/")}},
	},
	{
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.routers.delete",
		Doc:     "deletes a Cloud Router (and its NAT)",
		Targets: []Target{{Type: "google_compute_router", Op: Delete, Key: "id", ID: gcpResourceNameIf("/routers/")}},
	},
}

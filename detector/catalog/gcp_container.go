package catalog

import (
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
)

func init() { register(gcpContainerEntries) }

const gcpContainerService = "container.googleapis.com"

// GKE clusters and node pools. resourceName is
// projects/P/locations/L/clusters/C[/nodePools/N] (or zones/Z for the
// zonal API). google_container_cluster is found by id,
// projects/P/locations/L/clusters/C; google_container_node_pool by id,
// P/L/C/N.
//
// Sources: the GKE audit logging documentation (method names
// google.container.v1.ClusterManager.*) and the GKE API reference
// (SetNodePoolSizeRequest.nodeCount, SetLegacyAbacRequest.enabled).
var gcpContainerEntries = []Entry{
	{
		Provider: change.GCP, Service: gcpContainerService, Event: "google.container.v1.ClusterManager.CreateCluster",
		Doc:     "creates a GKE cluster",
		Targets: []Target{{Type: "google_container_cluster", Op: Create, Key: "id", ID: gkeClusterID()}},
	},
	{
		Provider: change.GCP, Service: gcpContainerService, Event: "google.container.v1.ClusterManager.DeleteCluster",
		Doc:     "deletes a GKE cluster",
		Targets: []Target{{Type: "google_container_cluster", Op: Delete, Key: "id", ID: gkeClusterID()}},
	},
	{
		// Legacy ABAC grants broad access outside RBAC.
		Provider: change.GCP, Service: gcpContainerService, Event: "google.container.v1.ClusterManager.SetLegacyAbac",
		Doc: "turns legacy ABAC on or off",
		Targets: []Target{{
			Type: "google_container_cluster", Op: Modify, Key: "id", ID: gkeClusterID(),
			Attrs: []Attr{{Name: "enable_legacy_abac", Value: gcpDefault(Bool(Req("enabled")), false)}},
		}},
	},
	{
		Provider: change.GCP, Service: gcpContainerService, Event: "google.container.v1.ClusterManager.CreateNodePool",
		Doc:     "adds a node pool",
		Targets: []Target{{Type: "google_container_node_pool", Op: Create, Key: "id", ID: gkeNodePoolID()}},
	},
	{
		Provider: change.GCP, Service: gcpContainerService, Event: "google.container.v1.ClusterManager.DeleteNodePool",
		Doc:     "deletes a node pool",
		Targets: []Target{{Type: "google_container_node_pool", Op: Delete, Key: "id", ID: gkeNodePoolID()}},
	},
	{
		Provider: change.GCP, Service: gcpContainerService, Event: "google.container.v1.ClusterManager.SetNodePoolSize",
		Doc: "resizes a node pool",
		Targets: []Target{{
			Type: "google_container_node_pool", Op: Modify, Key: "id", ID: gkeNodePoolID(),
			Attrs: []Attr{{Name: "node_count", Value: gcpInt(Req("nodeCount"))}},
		}},
	},
}

// gkePath splits resourceName into project, location, cluster and node
// pool (empty for a cluster).
func gkePath(name string) (project, location, cluster, pool string, ok bool) {
	p := strings.Split(name, "/")
	if len(p) < 6 || p[0] != "projects" || (p[2] != "locations" && p[2] != "zones") || p[4] != "clusters" {
		return "", "", "", "", false
	}
	switch {
	case len(p) == 6:
		return p[1], p[3], p[5], "", true
	case len(p) == 8 && p[6] == "nodePools":
		return p[1], p[3], p[5], p[7], true
	}
	return "", "", "", "", false
}

func gkeClusterID() IDs {
	return func(e *Event) []string {
		project, loc, cluster, pool, ok := gkePath(e.ResourceName)
		if !ok || pool != "" {
			return nil
		}
		return []string{"projects/" + project + "/locations/" + loc + "/clusters/" + cluster}
	}
}

func gkeNodePoolID() IDs {
	return func(e *Event) []string {
		project, loc, cluster, pool, ok := gkePath(e.ResourceName)
		if !ok || pool == "" {
			return nil
		}
		return []string{project + "/" + loc + "/" + cluster + "/" + pool}
	}
}

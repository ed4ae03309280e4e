package catalog

import (
	"sort"

	"github.com/tfdrift/tfdrift/detector/change"
)

const eksService = "eks.amazonaws.com"

// EKS clusters and managed node groups. The cluster name is a path
// parameter, logged as "name" (early records used "clusterName").
//
// CreateCluster and DeleteCluster are also ECS, MSK, Redshift… event
// names; servedBy keeps other services' records out.
var eksEntries = []Entry{
	{
		Provider: change.AWS, Service: eksService, Event: "CreateCluster",
		Doc: "creates an EKS cluster",
		Targets: []Target{{
			Type: "aws_eks_cluster", Op: Create, Key: "name",
			ID: AnyID(RespID("cluster.name", "cluster.clusterName"), ReqID("name", "clusterName")),
			Attrs: []Attr{
				{Name: "version", Value: firstValueOf(Req("version"), Resp("cluster.version"))},
				{Name: "role_arn", Value: Req("roleArn")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: eksService, Event: "DeleteCluster",
		Doc: "deletes an EKS cluster",
		Targets: []Target{{
			Type: "aws_eks_cluster", Op: Delete, Key: "name",
			ID: ReqID("name", "clusterName"),
		}},
	},
	{
		// One call changes either the endpoint access or the logging.
		Provider: change.AWS, Service: eksService, Event: "UpdateClusterConfig",
		Doc: "changes a cluster's endpoint access or control plane logging",
		Targets: []Target{{
			Type: "aws_eks_cluster", Op: Modify, Key: "name", ID: ReqID("name", "clusterName"),
			Attrs: []Attr{
				{Name: "vpc_config", Value: tfBlock(
					tfField{"endpoint_public_access", Bool(Req("resourcesVpcConfig.endpointPublicAccess"))},
					tfField{"endpoint_private_access", Bool(Req("resourcesVpcConfig.endpointPrivateAccess"))},
					tfField{"public_access_cidrs", Req("resourcesVpcConfig.publicAccessCidrs")},
				)},
				{Name: "enabled_cluster_log_types", Value: eksLogTypes()},
			},
		}},
	},
	{
		Provider: change.AWS, Service: eksService, Event: "UpdateClusterVersion",
		Doc: "upgrades a cluster's Kubernetes version",
		Targets: []Target{{
			Type: "aws_eks_cluster", Op: Modify, Key: "name", ID: ReqID("name", "clusterName"),
			Attrs: []Attr{{Name: "version", Value: Req("version")}},
		}},
	},
	{
		// aws_eks_node_group's ID is "cluster:nodegroup".
		Provider: change.AWS, Service: eksService, Event: "CreateNodegroup",
		Doc: "creates a managed node group",
		Targets: []Target{{
			Type: "aws_eks_node_group", Op: Create, Key: "id", ID: eksNodegroupID(),
			Attrs: []Attr{
				{Name: "node_role_arn", Value: Req("nodeRole")},
				{Name: "instance_types", Value: Req("instanceTypes")},
				{Name: "subnet_ids", Value: Req("subnets")},
				{Name: "scaling_config", Value: eksScalingConfig()},
			},
		}},
	},
	{
		Provider: change.AWS, Service: eksService, Event: "DeleteNodegroup",
		Doc:     "deletes a managed node group",
		Targets: []Target{{Type: "aws_eks_node_group", Op: Delete, Key: "id", ID: eksNodegroupID()}},
	},
	{
		Provider: change.AWS, Service: eksService, Event: "UpdateNodegroupConfig",
		Doc: "changes a node group's scaling or labels",
		Targets: []Target{{
			Type: "aws_eks_node_group", Op: Modify, Key: "id", ID: eksNodegroupID(),
			Attrs: []Attr{
				{Name: "scaling_config", Value: eksScalingConfig()},
				{Name: "labels", Value: eksLabels()},
			},
		}},
	},
	{
		Provider: change.AWS, Service: eksService, Event: "UpdateNodegroupVersion",
		Doc: "upgrades a node group's Kubernetes or AMI release version",
		Targets: []Target{{
			Type: "aws_eks_node_group", Op: Modify, Key: "id", ID: eksNodegroupID(),
			Attrs: []Attr{
				{Name: "version", Value: Req("version")},
				{Name: "release_version", Value: Req("releaseVersion")},
			},
		}},
	},
}

func init() { register(servedBy(eksEntries)) }

// eksNodegroupID builds "cluster:nodegroup", preferring the response's
// names (CreateNodegroup and DeleteNodegroup echo the node group).
func eksNodegroupID() IDs {
	return JoinID(":",
		AnyID(RespID("nodegroup.clusterName"), ReqID("name", "clusterName")),
		AnyID(RespID("nodegroup.nodegroupName"), ReqID("nodegroupName")))
}

// eksScalingConfig derives scaling_config from scalingConfig's sizes.
func eksScalingConfig() Value {
	return tfBlock(
		tfField{"desired_size", Req("scalingConfig.desiredSize")},
		tfField{"min_size", Req("scalingConfig.minSize")},
		tfField{"max_size", Req("scalingConfig.maxSize")},
	)
}

// eksLogTypes derives enabled_cluster_log_types after a logging update:
// the current set, plus the types of enabled entries, minus the types of
// disabled ones.
func eksLogTypes() Value {
	return func(e *Event, cur any) (any, bool) {
		entries := Items(e.Req(), "logging.clusterLogging")
		if len(entries) == 0 {
			return nil, false
		}
		set := map[string]bool{}
		for _, s := range Strings(cur, ".") {
			set[s] = true
		}
		for _, it := range entries {
			on, _ := toBool(First(it, "enabled"))
			for _, t := range Strings(it, "types") {
				set[t] = on == true
			}
		}
		out := []any{}
		for _, t := range sortedTrue(set) {
			out = append(out, t)
		}
		return out, true
	}
}

// eksLabels derives a node group's labels after addOrUpdateLabels and
// removeLabels.
func eksLabels() Value {
	return func(e *Event, cur any) (any, bool) {
		add, _ := First(e.Req(), "labels.addOrUpdateLabels").(map[string]any)
		remove := Strings(e.Req(), "labels.removeLabels")
		if len(add) == 0 && len(remove) == 0 {
			return nil, false
		}
		out := map[string]any{}
		if m, ok := cur.(map[string]any); ok {
			for k, v := range m {
				out[k] = v
			}
		}
		for k, v := range add {
			out[k] = v
		}
		for _, k := range remove {
			delete(out, k)
		}
		return out, true
	}
}

func sortedTrue(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k, on := range set {
		if on {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

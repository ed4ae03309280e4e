package catalog

import "github.com/tfdrift/tfdrift/detector/change"

const elasticacheService = "elasticache.amazonaws.com"

// ElastiCache clusters, replication groups, parameter groups and subnet
// groups, found by their identifiers (cluster_id, replication_group_id,
// name). ElastiCache is a query-protocol API: CloudTrail logs its
// parameters in lower camel case and lists as JSON arrays.
//
// A modification sent without applyImmediately that changes the nodes
// (their count, type or engine version) waits for the maintenance window,
// or a failure reboot if one comes first: the response lists it in
// pendingModifiedValues. It is reported at once, as the change that is
// coming, flagged pending with the window it lands in (Target.Pending).
//
// Sources: the ElastiCache API Reference (request syntax of each action;
// ApplyImmediately of ModifyCacheCluster and ModifyReplicationGroup) and
// the ElastiCache User Guide's CloudTrail log file examples, whose
// ModifyCacheCluster entry logs the request members lower-cased and the
// modified CacheCluster as responseElements, with pendingModifiedValues
// and preferredMaintenanceWindow.
var elasticacheEntries = []Entry{
	{
		Provider: change.AWS, Service: elasticacheService, Event: "CreateCacheCluster",
		Doc: "creates a cache cluster",
		Targets: []Target{{
			Type: "aws_elasticache_cluster", Op: Create, Key: "id", ID: ReqID("cacheClusterId"),
			Attrs: []Attr{
				{Name: "engine", Value: Req("engine")},
				{Name: "node_type", Value: Req("cacheNodeType")},
				{Name: "num_cache_nodes", Value: ReqNum("numCacheNodes")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: elasticacheService, Event: "ModifyCacheCluster",
		Doc: "changes a cache cluster's size, version, parameters or security groups",
		Targets: []Target{{
			Type: "aws_elasticache_cluster", Op: Modify, Key: "id", ID: ReqID("cacheClusterId"),
			Pending: elasticachePending("numCacheNodes", "cacheNodeType", "engineVersion"),
			Attrs: []Attr{
				{Name: "num_cache_nodes", Value: ReqNum("numCacheNodes")},
				{Name: "node_type", Value: Req("cacheNodeType")},
				{Name: "engine_version", Value: Req("engineVersion")},
				{Name: "parameter_group_name", Value: Req("cacheParameterGroupName")},
				{Name: "snapshot_retention_limit", Value: ReqNum("snapshotRetentionLimit")},
				{Name: "security_group_ids", Value: List("securityGroupIds")},
				{Name: "maintenance_window", Value: Req("preferredMaintenanceWindow")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: elasticacheService, Event: "DeleteCacheCluster",
		Doc:     "deletes a cache cluster",
		Targets: []Target{{Type: "aws_elasticache_cluster", Op: Delete, Key: "id", ID: ReqID("cacheClusterId")}},
	},
	{
		Provider: change.AWS, Service: elasticacheService, Event: "CreateReplicationGroup",
		Doc: "creates a replication group (Redis or Valkey)",
		Targets: []Target{{
			Type: "aws_elasticache_replication_group", Op: Create, Key: "id", ID: ReqID("replicationGroupId"),
			Attrs: []Attr{
				{Name: "description", Value: Req("replicationGroupDescription")},
				{Name: "node_type", Value: Req("cacheNodeType")},
				{Name: "num_cache_clusters", Value: ReqNum("numCacheClusters")},
				{Name: "at_rest_encryption_enabled", Value: Bool(Req("atRestEncryptionEnabled"))},
				{Name: "transit_encryption_enabled", Value: Bool(Req("transitEncryptionEnabled"))},
			},
		}},
	},
	{
		Provider: change.AWS, Service: elasticacheService, Event: "ModifyReplicationGroup",
		Doc: "changes a replication group's node type, failover, backups or version",
		Targets: []Target{{
			Type: "aws_elasticache_replication_group", Op: Modify, Key: "id", ID: ReqID("replicationGroupId"),
			Pending: elasticachePending("cacheNodeType", "engineVersion"),
			Attrs: []Attr{
				{Name: "description", Value: Req("replicationGroupDescription")},
				{Name: "node_type", Value: Req("cacheNodeType")},
				{Name: "automatic_failover_enabled", Value: Bool(Req("automaticFailoverEnabled"))},
				{Name: "snapshot_retention_limit", Value: ReqNum("snapshotRetentionLimit")},
				{Name: "engine_version", Value: Req("engineVersion")},
				{Name: "parameter_group_name", Value: Req("cacheParameterGroupName")},
				{Name: "security_group_ids", Value: List("securityGroupIds")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: elasticacheService, Event: "DeleteReplicationGroup",
		Doc:     "deletes a replication group",
		Targets: []Target{{Type: "aws_elasticache_replication_group", Op: Delete, Key: "id", ID: ReqID("replicationGroupId")}},
	},
	{
		Provider: change.AWS, Service: elasticacheService, Event: "CreateCacheParameterGroup",
		Doc: "creates a cache parameter group",
		Targets: []Target{{
			Type: "aws_elasticache_parameter_group", Op: Create, Key: "id", ID: ReqID("cacheParameterGroupName"),
			Attrs: []Attr{{Name: "family", Value: Req("cacheParameterGroupFamily")}, {Name: "description", Value: Req("description")}},
		}},
	},
	{
		// Parameters the call leaves out keep their values.
		Provider: change.AWS, Service: elasticacheService, Event: "ModifyCacheParameterGroup",
		Doc: "changes parameters of a cache parameter group",
		Targets: []Target{{
			Type: "aws_elasticache_parameter_group", Op: Modify, Key: "id", ID: ReqID("cacheParameterGroupName"),
			Attrs: []Attr{{Name: "parameter", Value: MergeByName("parameterNameValues", "parameterName", "parameterValue")}},
		}},
	},
	{
		Provider: change.AWS, Service: elasticacheService, Event: "DeleteCacheParameterGroup",
		Doc:     "deletes a cache parameter group",
		Targets: []Target{{Type: "aws_elasticache_parameter_group", Op: Delete, Key: "id", ID: ReqID("cacheParameterGroupName")}},
	},
	{
		Provider: change.AWS, Service: elasticacheService, Event: "CreateCacheSubnetGroup",
		Doc: "creates a cache subnet group",
		Targets: []Target{{
			Type: "aws_elasticache_subnet_group", Op: Create, Key: "id", ID: ReqID("cacheSubnetGroupName"),
			Attrs: []Attr{{Name: "description", Value: Req("cacheSubnetGroupDescription")}, {Name: "subnet_ids", Value: List("subnetIds")}},
		}},
	},
	{
		Provider: change.AWS, Service: elasticacheService, Event: "ModifyCacheSubnetGroup",
		Doc: "changes the subnets of a cache subnet group",
		Targets: []Target{{
			Type: "aws_elasticache_subnet_group", Op: Modify, Key: "id", ID: ReqID("cacheSubnetGroupName"),
			Attrs: []Attr{{Name: "description", Value: Req("cacheSubnetGroupDescription")}, {Name: "subnet_ids", Value: List("subnetIds")}},
		}},
	},
	{
		Provider: change.AWS, Service: elasticacheService, Event: "DeleteCacheSubnetGroup",
		Doc:     "deletes a cache subnet group",
		Targets: []Target{{Type: "aws_elasticache_subnet_group", Op: Delete, Key: "id", ID: ReqID("cacheSubnetGroupName")}},
	},
}

func init() { registerGuarded(elasticacheEntries) }

// elasticachePending says when a ModifyCacheCluster or
// ModifyReplicationGroup change takes effect: "" when applied now (with
// applyImmediately, the response may still list values ElastiCache is
// applying at once), else at the next maintenance window. It waits when
// the response lists pendingModifiedValues or, for a record without a
// response, when the request changes one of the node settings in
// deferred, which are the ones ElastiCache defers.
func elasticachePending(deferred ...string) func(e *Event) string {
	return func(e *Event) string {
		if now, _ := toBool(First(e.Req(), "applyImmediately")); now == true {
			return ""
		}
		pending, _ := First(e.Resp(), "pendingModifiedValues").(map[string]any)
		waits := len(pending) > 0
		for _, member := range deferred {
			waits = waits || First(e.Req(), member) != nil
		}
		if !waits {
			return ""
		}
		when := "at the next maintenance window"
		if w := ctString(e.Resp(), "preferredMaintenanceWindow"); w != "" {
			when += " (" + w + " UTC)"
		}
		return when + ", or at a failure reboot if one comes first"
	}
}

package catalog

import (
	"encoding/json"
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
)

const ecsService = "ecs.amazonaws.com"

// ECS services, task definitions and cluster settings.
//
// aws_ecs_service's ID is the service ARN, which every service call's
// response carries (the request may give a bare name).
//
// Task definitions: RegisterTaskDefinition makes a new revision, a new
// ARN, and leaves every revision Terraform holds untouched, so a new
// revision of a family Terraform manages is not drift (it is how most CI
// pipelines deploy). The entry is keyed by family: a family no state holds
// is reported as an unmanaged task definition. Deregistering a revision
// Terraform holds is drift: the provider drops INACTIVE revisions from
// state on the next refresh. Container definitions are not derived: they
// carry environment values that do not belong in drift reports.
//
// CreateService, DeleteService, UpdateService and UpdateCluster are also
// event names of other services (App Runner, VPC Lattice…); servedBy keeps
// their records out.
var ecsEntries = []Entry{
	{
		Provider: change.AWS, Service: ecsService, Event: "CreateService",
		Doc: "creates an ECS service",
		Targets: []Target{{
			Type: "aws_ecs_service", Op: Create, Key: "id", ID: RespID("service.serviceArn"),
			Attrs: []Attr{
				{Name: "name", Value: Req("serviceName")},
				{Name: "cluster", Value: firstValueOf(Resp("service.clusterArn"), Req("cluster"))},
				{Name: "task_definition", Value: firstValueOf(Resp("service.taskDefinition"), Req("taskDefinition"))},
				{Name: "desired_count", Value: Req("desiredCount")},
				{Name: "launch_type", Value: Req("launchType")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: ecsService, Event: "DeleteService",
		Doc: "deletes an ECS service",
		Targets: []Target{{
			Type: "aws_ecs_service", Op: Delete, Key: "id", ID: RespID("service.serviceArn"),
		}},
	},
	{
		Provider: change.AWS, Service: ecsService, Event: "UpdateService",
		Doc: "changes an ECS service's desired count, task definition or settings",
		Targets: []Target{{
			Type: "aws_ecs_service", Op: Modify, Key: "id", ID: RespID("service.serviceArn"),
			Attrs: []Attr{
				{Name: "desired_count", Value: Req("desiredCount")},
				{Name: "task_definition", Value: ecsTaskDefinitionRef()},
				{Name: "enable_execute_command", Value: Bool(Req("enableExecuteCommand"))},
			},
		}},
	},
	{
		Provider: change.AWS, Service: ecsService, Event: "RegisterTaskDefinition",
		Doc: "registers a task definition revision",
		Targets: []Target{{
			Type: "aws_ecs_task_definition", Op: Create, Key: "family",
			ID: AnyID(RespID("taskDefinition.family"), ReqID("family")),
			Attrs: []Attr{
				{Name: "network_mode", Value: Req("networkMode")},
				{Name: "requires_compatibilities", Value: Req("requiresCompatibilities")},
				{Name: "cpu", Value: Req("cpu")},
				{Name: "memory", Value: Req("memory")},
				{Name: "execution_role_arn", Value: Req("executionRoleArn")},
				{Name: "task_role_arn", Value: Req("taskRoleArn")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: ecsService, Event: "DeregisterTaskDefinition",
		Doc: "deregisters a task definition revision",
		Targets: []Target{{
			Type: "aws_ecs_task_definition", Op: Delete, Key: "arn",
			ID: AnyID(RespID("taskDefinition.taskDefinitionArn"), MapID(ReqID("taskDefinition"), keepPrefix("arn:"))),
		}},
	},
	{
		Provider: change.AWS, Service: ecsService, Event: "UpdateCluster",
		Doc: "changes an ECS cluster's settings (Container Insights)",
		Targets: []Target{{
			Type: "aws_ecs_cluster", Op: Modify, Key: "arn", ID: RespID("cluster.clusterArn"),
			Attrs: []Attr{{Name: "setting", Value: ecsSettings()}},
		}},
	},
	{
		Provider: change.AWS, Service: ecsService, Event: "UpdateClusterSettings",
		Doc: "changes an ECS cluster's settings (Container Insights)",
		Targets: []Target{{
			Type: "aws_ecs_cluster", Op: Modify, Key: "arn", ID: RespID("cluster.clusterArn"),
			Attrs: []Attr{{Name: "setting", Value: ecsSettings()}},
		}},
	},
	{
		Provider: change.AWS, Service: ecsService, Event: "PutClusterCapacityProviders",
		Doc: "replaces a cluster's capacity providers and default strategy",
		Targets: []Target{{
			Type: "aws_ecs_cluster_capacity_providers", Op: Modify, Key: "cluster_name",
			ID: AnyID(RespID("cluster.clusterName"), MapID(ReqID("cluster"), LastSegment("/"))),
			Attrs: []Attr{
				{Name: "capacity_providers", Value: ReqList("capacityProviders")},
				{Name: "default_capacity_provider_strategy", Value: ecsCapacityStrategy()},
			},
		}},
	},
}

func init() { register(servedBy(ecsEntries)) }

// ecsTaskDefinitionRef derives an ECS service's task_definition in the
// form the provider keeps: the full ARN when the configuration gave an
// ARN, "family:revision" otherwise. The response carries the full ARN.
func ecsTaskDefinitionRef() Value {
	return func(e *Event, cur any) (any, bool) {
		if First(e.Req(), "taskDefinition") == nil {
			return nil, false
		}
		arn, _ := First(e.Resp(), "service.taskDefinition").(string)
		if arn == "" {
			arn, _ = First(e.Req(), "taskDefinition").(string)
		}
		if s, _ := cur.(string); s != "" && !strings.HasPrefix(s, "arn:") {
			return LastSegment("task-definition/")(arn), true
		}
		return arn, true
	}
}

// ecsSettings derives an ECS cluster's setting set: the current settings
// with those the call names replaced.
func ecsSettings() Value {
	return func(e *Event, cur any) (any, bool) {
		items := Items(e.Req(), "settings")
		if len(items) == 0 {
			return nil, false
		}
		byName := map[string]any{}
		var order []string
		for _, s := range asObjects(cur) {
			n, _ := s["name"].(string)
			if _, seen := byName[n]; !seen {
				order = append(order, n)
			}
			byName[n] = s["value"]
		}
		for _, it := range items {
			m, ok := it.(map[string]any)
			if !ok {
				continue
			}
			n, _ := m["name"].(string)
			if _, seen := byName[n]; !seen {
				order = append(order, n)
			}
			byName[n] = m["value"]
		}
		out := make([]any, 0, len(order))
		for _, n := range order {
			out = append(out, map[string]any{"name": n, "value": byName[n]})
		}
		return out, true
	}
}

// ecsCapacityStrategy derives default_capacity_provider_strategy from the
// request's defaultCapacityProviderStrategy.
func ecsCapacityStrategy() Value {
	return func(e *Event, _ any) (any, bool) {
		raw := First(e.Req(), "defaultCapacityProviderStrategy")
		if raw == nil {
			return nil, false
		}
		out := []any{}
		for _, it := range Items(e.Req(), "defaultCapacityProviderStrategy") {
			m, ok := it.(map[string]any)
			if !ok {
				continue
			}
			base, weight := m["base"], m["weight"]
			if base == nil {
				base = json.Number("0")
			}
			if weight == nil {
				weight = json.Number("0")
			}
			out = append(out, map[string]any{"capacity_provider": m["capacityProvider"], "base": base, "weight": weight})
		}
		return out, true
	}
}

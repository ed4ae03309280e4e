package catalog

import "github.com/tfdrift/tfdrift/detector/change"

const esService = "es.amazonaws.com"

// OpenSearch Service domains (and Elasticsearch domains, the older API of
// the same service), found by domain name. The service logs both APIs under
// es.amazonaws.com; the request body's members are logged as sent, first
// letter lower-cased.
//
// Sources: the OpenSearch Service API Reference (request syntax of
// CreateDomain, UpdateDomainConfig, DeleteDomain and the Elasticsearch
// configuration API's equivalents); Panther's fixture of
// CreateElasticsearchDomain (rules/aws_cloudtrail_rules/
// aws_resource_made_public.yml: accessPolicies).
var esEntries = []Entry{
	{
		Provider: change.AWS, Service: esService, Event: "CreateDomain",
		Doc: "creates an OpenSearch domain",
		Targets: []Target{{
			Type: "aws_opensearch_domain", Op: Create, Key: "domain_name", ID: ReqID("domainName"),
			Attrs: []Attr{
				{Name: "engine_version", Value: Req("engineVersion")},
				{Name: "access_policies", Value: Doc("accessPolicies")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: esService, Event: "UpdateDomainConfig",
		Doc: "changes an OpenSearch domain's access policy or cluster",
		Targets: []Target{{
			Type: "aws_opensearch_domain", Op: Modify, Key: "domain_name", ID: ReqID("domainName"),
			Attrs: []Attr{
				{Name: "access_policies", Value: Doc("accessPolicies")},
				{Name: "cluster_config", Value: esClusterConfig()},
			},
		}},
	},
	{
		Provider: change.AWS, Service: esService, Event: "DeleteDomain",
		Doc:     "deletes an OpenSearch domain",
		Targets: []Target{{Type: "aws_opensearch_domain", Op: Delete, Key: "domain_name", ID: ReqID("domainName")}},
	},
	{
		Provider: change.AWS, Service: esService, Event: "CreateElasticsearchDomain",
		Doc: "creates an Elasticsearch domain",
		Targets: []Target{{
			Type: "aws_elasticsearch_domain", Op: Create, Key: "domain_name", ID: ReqID("domainName"),
			Attrs: []Attr{
				{Name: "elasticsearch_version", Value: Req("elasticsearchVersion")},
				{Name: "access_policies", Value: Doc("accessPolicies")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: esService, Event: "UpdateElasticsearchDomainConfig",
		Doc: "changes an Elasticsearch domain's access policy or cluster",
		Targets: []Target{{
			Type: "aws_elasticsearch_domain", Op: Modify, Key: "domain_name", ID: ReqID("domainName"),
			Attrs: []Attr{
				{Name: "access_policies", Value: Doc("accessPolicies")},
				{Name: "cluster_config", Value: esClusterConfig()},
			},
		}},
	},
	{
		Provider: change.AWS, Service: esService, Event: "DeleteElasticsearchDomain",
		Doc:     "deletes an Elasticsearch domain",
		Targets: []Target{{Type: "aws_elasticsearch_domain", Op: Delete, Key: "domain_name", ID: ReqID("domainName")}},
	},
}

func init() { registerGuarded(esEntries) }

// esClusterConfig derives the cluster_config block from the members of
// clusterConfig (OpenSearch) or elasticsearchClusterConfig that the call
// sets; the block's other attributes keep their values.
func esClusterConfig() Value {
	fields := []Field{
		{Attr: "instance_type", Path: "instanceType"},
		{Attr: "instance_count", Path: "instanceCount", Num: true},
		{Attr: "dedicated_master_enabled", Path: "dedicatedMasterEnabled"},
		{Attr: "zone_awareness_enabled", Path: "zoneAwarenessEnabled"},
	}
	return gcpFirstValue(Block("clusterConfig", fields...), Block("elasticsearchClusterConfig", fields...))
}

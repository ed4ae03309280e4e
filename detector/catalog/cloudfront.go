package catalog

import "github.com/tfdrift/tfdrift/detector/change"

const cloudfrontService = "cloudfront.amazonaws.com"

// CloudFront distributions. CloudTrail names these events with the API
// version (UpdateDistribution2020_05_31); the catalog holds the normalised
// names.
//
// UpdateDistribution sends the whole configuration, so in principle a
// field left out is reset. Fields absent from the record are still not
// derived: reading an absent web ACL as "removed" would raise a false
// alarm whenever a record is trimmed.
var cloudfrontEntries = []Entry{
	{
		Provider: change.AWS, Service: cloudfrontService, Event: "CreateDistribution",
		Doc: "creates a CloudFront distribution",
		Targets: []Target{{
			Type: "aws_cloudfront_distribution", Op: Create, Key: "id", ID: RespID("distribution.id"),
			Attrs: cloudfrontAttrs("distributionConfig."),
		}},
	},
	{
		Provider: change.AWS, Service: cloudfrontService, Event: "CreateDistributionWithTags",
		Doc: "creates a tagged CloudFront distribution",
		Targets: []Target{{
			Type: "aws_cloudfront_distribution", Op: Create, Key: "id", ID: RespID("distribution.id"),
			Attrs: cloudfrontAttrs("distributionConfigWithTags.distributionConfig."),
		}},
	},
	{
		Provider: change.AWS, Service: cloudfrontService, Event: "UpdateDistribution",
		Doc: "changes a CloudFront distribution's configuration",
		Targets: []Target{{
			Type: "aws_cloudfront_distribution", Op: Modify, Key: "id", ID: ReqID("id"),
			Attrs: cloudfrontAttrs("distributionConfig."),
		}},
	},
	{
		Provider: change.AWS, Service: cloudfrontService, Event: "DeleteDistribution",
		Doc:     "deletes a CloudFront distribution",
		Targets: []Target{{Type: "aws_cloudfront_distribution", Op: Delete, Key: "id", ID: ReqID("id")}},
	},
}

func init() { register(servedBy(cloudfrontEntries)) }

// cloudfrontAttrs derives the top-level settings of a distribution
// configuration found under prefix.
func cloudfrontAttrs(prefix string) []Attr {
	return []Attr{
		{Name: "enabled", Value: Bool(Req(prefix + "enabled"))},
		{Name: "comment", Value: Req(prefix + "comment")},
		{Name: "price_class", Value: Req(prefix + "priceClass")},
		{Name: "aliases", Value: cloudfrontAliases(prefix + "aliases")},
		{Name: "default_root_object", Value: Req(prefix + "defaultRootObject")},
		{Name: "web_acl_id", Value: Req(prefix + "webACLId")},
		{Name: "http_version", Value: Req(prefix + "httpVersion")},
		{Name: "is_ipv6_enabled", Value: Bool(Req(prefix + "isIPV6Enabled"))},
	}
}

// cloudfrontAliases derives aliases from {"quantity": n, "items": […]};
// a quantity of 0 comes without items and means no aliases.
func cloudfrontAliases(path string) Value {
	return func(e *Event, _ any) (any, bool) {
		if First(e.Req(), path) == nil {
			return nil, false
		}
		out := []any{}
		for _, s := range Strings(e.Req(), path+".items") {
			out = append(out, s)
		}
		return out, true
	}
}

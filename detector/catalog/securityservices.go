package catalog

import "github.com/tfdrift/tfdrift/detector/change"

// Account-level security services that an intruder turns off first:
// Security Hub, IAM Access Analyzer, Macie and Route 53 Resolver query
// logging. Each is one small table; they share this file because each has
// only a couple of calls.
//
// Sources: the API References of Security Hub (EnableSecurityHub,
// DisableSecurityHub), IAM Access Analyzer (CreateAnalyzer,
// DeleteAnalyzer), Macie (EnableMacie, DisableMacie, UpdateMacieSession)
// and Route 53 Resolver (DeleteResolverQueryLogConfig,
// DisassociateResolverQueryLogConfig); Panther's fixtures of
// UpdateMacieSession (rules/aws_cloudtrail_rules/aws_macie_evasion.yml:
// findingPublishingFrequency) and DeleteResolverQueryLogConfig
// (rules/aws_cloudtrail_rules/aws_dns_logs_deleted.yml:
// resolverQueryLogConfigId, the config in responseElements).
const (
	securityhubService    = "securityhub.amazonaws.com"
	accessAnalyzerService = "access-analyzer.amazonaws.com"
	macieService          = "macie2.amazonaws.com"
	resolverService       = "route53resolver.amazonaws.com"
)

var securityServiceEntries = []Entry{
	{
		// aws_securityhub_account's ID is the account ID.
		Provider: change.AWS, Service: securityhubService, Event: "EnableSecurityHub",
		Doc:     "turns Security Hub on for the account and region",
		Targets: []Target{{Type: "aws_securityhub_account", Op: Create, Key: "id", ID: accountID()}},
	},
	{
		Provider: change.AWS, Service: securityhubService, Event: "DisableSecurityHub",
		Doc:     "turns Security Hub off for the account and region",
		Targets: []Target{{Type: "aws_securityhub_account", Op: Delete, Key: "id", ID: accountID()}},
	},
	{
		Provider: change.AWS, Service: accessAnalyzerService, Event: "CreateAnalyzer",
		Doc: "creates an IAM Access Analyzer analyzer",
		Targets: []Target{{
			Type: "aws_accessanalyzer_analyzer", Op: Create, Key: "id", ID: ReqID("analyzerName"),
			Attrs: []Attr{{Name: "type", Value: Req("type")}},
		}},
	},
	{
		Provider: change.AWS, Service: accessAnalyzerService, Event: "DeleteAnalyzer",
		Doc:     "deletes an IAM Access Analyzer analyzer",
		Targets: []Target{{Type: "aws_accessanalyzer_analyzer", Op: Delete, Key: "id", ID: ReqID("analyzerName")}},
	},
	{
		// aws_macie2_account's ID is the account ID.
		Provider: change.AWS, Service: macieService, Event: "EnableMacie",
		Doc: "turns Macie on",
		Targets: []Target{{
			Type: "aws_macie2_account", Op: Create, Key: "id", ID: accountID(),
			Attrs: []Attr{
				{Name: "status", Value: Req("status")},
				{Name: "finding_publishing_frequency", Value: Req("findingPublishingFrequency")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: macieService, Event: "DisableMacie",
		Doc:     "turns Macie off and deletes its data",
		Targets: []Target{{Type: "aws_macie2_account", Op: Delete, Key: "id", ID: accountID()}},
	},
	{
		// Pausing Macie (status PAUSED) or publishing findings rarely
		// are both ways to quiet it.
		Provider: change.AWS, Service: macieService, Event: "UpdateMacieSession",
		Doc: "pauses Macie or changes how often it publishes findings",
		Targets: []Target{{
			Type: "aws_macie2_account", Op: Modify, Key: "id", ID: accountID(),
			Attrs: []Attr{
				{Name: "status", Value: Req("status")},
				{Name: "finding_publishing_frequency", Value: Req("findingPublishingFrequency")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: resolverService, Event: "DeleteResolverQueryLogConfig",
		Doc:     "deletes a DNS query logging configuration",
		Targets: []Target{{Type: "aws_route53_resolver_query_log_config", Op: Delete, Key: "id", ID: ReqID("resolverQueryLogConfigId")}},
	},
	{
		Provider: change.AWS, Service: resolverService, Event: "DisassociateResolverQueryLogConfig",
		Doc: "stops logging a VPC's DNS queries",
		Targets: []Target{{
			Type: "aws_route53_resolver_query_log_config_association", Op: Delete, Key: "resolver_query_log_config_id:resource_id",
			ID: JoinID(":", ReqID("resolverQueryLogConfigId"), ReqID("resourceId")),
		}},
	},
}

func init() { registerGuarded(securityServiceEntries) }

// accountID names the record's account: the ID of resources that exist
// once per account and region.
func accountID() IDs {
	return func(e *Event) []string {
		if e.Account == "" {
			return nil
		}
		return []string{e.Account}
	}
}

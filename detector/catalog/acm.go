package catalog

import "github.com/tfdrift/tfdrift/detector/change"

const acmService = "acm.amazonaws.com"

// ACM certificates, found by ARN (their ID). A certificate's private key and
// body are never logged.
//
// Sources: the ACM API Reference (request and response syntax of each
// action) and the ACM User Guide's CloudTrail examples, which show
// RequestCertificate's certificateArn in responseElements and the request
// members lower-cased (domainName, validationMethod, certificateArn, tags
// as [{key, value}]).
var acmEntries = []Entry{
	{
		Provider: change.AWS, Service: acmService, Event: "RequestCertificate",
		Doc: "requests a certificate",
		Targets: []Target{{
			Type: "aws_acm_certificate", Op: Create, Key: "arn", ID: RespID("certificateArn"),
			Attrs: []Attr{
				{Name: "domain_name", Value: Req("domainName")},
				{Name: "validation_method", Value: Req("validationMethod")},
				{Name: "subject_alternative_names", Value: ReqList("subjectAlternativeNames")},
				{Name: "key_algorithm", Value: Req("keyAlgorithm")},
			},
		}},
	},
	{
		// A re-import names the certificate it replaces; its body and key
		// are not in the record.
		Provider: change.AWS, Service: acmService, Event: "ImportCertificate",
		Doc: "imports a certificate or replaces an imported one",
		Targets: []Target{
			{Type: "aws_acm_certificate", Op: Modify, Key: "arn", ID: ReqID("certificateArn"),
				Attrs: []Attr{{Name: "certificate_body", Value: Always()}}},
			{Type: "aws_acm_certificate", Op: Create, Key: "arn", ID: acmNewImport()},
		},
	},
	{
		Provider: change.AWS, Service: acmService, Event: "DeleteCertificate",
		Doc:     "deletes a certificate",
		Targets: []Target{{Type: "aws_acm_certificate", Op: Delete, Key: "arn", ID: ReqID("certificateArn")}},
	},
	{
		Provider: change.AWS, Service: acmService, Event: "AddTagsToCertificate",
		Doc:     "adds or overwrites tags of a certificate",
		Targets: []Target{Tags("aws_acm_certificate", "arn", ReqID("certificateArn"), TagListEdit("tags", "key", "value", false))},
	},
	{
		Provider: change.AWS, Service: acmService, Event: "RemoveTagsFromCertificate",
		Doc:     "removes tags from a certificate",
		Targets: []Target{Tags("aws_acm_certificate", "arn", ReqID("certificateArn"), TagKeysEdit("tags"))},
	},
	{
		Provider: change.AWS, Service: acmService, Event: "UpdateCertificateOptions",
		Doc: "opts a certificate in or out of certificate transparency logging",
		Targets: []Target{{
			Type: "aws_acm_certificate", Op: Modify, Key: "arn", ID: ReqID("certificateArn"),
			Attrs: []Attr{{Name: "options", Value: Block("options",
				Field{Attr: "certificate_transparency_logging_preference", Path: "certificateTransparencyLoggingPreference"})}},
		}},
	},
}

func init() { registerGuarded(acmEntries) }

// acmNewImport names the certificate a first import creates: the response
// ARN, when the request named none.
func acmNewImport() IDs {
	return func(e *Event) []string {
		if ctString(e.Req(), "certificateArn") != "" {
			return nil
		}
		return Strings(e.Resp(), "certificateArn")
	}
}

package edit

import (
	"fmt"
	"regexp"

	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/tfdrift/tfdrift/gitops/locate"
)

// Since AWS provider v4 a bucket's versioning, a security group's rules, a
// role's policies and a route table's routes have resources of their own
// (aws_s3_bucket_versioning, aws_vpc_security_group_ingress_rule, …) next
// to the parent's legacy inline attribute. The detector reports drift on
// the split resource whenever state holds one; Accept must never turn that
// around by adding the legacy inline form to the parent: beside the split
// resources the two overwrite each other on every apply, and every plan
// shows a diff.

// legacySplit is the resource that manages one legacy inline attribute
// now, and its attribute that refers to the parent.
type legacySplit struct{ rtype, key string }

// legacyInline lists, per parent type, the legacy inline attributes and
// blocks.
var legacyInline = map[string]map[string]legacySplit{
	"aws_s3_bucket": {
		"acceleration_status":                  {"aws_s3_bucket_accelerate_configuration", "bucket"},
		"acl":                                  {"aws_s3_bucket_acl", "bucket"},
		"cors_rule":                            {"aws_s3_bucket_cors_configuration", "bucket"},
		"grant":                                {"aws_s3_bucket_acl", "bucket"},
		"lifecycle_rule":                       {"aws_s3_bucket_lifecycle_configuration", "bucket"},
		"logging":                              {"aws_s3_bucket_logging", "bucket"},
		"object_lock_configuration":            {"aws_s3_bucket_object_lock_configuration", "bucket"},
		"policy":                               {"aws_s3_bucket_policy", "bucket"},
		"replication_configuration":            {"aws_s3_bucket_replication_configuration", "bucket"},
		"request_payer":                        {"aws_s3_bucket_request_payment_configuration", "bucket"},
		"server_side_encryption_configuration": {"aws_s3_bucket_server_side_encryption_configuration", "bucket"},
		"versioning":                           {"aws_s3_bucket_versioning", "bucket"},
		"website":                              {"aws_s3_bucket_website_configuration", "bucket"},
	},
	"aws_security_group": {
		"ingress": {"aws_vpc_security_group_ingress_rule", "security_group_id"},
		"egress":  {"aws_vpc_security_group_egress_rule", "security_group_id"},
	},
	"aws_iam_role": {
		"inline_policy":       {"aws_iam_role_policy", "role"},
		"managed_policy_arns": {"aws_iam_role_policy_attachment", "role"},
	},
	"aws_route_table": {"route": {"aws_route", "route_table_id"}},
	"aws_network_acl": {
		"ingress": {"aws_network_acl_rule", "network_acl_id"},
		"egress":  {"aws_network_acl_rule", "network_acl_id"},
	},
}

// refuseLegacyInline refuses to add a legacy inline attribute or block the
// resource's code does not write when a split resource in the same module
// refers to the resource. It returns nil when the code writes it (editing
// it is then safe), when name is not a legacy attribute, and when no split
// resource manages it: a resource that manages nothing of the kind yet may
// take it inline.
func (e *engine) refuseLegacyInline(w walk, f *srcFile, blk *locate.Block, hb *hclsyntax.Block, name string) error {
	split, ok := legacyInline[blk.Type][name]
	if !ok || writes(hb, name) {
		return nil
	}
	other, err := e.splitReferring(blk, split)
	if err != nil || other == nil {
		return err
	}
	hdr := hb.TypeRange
	hdr.End = hb.OpenBraceRange.End
	return w.refuseInsert(f, hdr, fmt.Sprintf(
		"%s manages it (%s:%d); adding the legacy inline %s to %s would make the two overwrite each other on every apply. Accept this drift by editing %s",
		other.Address, other.File, other.Range.Start.Line, name, blk.Address, other.Address))
}

// writes reports whether a block writes name as an attribute, nested
// blocks or a dynamic block.
func writes(hb *hclsyntax.Block, name string) bool {
	if _, ok := hb.Body.Attributes[name]; ok {
		return true
	}
	for _, b := range hb.Body.Blocks {
		if b.Type == name || (b.Type == "dynamic" && len(b.Labels) == 1 && b.Labels[0] == name) {
			return true
		}
	}
	return false
}

// splitReferring finds a resource of the split type, in the parent's
// module, whose key attribute refers to the parent
// (security_group_id = aws_security_group.web.id).
func (e *engine) splitReferring(parent *locate.Block, split legacySplit) (*locate.Block, error) {
	ref := regexp.MustCompile(`(^|[^\w.])` + regexp.QuoteMeta(parent.Type+"."+parent.Name) + `\b`)
	for _, b := range e.repo.Blocks() {
		if b.Type != split.rtype || b.Data || b.Remote != "" || b.Module != parent.Module {
			continue
		}
		r, ok := b.Exprs[split.key]
		if !ok {
			continue
		}
		f, err := e.file(b.File)
		if err != nil {
			return nil, err
		}
		if r.Start.Byte < 0 || r.End.Byte > len(f.src) || r.Start.Byte > r.End.Byte {
			continue
		}
		if ref.Match(f.src[r.Start.Byte:r.End.Byte]) {
			return b, nil
		}
	}
	return nil, nil
}

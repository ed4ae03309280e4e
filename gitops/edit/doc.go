// Package edit is tfdrift's "accept" action: it rewrites Terraform code so
// that it produces the values the cloud now has, for a pull request whose
// normal `terraform plan` then shows no changes.
//
// Accept takes drifted attributes (instance address, attribute, state
// value, cloud value) and returns a Plan: the new content of every file to
// edit, with a note per edit saying what changed and through which chain
// of references, and a Refusal for every attribute it will not edit,
// naming the expression that stopped it and its file:line. Plan.Diff
// renders a unified diff; Plan.Apply writes the files atomically and
// formats them (hclwrite.Format, or `terraform fmt` with FmtWith).
//
// What gets edited:
//   - literals (strings, numbers, bools), lists and maps, item by item:
//     kept items stay as written, comments included; map keys keep their
//     order and new keys go last; list elements are matched by value;
//   - nested blocks such as security group ingress/egress, matched to the
//     cloud's objects as a set: unchanged blocks stay byte-identical,
//     changed ones are edited in place, gone ones removed, new ones added
//     after the last block of the type (writing only non-default
//     attributes);
//   - jsonencode({...}) documents, by editing the HCL object inside;
//     heredoc and quoted JSON strings keep their style;
//   - values that come from elsewhere in the repository: var.x is followed
//     to a tfvars assignment, the variable's default, or the calling
//     module's argument; local.x to its definition; each.value, x[each.key]
//     and x[count.index] to this instance's entry of a literal map or
//     list. The edit lands on that literal, and the note says so;
//   - .tf.json and .tfvars.json values, keeping key order and layout.
//
// What is refused (see docs/accept.md): conditionals, function calls
// other than jsonencode/tolist/tomap, for expressions, string templates,
// references to other resources, data sources and module outputs, dynamic
// blocks, variables with no value in the repository (a -var flag or
// TF_VAR_ environment variable sets them), variables and locals read in
// more than one place, code shared by several instances (count/for_each
// not narrowed to the instance, a module directory called more than once),
// remote modules, attributes a JSON file does not already have, and the
// legacy inline form of a setting that a split resource in the code
// manages (a bucket's versioning block beside aws_s3_bucket_versioning, a
// group's ingress blocks beside aws_vpc_security_group_ingress_rule):
// added, the two would overwrite each other.
// Refusing is the safe answer: an edit that changes other resources as
// well would turn one drift into several.
//
// Edits are byte splices on the original text, computed from hclsyntax
// positions; new text is laid out with hclwrite (TokensForValue for
// literals, Format for layout). Untouched bytes stay identical, which an
// hclwrite parse/print round trip does not guarantee (it re-spaces
// trailing comments). A top-level block that was hclwrite.Format-clean is
// formatted again after editing, so realigned "=" signs look as terraform
// fmt would write them; a block that was not clean keeps its layout. Every
// edited file is parsed again before the Plan is returned: Accept never
// hands back code that does not parse, and reports an error instead.
//
// The package imports hcl/v2 (hclsyntax, hclwrite, json), go-cty,
// gitops/locate for positions and detector/drift for AttrChange. It must
// not import app, ticket, the detector engine or terraform-exec; only its
// tests use internal/tftest and the real Terraform binary.
package edit

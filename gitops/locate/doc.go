// Package locate maps a Terraform resource address to where it is declared
// in an infrastructure repository: the root module (workspace), the chain
// of module calls, the file, the block's line, and the byte/line range of
// every attribute and nested block. Drift reports, GitHub annotations and
// the accept-edit engine use it to point at (and rewrite) the right code.
//
// Load parses a root module and every local module it calls ("./x",
// "../x", to any depth; a call chain that returns to a directory already
// on it is an error). Registry and git sources are recorded, not fetched:
// Find answers for a resource inside such a module with the module call
// block and Block.Remote set. Both native syntax (*.tf) and JSON syntax
// (*.tf.json) are read; JSON positions come from hcl's JSON parser.
// moved blocks are followed when an address is no longer declared.
// Variables, locals, module call arguments and the root's tfvars files are
// recorded with positions so a value can be followed from a resource
// attribute back to the literal that sets it.
//
// What it does not do: override files (override.tf, *_override.tf and
// their .tf.json forms) are skipped and listed by Repo.Overrides, because
// merging them needs Terraform's override rules; modules installed under
// .terraform/modules are not read; expressions are never evaluated, so
// count and for_each instances are not expanded (instance keys are
// stripped from addresses instead).
//
// Loading is confined to the repository: module sources that climb out of
// it, and symlinks that point out of it, are errors (Load reads through an
// os.Root), so a pull request cannot make tfdrift read files elsewhere on
// the host.
//
// The package imports the standard library, hcl/v2 (hclsyntax and the JSON
// parser), go-cty for hcl's values, and detector/drift for drift.Location.
// It must not import app/ or the detector engine.
package locate

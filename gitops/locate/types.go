package locate

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// Position is a point in a file. File is relative to the repository root,
// with forward slashes. Line and Column start at 1 (Column counts
// characters, as hcl does); Byte is the 0-based byte offset, for editing.
type Position struct {
	File               string
	Line, Column, Byte int
}

// Range is a span of a file; End is exclusive.
type Range struct {
	Start, End Position
}

// String renders the range's start as file:line:column.
func (r Range) String() string {
	return fmt.Sprintf("%s:%d:%d", r.Start.File, r.Start.Line, r.Start.Column)
}

func toRange(r hcl.Range) Range {
	return Range{
		Start: Position{File: r.Filename, Line: r.Start.Line, Column: r.Start.Column, Byte: r.Start.Byte},
		End:   Position{File: r.Filename, Line: r.End.Line, Column: r.End.Column, Byte: r.End.Byte},
	}
}

// Body is what a block declares directly: its attributes and nested
// blocks. Maps are never nil on a loaded block. A Body is shared between
// the module instances that use the same directory: treat it as read-only.
type Body struct {
	// Attributes maps a top-level attribute name to the range of the whole
	// attribute ("name = expr"); Exprs to the range of the expression only.
	Attributes map[string]Range
	Exprs      map[string]Range
	// NestedBlocks maps a nested block type ("ingress") to the range of
	// each such block, in file order; Nested holds the same blocks with
	// their own bodies. Meta blocks (lifecycle, dynamic, provisioner,
	// connection) are not listed. JSON syntax cannot tell a nested block
	// from an object attribute without the provider schema, so in
	// *.tf.json files every property is an attribute.
	NestedBlocks map[string][]Range
	Nested       map[string][]*Nested

	exprs map[string]hcl.Expression
}

// Nested is a block inside a resource (or inside another nested block).
type Nested struct {
	Type   string
	Labels []string
	Range  Range
	Body
}

// Block is a resource or data source as declared in the code.
type Block struct {
	// Address is the configuration address without instance keys:
	// module.net.aws_security_group.web, data.aws_ami.ubuntu.
	Address string
	Type    string
	Name    string
	Data    bool // a data source
	// Module is the module address ("module.net.module.sg"; "" for the
	// root). ModuleDir is that module's directory relative to the repo
	// root ("modules/sg"; the root module's own directory, "." when it is
	// the repo root).
	Module    string
	ModuleDir string
	File      string // relative to the repo root
	// Range covers the whole block. In native syntax it starts at the
	// "resource" keyword; in JSON at the resource name's key.
	Range Range
	// TypeRange and NameRange are the ranges of the two labels.
	TypeRange Range
	NameRange Range
	Body
	// IgnoreChanges lists lifecycle ignore_changes paths in dotted form
	// ("tags", "tags.Owner", "ingress.0.cidr_blocks"); ["*"] for all.
	IgnoreChanges  []string
	Count, ForEach bool
	// Dynamic names the dynamic blocks (dynamic "ingress" → "ingress");
	// DynamicBlocks holds them with their bodies (the content block is in
	// Nested["content"]).
	Dynamic       []string
	DynamicBlocks map[string][]*Nested
	// Remote is set when the resource lives in a module whose code is not
	// in the repo (registry or git source): it is that module's source,
	// and File, Range and Body then describe the module call block.
	Remote string
	// MovedFrom is set by Find when it reached this block by following
	// moved blocks: it is the address that was asked for.
	MovedFrom string
}

// ModuleCall is a module block.
type ModuleCall struct {
	// Address is the called module's address ("module.net.module.sg");
	// Parent is the calling module's ("module.net"; "" for the root).
	Address string
	Name    string
	Parent  string
	Source  string
	Version string
	// Remote is set for registry and git sources. Dir is the called
	// module's directory relative to the repo root; empty when Remote.
	Remote bool
	Dir    string
	// File holds the call; Range is the whole block.
	File      string
	Range     Range
	NameRange Range
	// Body holds the call's arguments (Attributes/Exprs include source,
	// version, count and for_each as written).
	Body
	Count, ForEach bool
}

// VarDecl is a variable block.
type VarDecl struct {
	Name      string
	Module    string // module address, "" for the root
	ModuleDir string
	File      string
	Range     Range // the whole block
	// Default is the range of the default expression; nil when the
	// variable has no default.
	Default *Range
}

// LocalDecl is one named value in a locals block.
type LocalDecl struct {
	Name      string
	Module    string
	ModuleDir string
	File      string
	Range     Range // "name = expr"
	Expr      Range
}

// TFVarDef is one assignment in a root tfvars file.
type TFVarDef struct {
	Name  string
	File  string
	Range Range // "name = expr"
	Expr  Range
	// AutoLoaded is set for the files Terraform reads by itself
	// (terraform.tfvars[.json], *.auto.tfvars[.json]) and for the var
	// files named in RootSpec.VarFiles.
	AutoLoaded bool
}

// ErrNotFound is returned by Find when no declaration matches an address.
type ErrNotFound struct {
	Address string
}

func (e *ErrNotFound) Error() string {
	return fmt.Sprintf("resource %s is not declared in the configuration", e.Address)
}

// ConfigError is a problem in a configuration file, positioned for an
// editor or a CI annotation. Load returns one or more of them (joined with
// errors.Join); errors.As finds the first.
type ConfigError struct {
	File         string
	Line, Column int
	Msg          string
}

func (e *ConfigError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

func configErrorAt(r hcl.Range, format string, args ...any) *ConfigError {
	return &ConfigError{File: r.Filename, Line: r.Start.Line, Column: r.Start.Column, Msg: fmt.Sprintf(format, args...)}
}

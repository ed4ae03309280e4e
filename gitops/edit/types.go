package edit

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// Request asks for the code of one resource instance to follow the cloud.
type Request struct {
	// Address is the instance address as state writes it:
	// module.net.aws_security_group.web, aws_instance.workers[1].
	Address string
	// Changes maps an attribute (a top-level name such as "tags", or a
	// dotted path such as "tags.Owner") to its state and cloud values.
	// Values are JSON-shaped: string, json.Number or float64, bool,
	// []any, map[string]any, nil. Actual is what the code must produce.
	Changes map[string]drift.AttrChange
}

// Plan is the outcome of Accept: the file edits that make the code produce
// the cloud's values, and the attributes it would not edit, with why.
type Plan struct {
	Edits    []FileEdit
	Refusals []Refusal
}

// FileEdit is the new content of one file. Before is what Accept read, so
// Apply can refuse to overwrite a file that changed in the meantime.
type FileEdit struct {
	File          string // relative to the repository root, slash-separated
	Before, After []byte
	// Notes say which lines were edited and why, one per drifted
	// attribute that led here; an edit reached through a variable, local
	// or module input names the chain of references.
	Notes []Note
}

// Note explains one edit in a file.
type Note struct {
	Address   string // instance address of the drifted resource
	Attribute string
	Line      int // line in Before where the edit starts
	Text      string
}

func (n Note) String() string {
	return fmt.Sprintf("line %d: %s", n.Line, n.Text)
}

// Refusal is a drifted attribute Accept did not edit. File, Line and Expr
// point at the expression that stopped it (empty when there is none, e.g.
// an address that is not declared).
type Refusal struct {
	Address   string
	Attribute string
	Reason    string
	File      string
	Line      int
	Expr      string
}

func (r Refusal) String() string {
	if r.File == "" {
		return r.Reason
	}
	return fmt.Sprintf("%s:%d: %s", r.File, r.Line, r.Reason)
}

// Summary renders the notes and refusals as text for a pull request body
// or a terminal, in a stable order.
func (p *Plan) Summary() string {
	var sb strings.Builder
	for _, e := range p.Edits {
		for _, n := range e.Notes {
			fmt.Fprintf(&sb, "edit %s:%d: %s\n", e.File, n.Line, n.Text)
		}
	}
	for _, r := range p.Refusals {
		fmt.Fprintf(&sb, "refused %s\n", r)
	}
	return sb.String()
}

// Files lists the files the plan edits, sorted.
func (p *Plan) Files() []string {
	out := make([]string, 0, len(p.Edits))
	for _, e := range p.Edits {
		out = append(out, e.File)
	}
	sort.Strings(out)
	return out
}

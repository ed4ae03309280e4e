package locate

import (
	"fmt"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// maxMoves bounds how many moved blocks Find follows for one address; a
// chain longer than the number of moves is a cycle.
const maxMoves = 64

// Find resolves a resource instance address (module.app[0].aws_instance.web["a"],
// aws_instance.workers[1], data.aws_ami.x) to its block, ignoring instance
// keys. When the address is not declared it follows moved blocks (from →
// to). For an address inside a module whose code is remote it returns a
// Block for the module call with Remote set. Otherwise the error is an
// *ErrNotFound.
func (r *Repo) Find(address string) (*Block, error) {
	a, err := parseAddr(address)
	if err != nil {
		return nil, err
	}
	if a.isModule {
		return nil, fmt.Errorf("address %q names a module, not a resource", address)
	}
	start := a.String()
	for hops := 0; hops <= maxMoves && hops <= len(r.moves); hops++ {
		if b, ok := r.blocks[a.String()]; ok {
			if hops == 0 {
				return b, nil
			}
			moved := *b
			moved.MovedFrom = start
			return &moved, nil
		}
		if b := r.remote(a); b != nil {
			if hops > 0 {
				b.MovedFrom = start
			}
			return b, nil
		}
		next, ok := r.applyMove(a)
		if !ok {
			break
		}
		a = next
	}
	return nil, &ErrNotFound{Address: address}
}

// applyMove rewrites a through the first moved block whose from matches it:
// the resource itself, or a module it lies in.
func (r *Repo) applyMove(a addr) (addr, bool) {
	for _, m := range r.moves {
		if !m.from.isModule {
			if !a.isModule && m.from.String() == a.String() {
				return m.to, true
			}
			continue
		}
		if a.hasModulePrefix(m.from.modules) {
			out := a
			out.modules = append(append([]string(nil), m.to.modules...), a.modules[len(m.from.modules):]...)
			return out, true
		}
	}
	return addr{}, false
}

// remote returns the module call block for an address inside a remote
// module, or nil.
func (r *Repo) remote(a addr) *Block {
	for i := range a.modules {
		c, ok := r.calls[addr{modules: a.modules[:i+1], isModule: true}.module()]
		if !ok {
			return nil
		}
		if !c.Remote {
			continue
		}
		return &Block{
			Address:   a.String(),
			Type:      a.typ,
			Name:      a.name,
			Data:      a.data,
			Module:    a.module(),
			File:      c.File,
			Range:     c.Range,
			TypeRange: c.NameRange,
			NameRange: c.NameRange,
			Body:      c.Body,
			Remote:    c.Source,
		}
	}
	return nil
}

// Location returns where the resource at address is declared: Module is
// the module directory relative to the repo root ("" for the root
// module and for remote modules), ModuleAddress the module address, File
// (relative to the repo root) and Line the block's first line, Workspace
// the root's workspace. State is left for the caller, which knows the
// state source. ok is false when Find fails.
func (r *Repo) Location(address string) (drift.Location, bool) {
	b, err := r.Find(address)
	if err != nil {
		return drift.Location{}, false
	}
	loc := drift.Location{
		Workspace:     r.workspace,
		ModuleAddress: b.Module,
		File:          b.File,
		Line:          b.Range.Start.Line,
		Remote:        b.Remote,
	}
	if end := b.Range.End.Line; end > loc.Line {
		loc.EndLine = end // the block's closing line: permalinks cover the block
	}
	if b.Module != "" && b.Remote == "" {
		loc.Module = b.ModuleDir
	}
	return loc, true
}

// IgnoreChanges returns the lifecycle ignore_changes paths of the resource
// at address (["*"] for all); nil when it has none or is not found.
func (r *Repo) IgnoreChanges(address string) []string {
	b, err := r.Find(address)
	if err != nil || len(b.IgnoreChanges) == 0 {
		return nil
	}
	return append([]string(nil), b.IgnoreChanges...)
}

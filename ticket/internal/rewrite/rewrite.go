package rewrite

import (
	"fmt"
	"text/template"
	"text/template/parse"
)

// Lexer follows the output's context through a template.
type Lexer interface {
	// Text returns the context after literal text written in ctx.
	Text(ctx int, text []byte) int
	// Escaper names the template function that escapes a value printed
	// in ctx, or says why nothing may be printed there.
	Escaper(ctx int) (string, error)
	// Describe names a context for error messages ("inside a JSON
	// string").
	Describe(ctx int) string
}

// Rewrite adds escapers to t's actions in place. t must be parsed, not yet
// executed, and hold the escaper functions in its FuncMap. Templates that
// define or call other templates ({{define}}, {{block}}, {{template}}) are
// refused: the context at the call would have to be threaded through the
// callee, and payload templates have no need for them.
func Rewrite(t *template.Template, lx Lexer) error {
	if len(t.Templates()) > 1 {
		return fmt.Errorf("template: {{define}} and {{block}} are not supported here; write one template")
	}
	if t.Tree == nil || t.Tree.Root == nil {
		return nil
	}
	w := &walker{tree: t.Tree, lx: lx}
	_, err := w.list(0, t.Tree.Root)
	return err
}

type walker struct {
	tree *parse.Tree
	lx   Lexer
	// loops holds the context at the start of each enclosing range body,
	// which {{break}} and {{continue}} must be in.
	loops []int
}

func (w *walker) errorf(n parse.Node, format string, args ...any) error {
	loc, _ := w.tree.ErrorContext(n)
	return fmt.Errorf("template: %s: %s", loc, fmt.Sprintf(format, args...))
}

func (w *walker) list(ctx int, l *parse.ListNode) (int, error) {
	if l == nil {
		return ctx, nil
	}
	for _, n := range l.Nodes {
		var err error
		if ctx, err = w.node(ctx, n); err != nil {
			return ctx, err
		}
	}
	return ctx, nil
}

func (w *walker) node(ctx int, n parse.Node) (int, error) {
	switch n := n.(type) {
	case *parse.TextNode:
		return w.lx.Text(ctx, n.Text), nil
	case *parse.ActionNode:
		if len(n.Pipe.Decl) > 0 {
			// {{ $x := … }} and {{ $x = … }} print nothing.
			return ctx, nil
		}
		name, err := w.lx.Escaper(ctx)
		if err != nil {
			return ctx, w.errorf(n, "%v", err)
		}
		id := parse.NewIdentifier(name).SetTree(w.tree).SetPos(n.Pos)
		n.Pipe.Cmds = append(n.Pipe.Cmds, &parse.CommandNode{NodeType: parse.NodeCommand, Pos: n.Pos, Args: []parse.Node{id}})
		return ctx, nil
	case *parse.IfNode:
		return w.branch(ctx, &n.BranchNode, "if")
	case *parse.WithNode:
		return w.branch(ctx, &n.BranchNode, "with")
	case *parse.RangeNode:
		w.loops = append(w.loops, ctx)
		end, err := w.list(ctx, n.List)
		w.loops = w.loops[:len(w.loops)-1]
		if err != nil {
			return ctx, err
		}
		if end != ctx {
			return ctx, w.errorf(n, "the body of {{range}} starts %s but ends %s; it must end where it starts, since it may run any number of times", w.lx.Describe(ctx), w.lx.Describe(end))
		}
		if n.ElseList != nil {
			end, err := w.list(ctx, n.ElseList)
			if err != nil {
				return ctx, err
			}
			if end != ctx {
				return ctx, w.errorf(n, "the {{else}} of {{range}} starts %s but ends %s", w.lx.Describe(ctx), w.lx.Describe(end))
			}
		}
		return ctx, nil
	case *parse.BreakNode, *parse.ContinueNode:
		if len(w.loops) > 0 && w.loops[len(w.loops)-1] != ctx {
			return ctx, w.errorf(n, "%s is %s but its {{range}} body starts %s", n, w.lx.Describe(ctx), w.lx.Describe(w.loops[len(w.loops)-1]))
		}
		return ctx, nil
	case *parse.CommentNode:
		return ctx, nil
	case *parse.TemplateNode:
		return ctx, w.errorf(n, "{{template}} is not supported here; write one template")
	case *parse.ListNode:
		return w.list(ctx, n)
	}
	return ctx, w.errorf(n, "unsupported template construct %s", n)
}

// branch requires both arms of an if/with to end in the same context, so
// what follows is escaped correctly whichever arm ran.
func (w *walker) branch(ctx int, b *parse.BranchNode, what string) (int, error) {
	then, err := w.list(ctx, b.List)
	if err != nil {
		return ctx, err
	}
	els := ctx
	if b.ElseList != nil {
		if els, err = w.list(ctx, b.ElseList); err != nil {
			return ctx, err
		}
	}
	if then != els {
		return ctx, w.errorf(b, "the branches of {{%s}} end in different places: %s and %s", what, w.lx.Describe(then), w.lx.Describe(els))
	}
	return then, nil
}

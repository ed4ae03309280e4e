package edit

import (
	"fmt"
	"testing"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

func TestScratch(t *testing.T) {
	src := []byte(`resource "a" "b" {
  x = [{
  a = 1
  bb = 2
  }, {
  c = 3
  }]
  y = <<EOF
  hi
    there
EOF
  z = [
  "a",   # c1
  "b"
  ]
  tags = { a = 1, bbb = 2 }
  w = { "aws:x" = 1
  }
}
`)
	fmt.Printf("%s\n", hclwrite.Format(src))
	f, d := hclsyntax.ParseConfig(src, "x.tf", hcl.InitialPos)
	fmt.Println(d)
	for _, a := range f.Body.(*hclsyntax.Body).Blocks[0].Body.Attributes {
		fmt.Printf("%s %T %v\n", a.Name, a.Expr, a.Expr.Range())
		if o, ok := a.Expr.(*hclsyntax.ObjectConsExpr); ok {
			for _, it := range o.Items {
				fmt.Printf("  key %T %v val %v\n", it.KeyExpr, it.KeyExpr.Range(), it.ValueExpr.Range())
			}
		}
		if o, ok := a.Expr.(*hclsyntax.TemplateExpr); ok {
			fmt.Printf("  heredoc parts %d %T\n", len(o.Parts), o.Parts[0])
		}
	}
}

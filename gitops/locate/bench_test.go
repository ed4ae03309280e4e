package locate

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

// benchRepo builds a repo of about 500 resources: a root with 100
// resources calling four local modules (one of them twice) with 100 each,
// spread over several files as real repos are.
func benchRepo() fstest.MapFS {
	fsys := fstest.MapFS{}
	resources := func(prefix string, n int) string {
		var sb strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&sb, `resource "aws_security_group" "%s_%d" {
  name        = "%s-%d"
  description = "managed by terraform"
  vpc_id      = var.vpc_id

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }

  tags = {
    Name  = "%s-%d"
    Owner = "platform"
  }

  lifecycle {
    ignore_changes = [tags["Owner"]]
  }
}

`, prefix, i, prefix, i, prefix, i)
		}
		return sb.String()
	}
	vars := "variable \"vpc_id\" {\n  default = \"vpc-123\"\n}\n"
	root := ""
	for m := 0; m < 4; m++ {
		dir := fmt.Sprintf("modules/m%d", m)
		for f := 0; f < 4; f++ {
			fsys[fmt.Sprintf("%s/f%d.tf", dir, f)] = &fstest.MapFile{Data: []byte(resources(fmt.Sprintf("m%d_f%d", m, f), 25))}
		}
		fsys[dir+"/variables.tf"] = &fstest.MapFile{Data: []byte(vars)}
		root += fmt.Sprintf("module \"m%d\" {\n  source = \"./%s\"\n  vpc_id = \"vpc-%d\"\n}\n", m, dir, m)
	}
	root += "module \"again\" {\n  source = \"./modules/m0\"\n}\n"
	fsys["main.tf"] = &fstest.MapFile{Data: []byte(root)}
	fsys["root.tf"] = &fstest.MapFile{Data: []byte(resources("root", 100))}
	fsys["variables.tf"] = &fstest.MapFile{Data: []byte(vars)}
	return fsys
}

func BenchmarkLoad(b *testing.B) {
	fsys := benchRepo()
	r, err := LoadFS(fsys, ".")
	if err != nil {
		b.Fatal(err)
	}
	if n := len(r.Blocks()); n != 600 {
		b.Fatalf("%d blocks, want 600", n)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadFS(fsys, "."); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFind(b *testing.B) {
	r, err := LoadFS(benchRepo(), ".")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Find(`module.m3.aws_security_group.m3_f2_17["x"]`); err != nil {
			b.Fatal(err)
		}
	}
}

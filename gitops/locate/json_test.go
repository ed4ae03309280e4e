package locate

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestJSONSyntax covers every declaration kind in *.tf.json form.
func TestJSONSyntax(t *testing.T) {
	const mainJSON = `{
  "variable": {
    "size": {
      "type": "number",
      "default": 20
    },
    "name": {}
  },
  "locals": {
    "prefix": "acme"
  },
  "module": {
    "net": {
      "source": "./net",
      "cidr": "10.0.0.0/16"
    },
    "dns": {
      "source": "acme/dns/aws",
      "version": "1.0.0"
    }
  },
  "moved": [
    {
      "from": "aws_ebs_volume.old",
      "to": "aws_ebs_volume.data"
    }
  ],
  "resource": {
    "aws_ebs_volume": {
      "data": {
        "size": "${var.size}",
        "lifecycle": [{"ignore_changes": "all"}]
      }
    },
    "aws_security_group": {
      "web": {
        "name": "web",
        "dynamic": {
          "ingress": {
            "for_each": "${var.ports}",
            "content": {"from_port": "${ingress.value}"}
          }
        }
      }
    }
  },
  "data": {
    "aws_caller_identity": {
      "me": {}
    }
  }
}
`
	r, err := LoadFS(mapFS(map[string]string{
		"main.tf.json":          mainJSON,
		"net/main.tf.json":      `{"resource": {"aws_vpc": {"this": {"cidr_block": "${var.cidr}"}}}}`,
		"terraform.tfvars.json": "{\n  \"name\": \"prod\"\n}\n",
	}), ".")
	if err != nil {
		t.Fatal(err)
	}

	type pos struct {
		File string
		Line int
	}
	at := func(r Range) pos { return pos{r.Start.File, r.Start.Line} }

	vol, err := r.Find("aws_ebs_volume.old")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{
		"address":   vol.Address,
		"moved":     vol.MovedFrom,
		"block":     at(vol.Range),
		"size":      at(vol.Exprs["size"]),
		"ignore":    vol.IgnoreChanges,
		"attrs":     len(vol.Attributes),
		"typeLabel": at(vol.TypeRange),
	}
	want := map[string]any{
		"address":   "aws_ebs_volume.data",
		"moved":     "aws_ebs_volume.old",
		"block":     pos{"main.tf.json", 30},
		"size":      pos{"main.tf.json", 31},
		"ignore":    []string{"*"},
		"attrs":     1,
		"typeLabel": pos{"main.tf.json", 29},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("aws_ebs_volume (-want +got):\n%s", diff)
	}

	sg, err := r.Find("aws_security_group.web")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"ingress"}, sg.Dynamic); diff != "" {
		t.Errorf("Dynamic (-want +got):\n%s", diff)
	}
	if _, ok := sg.Attributes["dynamic"]; ok {
		t.Error("dynamic kept as an attribute")
	}
	if l := sg.DynamicBlocks["ingress"][0].Range.Start.Line; l != 39 {
		t.Errorf("dynamic ingress on line %d, want 39", l)
	}

	if b, err := r.Find("data.aws_caller_identity.me"); err != nil || b.Range.Start.Line != 49 || !b.Data {
		t.Errorf("data source: %+v, %v", b, err)
	}
	if b, err := r.Find("module.net.aws_vpc.this"); err != nil || b.File != "net/main.tf.json" || b.ModuleDir != "net" {
		t.Errorf("module.net.aws_vpc.this: %+v, %v", b, err)
	}
	if b, err := r.Find("module.dns.aws_route53_zone.z"); err != nil || b.Remote != "acme/dns/aws" || b.Range.Start.Line != 17 {
		t.Errorf("remote JSON module: %+v, %v", b, err)
	}
	if c, ok := r.ModuleCall("module.net"); !ok || at(c.Exprs["cidr"]) != (pos{"main.tf.json", 15}) {
		t.Errorf("module.net call: %+v", c)
	}
	if v, ok := r.Variable("", "size"); !ok || v.Default == nil || at(*v.Default) != (pos{"main.tf.json", 5}) || at(v.Range) != (pos{"main.tf.json", 3}) {
		t.Errorf("var.size: %+v", v)
	}
	if v, ok := r.Variable("", "name"); !ok || v.Default != nil {
		t.Errorf("var.name: %+v", v)
	}
	if lc, ok := r.Local("", "prefix"); !ok || at(lc.Expr) != (pos{"main.tf.json", 10}) {
		t.Errorf("local.prefix: %+v", lc)
	}
	if rng, ok := r.TFVar("name"); !ok || at(rng) != (pos{"terraform.tfvars.json", 2}) {
		t.Errorf("TFVar(name) = %v, %v", rng, ok)
	}
}

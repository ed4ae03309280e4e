package edit

import (
	"bytes"
	"encoding/json"
	"testing"
	"testing/fstest"

	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/gitops/locate"
)

// fuzzRepo holds one of each layout Accept edits, every file Format-clean.
var fuzzRepo = map[string]string{
	"main.tf": `variable "size" {
  type    = string
  default = "t3.micro"
}

resource "aws_instance" "app" {
  ami           = "ami-0abcdef1234567890" # pinned
  instance_type = var.size

  tags = {
    Name = "app"
    Env  = "prod" # billing
  }

  user_data = <<EOF
#!/bin/sh
echo hi
EOF
}

resource "aws_instance" "fleet" {
  for_each = {
    a = { type = "t3.small" }
    b = { type = "t3.medium" }
  }
  ami           = "ami-0abcdef1234567890"
  instance_type = each.value.type
}

resource "aws_security_group" "web" {
  name = "web"

  ingress {
    description = "HTTPS"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_iam_role_policy" "enc" {
  role = "app"
  name = "enc"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = "*"
    }]
  })
}

resource "aws_iam_role_policy" "doc" {
  role   = "app"
  name   = "doc"
  policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": []
    }
  EOF
}
`,
	"terraform.tfvars": "# sizing\nsize = \"t3.small\"\n",
	"extra.tf.json": `{
  "resource": {
    "aws_s3_bucket": {
      "logs": {
        "bucket": "acme-logs",
        "tags": {"Name": "logs"}
      }
    }
  }
}
`,
}

// fuzzTargets are the attributes the fuzzer drifts.
var fuzzTargets = []struct{ address, attribute string }{
	{"aws_instance.app", "ami"},
	{"aws_instance.app", "instance_type"},
	{"aws_instance.app", "tags"},
	{"aws_instance.app", "tags.Owner"},
	{"aws_instance.app", "user_data"},
	{"aws_instance.app", "monitoring"},
	{`aws_instance.fleet["b"]`, "instance_type"},
	{"aws_security_group.web", "ingress"},
	{"aws_security_group.web", "egress"},
	{"aws_security_group.web", "name"},
	{"aws_iam_role_policy.enc", "policy"},
	{"aws_iam_role_policy.doc", "policy"},
	{"aws_s3_bucket.logs", "tags"},
	{"aws_s3_bucket.logs", "bucket"},
}

func fuzzValue(b []byte) any {
	if v, err := decodeJSON(b); err == nil {
		return v
	}
	return string(b)
}

func FuzzAccept(f *testing.F) {
	seeds := []struct {
		sel         uint8
		actual, exp string
	}{
		{1, `"t3.large"`, `"t3.small"`},
		{2, `{"Name":"app","Env":"prod","Owner":"x"}`, `{"Name":"app","Env":"prod"}`},
		{3, `"alice"`, `null`},
		{4, `"#!/bin/sh\necho ${HOME}\n"`, `"#!/bin/sh\necho hi\n"`},
		{4, `null`, `"#!/bin/sh\necho hi\n"`},
		{5, `true`, `false`},
		{6, `"c5.large"`, `"t3.medium"`},
		{7, `[{"from_port":22,"to_port":22,"protocol":"tcp","cidr_blocks":["0.0.0.0/0"]}]`, `null`},
		{7, `[]`, `null`},
		{8, `[{"from_port":0,"to_port":0,"protocol":"-1","cidr_blocks":["10.0.0.0/8"],"description":"a\"b"}]`, `null`},
		{9, `"we\"b ${x} %{y}"`, `"web"`},
		{10, `"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}"`, `null`},
		{11, `"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":[\"*\"],\"Resource\":\"${aws:username}\"}]}"`, `null`},
		{12, `{"Name":"logs","a b":"${c}"}`, `{"Name":"logs"}`},
		{13, `1.5e300`, `"acme-logs"`},
		{2, `{"":1,"null":[{"x":{}}],"true":false}`, `null`},
		{0, `[1,[2,[3]],{"k":null}]`, `"ami"`},
	}
	for _, s := range seeds {
		f.Add(s.sel, []byte(s.actual), []byte(s.exp))
	}
	fsys := fstest.MapFS{}
	for name, src := range fuzzRepo {
		fsys[name] = &fstest.MapFile{Data: []byte(src)}
	}
	repo, err := locate.LoadFS(fsys, ".")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, sel uint8, actual, expected []byte) {
		tg := fuzzTargets[int(sel)%len(fuzzTargets)]
		req := Request{Address: tg.address, Changes: map[string]drift.AttrChange{
			tg.attribute: {Expected: fuzzValue(expected), Actual: fuzzValue(actual)},
		}}
		plan, err := AcceptFS(repo, fsys, []Request{req})
		if err != nil {
			t.Fatalf("Accept: %v", err)
		}
		for _, e := range plan.Edits {
			if err := checkParses(e.File, e.After); err != nil {
				t.Fatal(err)
			}
			if !isJSONFile(e.File) && !bytes.Equal(hclwrite.Format(e.After), e.After) {
				t.Fatalf("%s is not Format-clean after the edit:\n%s", e.File, e.After)
			}
		}
		if len(plan.Edits) == 0 {
			return
		}
		// Accepting the same drift on the edited repo edits nothing more.
		edited := fstest.MapFS{}
		for name, file := range fsys {
			edited[name] = file
		}
		for _, e := range plan.Edits {
			edited[e.File] = &fstest.MapFile{Data: e.After}
		}
		repo2, err := locate.LoadFS(edited, ".")
		if err != nil {
			t.Fatalf("load the edited repo: %v\n%s", err, plan.Diff())
		}
		// State now holds the cloud's value.
		req2 := Request{Address: req.Address, Changes: map[string]drift.AttrChange{
			tg.attribute: {Expected: req.Changes[tg.attribute].Actual, Actual: req.Changes[tg.attribute].Actual},
		}}
		again, err := AcceptFS(repo2, edited, []Request{req2})
		if err != nil {
			t.Fatalf("Accept on the edited repo: %v", err)
		}
		if d := again.Diff(); d != "" {
			raw, _ := json.Marshal(req.Changes)
			t.Fatalf("not idempotent for %s %s:\nfirst:\n%s\nsecond:\n%s", tg.address, raw, plan.Diff(), d)
		}
	})
}

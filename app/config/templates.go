package config

import (
	"io"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
	"gopkg.in/yaml.v3"
)

// templateName is the name templates get while being checked; errors
// mention it, and templateErr takes it out again.
const templateName = "tmpl"

var (
	templateErrLine = regexp.MustCompile(`^template: ` + templateName + `:(\d+):(?:\d+:)? ?(.*)$`)
	templateRef     = regexp.MustCompile(templateName + `:(\d+)`)
)

// template checks that a message or payload template parses and, unless
// disabled, runs against sample data, so a typo such as {{ .ResourceId }}
// is reported at load time with its line in the file.
func (v *validator) template(path, text string) {
	if text == "" {
		return
	}
	if v.opts.checkTemplate != nil {
		if v.opts.execTemplates {
			if err := v.opts.checkTemplate(path, templateName, text); err != nil {
				v.templateErr(path, err)
			}
			return
		}
	}
	t, err := template.New(templateName).Funcs(v.opts.funcs).Parse(text)
	if err == nil && v.opts.execTemplates {
		err = t.Execute(io.Discard, v.opts.templateData)
	}
	if err != nil {
		v.templateErr(path, err)
	}
}

// templateErr reports a template error at the file line it points to: the
// value's first line plus the template's own line number (a block scalar,
// "|", starts on the line after its key).
func (v *validator) templateErr(path string, err error) {
	at := v.pos(path)
	fileLine := func(n int) int {
		l := at.valLine + n - 1
		if at.style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			l++
		}
		return l
	}
	msg := err.Error()
	line := at.line
	if m := templateErrLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		line, msg = fileLine(n), m[2]
	}
	msg = strings.Replace(msg, `executing "`+templateName+`" at `, "", 1)
	// Other positions in the message ("started at tmpl:1") become file lines.
	msg = templateRef.ReplaceAllStringFunc(msg, func(ref string) string {
		n, _ := strconv.Atoi(strings.TrimPrefix(ref, templateName+":"))
		return "line " + strconv.Itoa(fileLine(n))
	})
	v.problems = append(v.problems, Problem{File: v.file, Line: line, Path: path, Msg: "template: " + msg})
}

// sampleDrift is what templates are test-run against by default: every
// field that tfdrift-falco templates use has a value.
func sampleDrift() *drift.Drift {
	t := time.Date(2025, 1, 20, 14, 32, 15, 0, time.UTC)
	return &drift.Drift{
		EventID:         "evt_0123456789abcdef",
		DetectedAt:      t,
		ChangeType:      drift.Modified,
		ResourceType:    "aws_security_group",
		ResourceID:      "sg-0123456789abcdef0",
		ResourceAddress: "aws_security_group.web",
		Changes: map[string]drift.AttrChange{
			"ingress": {Expected: []any{}, Actual: []any{map[string]any{"from_port": 22.0, "to_port": 22.0, "protocol": "tcp", "cidr_blocks": []any{"0.0.0.0/0"}}}},
		},
		Severity: drift.Critical,
		Rules:    []string{"sample rule"},
		Tags:     []string{"security-incident"},
		Event: &change.Change{
			Provider:     change.AWS,
			Account:      "123456789012",
			Region:       "us-east-1",
			Service:      "ec2.amazonaws.com",
			EventName:    "AuthorizeSecurityGroupIngress",
			RawEventName: "AuthorizeSecurityGroupIngress",
			EventID:      "a1b2c3d4-5678-90ab-cdef-1234567890ab",
			Time:         t,
			Actor:        change.Actor{Type: "IAMUser", UserName: "developer@example.com", ARN: "arn:aws:iam::123456789012:user/developer", AccountID: "123456789012"},
			SourceIP:     "203.0.113.42",
			UserAgent:    "console.amazonaws.com",
		},
		Terraform:   drift.Location{State: "terraform.tfstate", File: "main.tf", Line: 1},
		Fingerprint: "0123456789abcdef0123456789abcdef",
	}
}

package email

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/cost"
)

// Message is a rendered e-mail, before MIME encoding.
type Message struct {
	Subject string
	Text    string
	HTML    string
	// ID is the Message-ID without angle brackets, stable per notice.
	ID string
	// Severity goes into the X-Tfdrift-Severity header, for filters.
	Severity drift.Severity
}

const (
	maxSubject     = 180
	maxValue       = 200
	maxGroupListed = 100
)

// Renderer builds messages.
type Renderer struct {
	CodeLink ticket.CodeLink
}

// Render builds the message for n.
func (r *Renderer) Render(n *ticket.Notice) (*Message, error) {
	v := view{Banner: ticket.SeverityBanner(n), Kind: string(n.Kind), Priority: n.Priority}
	var subject string
	switch {
	case n.Kind == ticket.KindGroup && n.Group != nil && len(n.Group.Drifts) > 0:
		g := n.Group
		v.Severity = ticket.GroupSeverity(g)
		v.Actor = ticket.OneLine(g.Actor)
		v.Window = fmt.Sprintf("%s → %s (storm control: %s)", g.First.UTC().Format(time.RFC3339), g.Last.UTC().Format(time.RFC3339), g.Window)
		for i, d := range g.Drifts {
			if i == maxGroupListed {
				v.More = len(g.Drifts) - maxGroupListed
				break
			}
			v.Members = append(v.Members, member{Severity: string(d.Severity), Title: ticket.OneLine(d.Title()), Attributes: ticket.OneLine(strings.Join(d.Attributes(), ", "))})
		}
		subject = fmt.Sprintf("[tfdrift] %s drift storm: %d resources changed by %s", strings.ToUpper(string(v.Severity)), len(g.Drifts), g.Actor)
	case n.Drift != nil:
		d := n.Drift
		v.Severity = d.Severity
		v.fill(d, r.CodeLink)
		if n.Kind == ticket.KindResolved {
			subject = "[tfdrift] Resolved: " + d.Title()
		} else {
			subject = fmt.Sprintf("[tfdrift] %s drift: %s", strings.ToUpper(string(d.Severity)), d.Title())
		}
	default:
		return nil, fmt.Errorf("email: %s notice without a drift", n.Kind)
	}
	var text, html bytes.Buffer
	if err := textTemplate.Execute(&text, &v); err != nil {
		return nil, fmt.Errorf("email: text body: %w", err)
	}
	if err := htmlTemplate.Execute(&html, &v); err != nil {
		return nil, fmt.Errorf("email: HTML body: %w", err)
	}
	return &Message{
		Subject:  ticket.Truncate(ticket.OneLine(subject), maxSubject),
		Text:     text.String(),
		HTML:     html.String(),
		ID:       messageID(n),
		Severity: v.Severity,
	}, nil
}

// view is what the body templates see.
type view struct {
	Banner, Kind, Priority string
	Severity               drift.Severity

	Title, Change, Who, From, Where, Detected, State string
	Code, CodeURL                                    string
	Rules, Tags                                      string
	Rows                                             []ticket.ChangeRow
	Cost                                             []string
	CostSummary                                      string

	Actor, Window string
	Members       []member
	More          int
}

type member struct{ Severity, Title, Attributes string }

// fill sets the single-drift fields, each on one line: a line break in a
// value must not break the text layout.
func (v *view) fill(d *drift.Drift, link ticket.CodeLink) {
	one := ticket.OneLine
	v.Title = one(d.Title())
	v.Change = string(d.ChangeType)
	if e := d.CloudTrailEvent(); e != "" {
		v.Change += " by " + one(e)
	}
	v.Who, v.From, v.Where = one(ticket.Who(d)), one(ticket.From(d)), one(ticket.Where(d))
	if !d.DetectedAt.IsZero() {
		v.Detected = d.DetectedAt.UTC().Format(time.RFC3339)
	}
	v.State = one(d.Terraform.State)
	v.Code, v.CodeURL = one(ticket.CodeText(d.Terraform)), link.URL(d.Terraform)
	v.Rules, v.Tags = one(strings.Join(d.Rules, ", ")), one(strings.Join(d.Tags, ", "))
	v.Rows = ticket.ChangeRows(d, maxValue)
	for i := range v.Rows {
		v.Rows[i].Diff = one(v.Rows[i].Diff)
	}
	if im, ok := cost.Estimate(d); ok {
		v.CostSummary = im.String()
		v.Cost = append(im.Lines()[:2], im.Assumptions...)
		v.Cost = append(v.Cost, im.Basis)
	}
}

var funcs = map[string]any{"upper": func(s drift.Severity) string { return strings.ToUpper(string(s)) }}

// textTemplate is the plain-text part: text/template, since nothing in
// a text/plain part is markup. The HTML part uses html/template.
var textTemplate = mustText(`{{ .Banner }}
{{ if .Members }}
Actor:    {{ .Actor }}
Window:   {{ .Window }}

{{ range .Members }}- [{{ .Severity }}] {{ .Title }}: {{ .Attributes }}
{{ end }}{{ if .More }}… and {{ .More }} more (every drift is in the audit log and the store)
{{ end }}{{ else }}
Resource: {{ .Title }}
{{ if eq .Kind "resolved" }}
The {{ .Severity }} drift detected {{ .Detected }} no longer stands: the
cloud matches Terraform again.
{{ else }}Change:   {{ .Change }}
{{ if .Priority }}Priority: {{ .Priority }}
{{ end }}User:     {{ .Who }}
From:     {{ .From }}
Where:    {{ .Where }}
Detected: {{ .Detected }}
{{ if .Code }}Code:     {{ .Code }}{{ if .CodeURL }} <{{ .CodeURL }}>{{ end }}
{{ end }}{{ if .State }}State:    {{ .State }}
{{ end }}{{ if .Rules }}Rules:    {{ .Rules }}
{{ end }}{{ if .Tags }}Tags:     {{ .Tags }}
{{ end }}{{ if .Rows }}
Changes (expected → actual):
{{ range .Rows }}  {{ .Attribute }}: {{ .Expected }} → {{ .Actual }}
{{ if .Diff }}    {{ .Diff }}
{{ end }}{{ end }}{{ end }}{{ if .Cost }}
Cost impact: {{ .CostSummary }}
{{ range .Cost }}  {{ . }}
{{ end }}{{ end }}{{ end }}{{ end }}
-- 
tfdrift: infrastructure changed outside Terraform
`)

var htmlTemplate = template.Must(template.New("html").Funcs(funcs).Parse(`<!DOCTYPE html>
<html><body style="font-family: sans-serif; font-size: 14px">
<h2 style="margin: 0 0 12px">{{ .Banner }}</h2>
{{ if .Members -}}
<p><b>Actor:</b> {{ .Actor }}<br><b>Window:</b> {{ .Window }}</p>
<ul>
{{ range .Members }}<li><code>{{ .Severity }}</code> <code>{{ .Title }}</code>: {{ .Attributes }}</li>
{{ end }}</ul>
{{ if .More }}<p>… and {{ .More }} more (every drift is in the audit log and the store)</p>
{{ end }}{{ else -}}
<table cellpadding="4" style="border-collapse: collapse">
<tr><th align="left">Resource</th><td><code>{{ .Title }}</code></td></tr>
{{ if eq .Kind "resolved" -}}
</table>
<p>The {{ .Severity }} drift detected {{ .Detected }} no longer stands: the cloud matches Terraform again.</p>
{{ else -}}
<tr><th align="left">Change</th><td>{{ .Change }}</td></tr>
{{ if .Priority }}<tr><th align="left">Priority</th><td>{{ .Priority }}</td></tr>
{{ end }}<tr><th align="left">User</th><td>{{ .Who }}</td></tr>
<tr><th align="left">From</th><td>{{ .From }}</td></tr>
<tr><th align="left">Where</th><td>{{ .Where }}</td></tr>
<tr><th align="left">Detected</th><td>{{ .Detected }}</td></tr>
{{ if .Code }}<tr><th align="left">Code</th><td>{{ if .CodeURL }}<a href="{{ .CodeURL }}">{{ .Code }}</a>{{ else }}<code>{{ .Code }}</code>{{ end }}</td></tr>
{{ end }}{{ if .State }}<tr><th align="left">State</th><td>{{ .State }}</td></tr>
{{ end }}{{ if .Rules }}<tr><th align="left">Rules</th><td>{{ .Rules }}</td></tr>
{{ end }}{{ if .Tags }}<tr><th align="left">Tags</th><td>{{ .Tags }}</td></tr>
{{ end }}</table>
{{ if .Rows -}}
<h3>Changes</h3>
<table border="1" cellpadding="4" style="border-collapse: collapse">
<tr><th>Attribute</th><th>Expected</th><th>Actual</th><th>Diff</th></tr>
{{ range .Rows }}<tr><td><code>{{ .Attribute }}</code></td><td><code>{{ .Expected }}</code></td><td><code>{{ .Actual }}</code></td><td>{{ .Diff }}</td></tr>
{{ end }}</table>
{{ end }}{{ if .Cost -}}
<h3>Cost impact: {{ .CostSummary }}</h3>
<ul>
{{ range .Cost }}<li>{{ . }}</li>
{{ end }}</ul>
{{ end }}{{ end }}{{ end -}}
<p style="color: #777">tfdrift: infrastructure changed outside Terraform</p>
</body></html>
`))

func messageID(n *ticket.Notice) string {
	h := sha256.Sum256([]byte(strings.Join([]string{n.Sink, string(n.Kind), n.Target, n.Fingerprint}, "\x00")))
	return hex.EncodeToString(h[:12]) + "@tfdrift"
}

// Envelope is what Build needs besides the message.
type Envelope struct {
	From string
	To   []string
	Date time.Time
}

// Build encodes m as an RFC 5322 message: multipart/alternative, text then
// HTML, both UTF-8 quoted-printable, CRLF line endings. The boundary
// derives from the Message-ID, so the output is deterministic.
func Build(m *Message, env Envelope) ([]byte, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.SetBoundary("tfdrift-" + strings.TrimSuffix(m.ID, "@tfdrift")); err != nil {
		return nil, err
	}
	for _, part := range []struct{ typ, content string }{
		{"text/plain; charset=utf-8", m.Text},
		{"text/html; charset=utf-8", m.HTML},
	} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.typ},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(toCRLF(part.content))); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&out, "%s: %s\r\n", k, v) }
	header("From", headerValue(env.From))
	header("To", headerValue(strings.Join(env.To, ", ")))
	header("Subject", mime.QEncoding.Encode("utf-8", headerValue(m.Subject)))
	header("Date", env.Date.Format(time.RFC1123Z))
	header("Message-ID", "<"+m.ID+">")
	header("MIME-Version", "1.0")
	header("Content-Type", `multipart/alternative; boundary="`+mw.Boundary()+`"`)
	// RFC 3834: keeps vacation responders from answering alerts.
	header("Auto-Submitted", "auto-generated")
	if m.Severity != "" {
		header("X-Tfdrift-Severity", string(m.Severity))
	}
	out.WriteString("\r\n")
	out.Write(body.Bytes())
	return out.Bytes(), nil
}

// headerValue keeps a value on its header line.
func headerValue(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

func toCRLF(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

func mustText(src string) *texttemplate.Template {
	return texttemplate.Must(texttemplate.New("text").Funcs(funcs).Parse(src))
}

package slack

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"

	"github.com/slack-go/slack"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/cost"
	"github.com/tfdrift/tfdrift/ticket/internal/rewrite"
)

// Message is a rendered Slack message.
type Message struct {
	Text        string
	Attachments []slack.Attachment
}

// WebhookBody is an incoming webhook's JSON body. slack.WebhookMessage
// would also send response_url fields (replace_original, …) that have no
// business in a new message.
type WebhookBody struct {
	Channel     string             `json:"channel,omitempty"`
	Text        string             `json:"text"`
	Attachments []slack.Attachment `json:"attachments,omitempty"`
}

// Webhook returns the incoming-webhook body for m, to channel when set.
func (m *Message) Webhook(channel string) *WebhookBody {
	return &WebhookBody{Channel: channel, Text: m.Text, Attachments: m.Attachments}
}

// Severity colours of the attachment bar.
var colors = map[drift.Severity]string{
	drift.Critical: "#D00000",
	drift.High:     "#E8700A",
	drift.Medium:   "#ECB22E",
	drift.Low:      "#439FE0",
	drift.Info:     "#9E9E9E",
}

const colorResolved = "#2EB67D"

// Block Kit limits (characters) and the message's own bounds.
const (
	maxHeader      = 150
	maxSection     = 3000
	maxField       = 2000
	maxValue       = 80
	maxGroupListed = 20
)

// Renderer builds messages.
type Renderer struct {
	CodeLink ticket.CodeLink
	tmpl     *template.Template
}

// escText is the escaper appended to every template action.
const escText = "_tfdrift_mrkdwn"

// NewRenderer parses messageTemplate (empty: the built-in text).
func NewRenderer(messageTemplate string, link ticket.CodeLink) (*Renderer, error) {
	r := &Renderer{CodeLink: link}
	if messageTemplate == "" {
		return r, nil
	}
	funcs := ticket.TemplateFuncs()
	funcs[escText] = func(v any) string { return esc(textOf(v)) }
	t, err := template.New("message_template").Option("missingkey=error").Funcs(funcs).Parse(messageTemplate)
	if err != nil {
		return nil, err
	}
	if err := rewrite.Rewrite(t, mrkdwnLexer{}); err != nil {
		return nil, err
	}
	r.tmpl = t
	if _, err := r.Render(ticket.SampleNotice()); err != nil {
		return nil, fmt.Errorf("with a sample drift: %w", err)
	}
	return r, nil
}

// mrkdwnLexer has one context: everything a template prints is escaped.
type mrkdwnLexer struct{}

func (mrkdwnLexer) Text(ctx int, _ []byte) int  { return ctx }
func (mrkdwnLexer) Escaper(int) (string, error) { return escText, nil }
func (mrkdwnLexer) Describe(int) string         { return "in the message" }

// textOf is a value's text as a template would print it, with lists
// joined by ", " and nil as nothing.
func textOf(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case []string:
		return strings.Join(t, ", ")
	case *cost.Impact:
		return t.String()
	case fmt.Stringer:
		return t.String()
	}
	return fmt.Sprint(v)
}

// Render builds the message for n.
func (r *Renderer) Render(n *ticket.Notice) (*Message, error) {
	var m *Message
	switch {
	case n.Kind == ticket.KindGroup && n.Group != nil && len(n.Group.Drifts) > 0:
		m = r.group(n)
	case n.Drift != nil && n.Kind == ticket.KindResolved:
		m = r.resolved(n)
	case n.Drift != nil:
		m = r.drift(n)
	default:
		return nil, fmt.Errorf("slack: %s notice without a drift", n.Kind)
	}
	if r.tmpl != nil {
		var b bytes.Buffer
		if err := r.tmpl.Execute(&b, ticket.NewTemplateData(n, r.CodeLink)); err != nil {
			return nil, fmt.Errorf("slack message_template: %w", err)
		}
		m.Text = strings.TrimRight(b.String(), "\n")
	}
	return m, nil
}

func (r *Renderer) drift(n *ticket.Notice) *Message {
	d := n.Drift
	blocks := []slack.Block{
		header(d.Banner()),
		section(r.resourceText(n, d)),
	}
	if table := changeTable(d); table != "" {
		blocks = append(blocks, section(table))
	}
	blocks = append(blocks, slack.NewSectionBlock(nil, []*slack.TextBlockObject{
		field("User", esc(ticket.Who(d))),
		field("From", esc(ticket.From(d))),
		field(accountLabel(d), esc(ticket.Where(d))),
		field("Detected", esc(rfc3339(d))),
	}, nil))
	if im, ok := cost.Estimate(d); ok {
		blocks = append(blocks, section(costText(im)))
	}
	if c := r.context(n, d); c != nil {
		blocks = append(blocks, c)
	}
	text := fmt.Sprintf("%s: %s", d.Banner(), d.Title())
	if u := d.User(); u != "" {
		text += " by " + u
	}
	return &Message{
		Text:        esc(text),
		Attachments: []slack.Attachment{{Color: color(d.Severity), Fallback: esc(text), Blocks: slack.Blocks{BlockSet: blocks}}},
	}
}

func (r *Renderer) resolved(n *ticket.Notice) *Message {
	d := n.Drift
	banner := ticket.SeverityBanner(n)
	blocks := []slack.Block{
		header(banner),
		section(fmt.Sprintf("*Resource:* %s\nThe %s drift detected %s no longer stands: the cloud matches Terraform again.",
			resource(d), esc(string(d.Severity)), esc(rfc3339(d)))),
	}
	if c := r.context(n, d); c != nil {
		blocks = append(blocks, c)
	}
	text := banner + ": " + d.Title()
	return &Message{
		Text:        esc(text),
		Attachments: []slack.Attachment{{Color: colorResolved, Fallback: esc(text), Blocks: slack.Blocks{BlockSet: blocks}}},
	}
}

func (r *Renderer) group(n *ticket.Notice) *Message {
	g := n.Group
	sev := ticket.GroupSeverity(g)
	banner := ticket.SeverityBanner(n)
	var list strings.Builder
	for i, d := range g.Drifts {
		if i == maxGroupListed {
			fmt.Fprintf(&list, "… and %d more (every drift is in the audit log and the store)\n", len(g.Drifts)-maxGroupListed)
			break
		}
		fmt.Fprintf(&list, "• `%s` %s: %s\n", esc(string(d.Severity)), resource(d), esc(strings.Join(d.Attributes(), ", ")))
	}
	blocks := []slack.Block{
		header(banner),
		section(fmt.Sprintf("*Actor:* %s\n*Window:* %s → %s (storm control: %s)",
			esc(g.Actor), esc(g.First.UTC().Format("2006-01-02T15:04:05Z")), esc(g.Last.UTC().Format("15:04:05Z")), esc(g.Window.String()))),
		section(list.String()),
	}
	text := fmt.Sprintf("%s DRIFT STORM: %d resources changed by %s", strings.ToUpper(string(sev)), len(g.Drifts), g.Actor)
	return &Message{
		Text:        esc(text),
		Attachments: []slack.Attachment{{Color: color(sev), Fallback: esc(text), Blocks: slack.Blocks{BlockSet: blocks}}},
	}
}

func (r *Renderer) resourceText(n *ticket.Notice, d *drift.Drift) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*Resource:* %s\n", resource(d))
	fmt.Fprintf(&b, "*Change:* %s", esc(string(d.ChangeType)))
	if e := d.CloudTrailEvent(); e != "" {
		fmt.Fprintf(&b, " by %s", code(e))
	}
	if n.Priority != "" {
		fmt.Fprintf(&b, "\n*Priority:* %s", esc(n.Priority))
	}
	return b.String()
}

// resource is `address` (id), or `type` `id` for an unmanaged resource.
func resource(d *drift.Drift) string {
	if d.ResourceAddress != "" {
		s := code(d.ResourceAddress)
		if d.ResourceID != "" {
			s += " (" + esc(d.ResourceID) + ")"
		}
		return s
	}
	return code(d.ResourceType) + " " + code(d.ResourceID) + " _(unmanaged)_"
}

// changeTable is the expected → actual table, in a code block.
func changeTable(d *drift.Drift) string {
	rows := ticket.ChangeRows(d, maxValue)
	if len(rows) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("*Changes* (expected → actual)\n```")
	shown := 0
	for _, row := range rows {
		var line strings.Builder
		fmt.Fprintf(&line, "%s: %s → %s\n", row.Attribute, row.Expected, row.Actual)
		if row.Diff != "" {
			fmt.Fprintf(&line, "  %s\n", ticket.OneLine(row.Diff))
		}
		l := preformatted(line.String())
		if b.Len()+len(l)+64 > maxSection {
			fmt.Fprintf(&b, "… %d more attributes in the JSON record\n", len(rows)-shown)
			break
		}
		b.WriteString(l)
		shown++
	}
	b.WriteString("```")
	return b.String()
}

func costText(im *cost.Impact) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*Cost impact:* %s\n", esc(im.String()))
	for _, l := range im.Lines()[:2] {
		b.WriteString(esc(l) + "\n")
	}
	for _, a := range im.Assumptions {
		b.WriteString("_" + esc(a) + "_\n")
	}
	b.WriteString("_" + esc(im.Basis) + "_")
	return b.String()
}

func (r *Renderer) context(n *ticket.Notice, d *drift.Drift) *slack.ContextBlock {
	var els []slack.MixedElement
	if ref, ok := n.SystemRef(ticket.TypeGitHub, d); ok {
		if u := linkURL(ref.URL); u != "" {
			text := "issue"
			if ref.ExternalID != "" {
				text = "#" + strings.TrimPrefix(ref.ExternalID, "#")
			}
			els = append(els, mrkdwn(fmt.Sprintf("GitHub: <%s|%s>", u, esc(text))))
		}
	}
	if c := ticket.CodeText(d.Terraform); c != "" {
		if u := r.CodeLink.URL(d.Terraform); u != "" {
			els = append(els, mrkdwn(fmt.Sprintf("Code: <%s|%s>", esc(u), esc(c))))
		} else {
			els = append(els, mrkdwn("Code: "+code(c)))
		}
	}
	if len(d.Rules) > 0 {
		els = append(els, mrkdwn("Rules: "+esc(strings.Join(d.Rules, ", "))))
	}
	if len(d.Tags) > 0 {
		els = append(els, mrkdwn("Tags: "+esc(strings.Join(d.Tags, ", "))))
	}
	if d.EventID != "" {
		els = append(els, mrkdwn("Drift "+code(d.EventID)))
	}
	if len(els) == 0 {
		return nil
	}
	return slack.NewContextBlock("", els...)
}

func header(s string) *slack.HeaderBlock {
	return slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, ticket.Truncate(ticket.OneLine(s), maxHeader), true, false))
}

func section(s string) *slack.SectionBlock {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, ticket.Truncate(s, maxSection), false, false), nil, nil)
}

func field(label, value string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, ticket.Truncate("*"+label+":*\n"+value, maxField), false, false)
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, ticket.Truncate(s, maxField), false, false)
}

func color(s drift.Severity) string {
	if c, ok := colors[s]; ok {
		return c
	}
	return colors[drift.Medium]
}

func accountLabel(d *drift.Drift) string {
	if d.Provider() == "gcp" {
		return "Project"
	}
	return "Account"
}

func rfc3339(d *drift.Drift) string {
	if d.DetectedAt.IsZero() {
		return "unknown"
	}
	return d.DetectedAt.UTC().Format("2006-01-02T15:04:05Z")
}

// linkURL returns u when it is an http(s) URL that cannot break out of
// a <url|text> link, else "".
func linkURL(u string) string {
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") || strings.ContainsAny(u, "<>| \t\r\n") {
		return ""
	}
	return esc(u)
}

// esc escapes the three characters Slack's mrkdwn gives meaning to.
func esc(s string) string {
	return mrkdwnEscaper.Replace(s)
}

var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// code wraps s in a code span; backticks inside would end it early, so
// they become a look-alike.
func code(s string) string {
	if s == "" {
		return "–"
	}
	return "`" + esc(strings.ReplaceAll(ticket.OneLine(s), "`", "ˋ")) + "`"
}

// preformatted makes s safe inside a ``` block.
func preformatted(s string) string {
	return esc(strings.ReplaceAll(s, "```", "ˋˋˋ"))
}

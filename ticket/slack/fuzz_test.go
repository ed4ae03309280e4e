package slack_test

import (
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/internal/sample"
	"github.com/tfdrift/tfdrift/ticket/slack"
)

// FuzzMessageTemplate: any message_template either fails to load or
// renders, and no value it inserts can open Slack markup.
func FuzzMessageTemplate(f *testing.F) {
	f.Add("{{ .User }} changed {{ .ResourceID }}", "<!channel>")
	f.Add("{{ range .Tags }}{{ . }}{{ end }}", "<@U123|x>")
	f.Add("{{ if .CostImpact }}{{ .CostImpact }}{{ end }}", "&amp;")
	f.Add("{{ .Tags | json }} {{ join .Tags \", \" }}", "")
	f.Fuzz(func(t *testing.T, tmpl, user string) {
		r, err := slack.NewRenderer(tmpl, ticket.CodeLink{})
		if err != nil {
			return
		}
		d := sample.SecurityGroup()
		d.Event.Actor.UserName = user
		m, err := r.Render(&ticket.Notice{Kind: ticket.KindDrift, Drift: d, Fingerprint: d.Fingerprint})
		if err != nil {
			return
		}
		if !strings.Contains(tmpl, "<") && strings.Contains(m.Text, "<") {
			t.Fatalf("an inserted value opened markup: template %q, text %q", tmpl, m.Text)
		}
	})
}

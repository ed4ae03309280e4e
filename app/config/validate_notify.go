package config

import (
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/tfdrift/tfdrift/detector/change"
)

func (v *validator) notifications(r *rawNotifications) Notifications {
	var n Notifications
	n.StormControl = v.stormControl(r.StormControl)
	if n.CodeURL = r.CodeURL; n.CodeURL != "" {
		v.httpURL("notifications.code_url", strings.ReplaceAll(strings.ReplaceAll(n.CodeURL, "{", ""), "}", ""))
		if !strings.Contains(n.CodeURL, "{file}") {
			v.errAt("notifications.code_url", "the template needs {file} (and usually {line}): https://github.com/acme/infra/blob/main/{file}#L{line}")
		}
	}
	if r.Slack != nil {
		n.Slack = v.slack("notifications.slack", r.Slack)
	}
	n.Webhooks = v.webhooks(r)
	if r.Jira != nil {
		n.Jira = v.jira("notifications.jira", r.Jira)
	}
	if r.Email != nil {
		n.Email = v.email("notifications.email", r.Email)
	}
	if r.PagerDuty != nil {
		n.PagerDuty = v.pagerDuty("notifications.pagerduty", r.PagerDuty)
	}
	return n
}

func (v *validator) filter(path string, r *rawFilter) Filter {
	f := Filter{
		Accounts: v.nonEmpty(path+".accounts", r.Accounts),
		Tags:     v.nonEmpty(path+".tags", r.Tags),
	}
	for i, s := range r.Severity {
		if sev, ok := v.severity(indexPath(path+".severity", i), s); ok {
			f.Severities = append(f.Severities, sev)
		}
	}
	for i, p := range r.Provider {
		if v.oneOf(indexPath(path+".provider", i), p, "aws", "gcp") {
			f.Providers = append(f.Providers, change.Provider(p))
		}
	}
	return f
}

func (v *validator) slack(path string, r *rawSlack) Slack {
	s := Slack{
		Enabled:         enabled(r.Enabled),
		WebhookURL:      r.WebhookURL,
		Token:           r.Token,
		Channel:         r.Channel,
		MessageTemplate: r.MessageTemplate,
	}
	v.httpURL(path+".webhook_url", r.WebhookURL)
	v.template(path+".message_template", r.MessageTemplate)
	for i := range r.Channels {
		cp := indexPath(path+".channels", i)
		rc := &r.Channels[i]
		v.required(cp+".name", rc.Name, "the channel (#name or ID)")
		v.httpURL(cp+".webhook_url", rc.WebhookURL)
		s.Channels = append(s.Channels, SlackChannel{Name: rc.Name, WebhookURL: rc.WebhookURL, Filter: v.filter(cp+".filter", &rc.Filter)})
	}
	if !s.Enabled {
		return s
	}
	credentialed := s.WebhookURL != "" || s.Token != "" || v.unknownValue(path+".webhook_url") || v.unknownValue(path+".token")
	if !credentialed {
		var deaf []string
		for i, c := range s.Channels {
			if c.WebhookURL == "" && !v.unknownValue(indexPath(path+".channels", i)+".webhook_url") {
				deaf = append(deaf, c.Name)
			}
		}
		switch {
		case len(s.Channels) == 0:
			v.warnAt(path, "slack is enabled but has neither webhook_url nor token: nothing will be sent")
		case len(deaf) > 0:
			v.warnAt(path, "slack has neither webhook_url nor token, and channels %s have no webhook_url of their own: nothing will be sent to them", truncate(strings.Join(deaf, ", "), 120))
		}
	}
	return s
}

// webhooks merges the single "webhook:" block and the "webhooks:" list.
func (v *validator) webhooks(r *rawNotifications) []Webhook {
	type entry struct {
		path string
		raw  *rawWebhook
	}
	var all []entry
	if r.Webhook != nil {
		all = append(all, entry{"notifications.webhook", r.Webhook})
	}
	for i := range r.Webhooks {
		all = append(all, entry{indexPath("notifications.webhooks", i), &r.Webhooks[i]})
	}
	out := make([]Webhook, 0, len(all))
	names := map[string]string{}
	for i, e := range all {
		name := e.raw.Name
		if name == "" {
			name = "webhook"
			if len(all) > 1 {
				name = fmt.Sprintf("webhook-%d", i+1)
			}
		}
		if prev, dup := names[name]; dup {
			v.errAt(e.path+".name", "webhook name %q is already used by %s; names identify webhooks in the outbox", truncate(name, 40), prev)
		}
		names[name] = e.path
		out = append(out, v.webhook(e.path, name, e.raw))
	}
	return out
}

func (v *validator) webhook(path, name string, r *rawWebhook) Webhook {
	w := Webhook{
		Name:            name,
		Enabled:         enabled(r.Enabled),
		URL:             r.URL,
		Method:          strings.ToUpper(or(r.Method, DefaultWebhookMethod)),
		Headers:         r.Headers,
		PayloadTemplate: r.PayloadTemplate,
		Filter:          v.filter(path+".filter", &r.Filter),
		Timeout:         v.duration(path+".timeout", r.Timeout, DefaultWebhookTimeout, 0),
	}
	if w.Timeout <= 0 {
		v.errAt(path+".timeout", "must be more than zero")
	}
	v.oneOf(path+".method", w.Method, "POST", "PUT", "PATCH")
	for k := range r.Headers {
		if !isToken(k) {
			v.errAt(path+".headers."+k, "%q is not a valid HTTP header name", truncate(k, 40))
		}
	}
	v.template(path+".payload_template", r.PayloadTemplate)
	if w.Enabled && v.required(path+".url", r.URL, "the URL to send drifts to") {
		v.httpURL(path+".url", r.URL)
	}
	return w
}

// isToken reports whether s is an HTTP token (RFC 9110), as header names are.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("!#$%&'*+-.^_`|~", r):
		default:
			return false
		}
	}
	return true
}

func (v *validator) jira(path string, r *rawJira) Jira {
	j := Jira{
		Enabled:             enabled(r.Enabled),
		URL:                 r.URL,
		Project:             or(r.Project, DefaultJiraProject),
		IssueType:           or(r.IssueType, DefaultJiraIssueType),
		Email:               r.Email,
		APIToken:            r.APIToken,
		PersonalAccessToken: r.PersonalAccessToken,
		Labels:              v.nonEmpty(path+".labels", r.Labels),
		Components:          v.nonEmpty(path+".components", r.Components),
		CustomFields:        r.CustomFields,
		DoneTransition:      or(r.DoneTransition, DefaultJiraDoneTransition),
	}
	for k := range r.CustomFields {
		if strings.TrimSpace(k) == "" {
			v.errAt(path+".custom_fields", "empty field name")
		}
	}
	if !j.Enabled {
		return j
	}
	if v.required(path+".url", r.URL, "the Jira base URL (https://example.atlassian.net)") {
		v.httpURL(path+".url", r.URL)
	}
	known := func(k string) bool { return v.unknownValue(path + "." + k) }
	hasBasic := j.Email != "" || j.APIToken != "" || known("email") || known("api_token")
	hasPAT := j.PersonalAccessToken != "" || known("personal_access_token")
	switch {
	case hasBasic && hasPAT:
		v.errAt(path+".personal_access_token", "set either email and api_token (Jira Cloud) or personal_access_token (Data Center), not both")
	case hasBasic:
		v.required(path+".email", j.Email, "the account email that goes with api_token")
		v.required(path+".api_token", j.APIToken, "the API token that goes with email")
	case !hasPAT:
		v.errAt(path, "jira needs credentials: email and api_token (Jira Cloud) or personal_access_token (Data Center)")
	}
	return j
}

func (v *validator) email(path string, r *rawEmail) Email {
	e := Email{
		Enabled:  enabled(r.Enabled),
		SMTPHost: r.SMTPHost,
		SMTPPort: r.SMTPPort,
		Username: r.Username,
		Password: r.Password,
		From:     r.From,
		To:       r.To,
		StartTLS: r.StartTLS == nil || *r.StartTLS,
	}
	if e.SMTPPort == 0 {
		e.SMTPPort = DefaultSMTPPort
	}
	v.port(path+".smtp_port", e.SMTPPort)
	if !e.Enabled {
		return e
	}
	v.required(path+".smtp_host", e.SMTPHost, "the SMTP server's host name")
	if v.required(path+".from", e.From, "the sender address") && e.From != "" && !v.unknownValue(path+".from") {
		if _, err := mail.ParseAddress(e.From); err != nil {
			v.errAt(path+".from", "%q is not an email address", truncate(e.From, 60))
		}
	}
	if len(e.To) == 0 {
		v.errAt(path+".to", "missing: at least one recipient")
	}
	for i, to := range e.To {
		p := indexPath(path+".to", i)
		if _, err := mail.ParseAddress(to); err != nil && !v.unknownValue(p) {
			v.errAt(p, "%q is not an email address", truncate(to, 60))
		}
	}
	if (e.Username == "") != (e.Password == "") && !v.unknownValue(path+".username") && !v.unknownValue(path+".password") {
		v.errAt(path+".username", "username and password go together (SMTP AUTH)")
	}
	return e
}

var pagerDutySeverities = []string{"critical", "error", "warning", "info"}

func (v *validator) pagerDuty(path string, r *rawPagerDuty) PagerDuty {
	p := PagerDuty{
		Enabled:     enabled(r.Enabled),
		RoutingKey:  r.RoutingKey,
		SeverityMap: DefaultPagerDutySeverities(),
		URL:         r.URL,
	}
	if p.URL != "" {
		v.httpURL(path+".url", p.URL)
	}
	for k, val := range r.SeverityMap {
		kp := path + ".severity_map." + k
		sev, ok := v.severity(kp, k)
		if v.oneOf(kp, val, pagerDutySeverities...) && ok {
			p.SeverityMap[sev] = val
		}
	}
	if p.Enabled {
		v.required(path+".routing_key", p.RoutingKey, "the Events API v2 integration (routing) key")
	}
	return p
}

func (v *validator) stormControl(r *rawStormControl) StormControl {
	sc := StormControl{Enabled: true, Threshold: DefaultStormThreshold, Window: DefaultStormWindow}
	if r == nil {
		return sc
	}
	sc.Enabled = enabled(r.Enabled)
	if r.Threshold != 0 {
		sc.Threshold = r.Threshold
	}
	sc.Window = v.duration("notifications.storm_control.window", r.Window, DefaultStormWindow, time.Second)
	sc.Exempt = v.nonEmpty("notifications.storm_control.exempt", r.Exempt)
	if sc.Threshold < 2 {
		v.errAt("notifications.storm_control.threshold", "must be at least 2 (a group needs two drifts); set enabled: false to turn storm control off")
	}
	return sc
}

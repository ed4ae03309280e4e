// Package slack is the Slack sink: an incoming webhook or a bot token
// (chat.postMessage through github.com/slack-go/slack), one channel per
// notice target, so channels[].filter routing
// is the router's choice of target.
//
// Render builds the message (pure, golden-tested): the notification text,
// and one attachment whose colour is the severity and whose Block Kit
// blocks hold the resource, the change table (expected → actual), who made
// the change and from where, the cost impact, and a link to the Terraform
// code at file:line when a CodeLink is configured. A message_template (Go
// text/template over ticket.TemplateData) replaces the
// text; the details attachment stays.
//
// Values inserted into mrkdwn, by the built-in layout or by a template
// action, have &, < and > escaped, so a user name cannot mention
// @channel or forge a link; literal template text is left alone.
//
// It imports ticket, ticket/cost and slack-go; never app.
package slack

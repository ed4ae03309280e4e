// Package rewrite escapes what a text/template prints, by context, the way
// html/template does for HTML: it walks the parsed template, follows a
// caller-supplied context (inside a JSON string or not, say) through the
// literal text, and appends an escaping function to every action that
// prints. Template authors write {{ .User }}; the template runs
// {{ .User | escaper }}, where the escaper fits the place the value lands.
//
// It is internal to ticket: the webhook sink uses it for JSON, the Slack
// sink for mrkdwn. It imports only the standard library.
package rewrite

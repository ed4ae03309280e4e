// Package webhook is the generic HTTP sink: any number of them, each with
// a URL, method, headers and an optional payload_template, a Go
// text/template producing JSON (PagerDuty, Sysdig, SIEM and
// cost-management payloads, for example). Without a template the body is the drift's
// JSON record, the --format json contract.
//
// # Escaping
//
// Templates usually quote values themselves ("user": "{{ .User }}") and
// values may hold quotes and backslashes, so a template cannot be run as
// plain text. ParseTemplate escapes by context, as html/template does for
// HTML: it follows the literal text of the template to know whether each
// {{ action }} lands inside a JSON string or where a whole JSON value
// stands, and appends an escaper to the action's pipeline:
//
//   - inside a string, the value's text is JSON-escaped (a []string is
//     joined with ", ", a Stringer uses String);
//   - where a value stands, the value is JSON-encoded, so {{ .Tags }}
//     renders ["a","b"], {{ .User }} a quoted string, {{ .Count }} a
//     number, and {{ .Tags | json }} is inserted once, not encoded twice.
//
// An action right after a backslash inside a string is refused when the
// template is parsed, as are {{if}}/{{range}} arms that end in different
// contexts and {{template}}/{{define}}. The rendered body must then pass
// json.Valid; a body that does not is never sent: Send returns a
// *ticket.PermanentError (the notice is dead-lettered with the reason) and
// the sink counts it (InvalidPayloads). Nothing is repaired silently.
//
// It imports ticket and the standard library; never app.
package webhook

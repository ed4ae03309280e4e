// Package jira is the Jira sink, through github.com/andygrunwald/go-jira
// v1.17.0 and the REST API v2 (wiki markup descriptions): the
// create_ticket action (system jira, project INFRA, issue_type Task,
// summary).
//
// One ticket per drifted resource. Every ticket carries the marker label
// tfdrift-<hash of the resource> (ticket.ResourceHash). Before creating, the
// sink searches (JQL) for an open issue with the resource's marker: when
// there is one, the new drift becomes a comment on it instead. Each
// description and comment also ends with the drift's event marker, so a
// redelivery from the at-least-once outbox finds its own earlier write and
// does nothing; delivery is idempotent. A resolved drift comments and
// transitions the open ticket ("Done" by default).
//
// Authentication is Jira Cloud's e-mail plus API token (basic auth; search
// through /rest/api/2/search/jql) or Server/Data Center's personal access
// token (bearer; search through /rest/api/2/search).
//
// Limitation: Jira Cloud's search index can lag a newly created issue by a
// few seconds. A retry inside that lag (the outbox's first backoff is
// seconds) could open a second ticket; the deliver package never runs two
// notices for one resource at once within a process.
//
// It imports ticket, ticket/cost and go-jira; never app.
package jira

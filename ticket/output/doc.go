// Package output is the audit-log sink (output.mode:
// json): one drift per line of NDJSON, the --format json record, to
// stdout or a file. A resolution is the drift's record with event_type
// "terraform_drift_resolved"; a storm group is written as its drifts, one
// line each, because an audit log wants every change.
//
// Files are opened for appending and every line is one write(2), so
// rotation can stay with the platform (logrotate's copytruncate, or
// stdout collected by the container runtime).
//
// It imports ticket and detector/drift; never app.
package output

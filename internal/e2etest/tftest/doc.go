// Package tftest holds the end-to-end tests of internal/tftest itself:
// real Terraform applies with the test provider, drift made out of band
// shows in refresh-only plans, and imports round-trip. Tests only.
package tftest

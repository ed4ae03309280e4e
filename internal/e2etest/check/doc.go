// Package check holds the end-to-end tests of app/check (`tfdrift
// check`): refresh-only plans of a fixture repository with real
// Terraform, against a cloud the tests change out of band, and the issues
// it opens on a fake GitHub. Tests only.
package check

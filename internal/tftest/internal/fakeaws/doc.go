// Package fakeaws is a Terraform provider that answers to hashicorp/aws for
// tests: aws_security_group, aws_instance, aws_iam_role_policy and
// aws_s3_bucket_public_access_block, with the real provider's attribute
// names and value shapes, backed by a JSON file (see cloudfile) instead of
// AWS. Tests edit that file out of band to produce drift that a real
// `terraform plan -refresh-only` then reports.
//
// Read removes a resource from state when its object is gone from the
// cloud, so deletions show up as drift the way they do against AWS.
//
// It is built into a plugin binary by internal/tftest/provider and must never
// be imported by tfdrift itself. It imports only the plugin framework and
// cloudfile, and reads no environment variables (main does).
package fakeaws

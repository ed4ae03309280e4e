// Package s3backend reads Terraform state stored by Terraform's "s3"
// backend, so that tfdrift compares cloud events with the same state the
// teams apply against.
//
// A Backend is one state object: the configured key for the default
// workspace, and <workspace_key_prefix>/<workspace>/<key> for the others,
// exactly where Terraform puts them. Workspaces lists the workspaces that
// have a state object and ForWorkspace returns a Backend for one of them,
// sharing the S3 client.
//
// Fetch is a conditional GET (If-None-Match with the ETag it returned last
// time): an unchanged object costs one request with no body, which is what
// lets the refresher poll every state often.
//
// Each Backend can read through its own IAM role (Config.RoleARN), assumed
// with STS, so one tfdrift watches the state buckets of many accounts.
//
// The package implements state.Backend and imports the AWS SDK and
// detector/state only; it must not import other detector packages or
// anything above the detector.
package s3backend

// Package accept holds the end-to-end test of app/accept: two console
// edits of one security group, folded into one code edit by `tfdrift
// accept`, after which a real Terraform plans no change. Tests only.
package accept

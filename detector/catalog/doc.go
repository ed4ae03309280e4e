// Package catalog maps audit event names to the Terraform resources they
// write, where each event keeps the resource's identifier, and how to derive
// the attribute values the call sets.
//
// The catalog is data: each service has one file (ec2_sg.go, iam.go, s3.go,
// gcp_compute.go, …) holding a table of Entry values built from the small
// vocabulary in dsl.go (ReqID, Req, Bool, …). Go hooks appear only where
// a mapping needs code (security group rule sets, tag merges).
//
// Every entry is proven by a case under testdata/cases: a realistic record,
// the state it meets and the resources and attributes it must resolve to.
// An entry without a passing case fails the test suite, so the catalog never
// carries placeholders that cannot match.
//
// The package imports only detector/change. It must not import state,
// decode or anything above the detector.
package catalog

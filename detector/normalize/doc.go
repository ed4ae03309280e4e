// Package normalize decides whether two attribute values mean the same thing
// and describes how they differ.
//
// Terraform state and audit records spell equal values differently: a
// policy document is a JSON string in one and URL-encoded in the other,
// ports are numbers or strings, CIDR lists and rule sets come in any order,
// and absent, null and empty are the same to Terraform. Equal folds those
// differences so that a write that sets what state already holds is not
// drift.
//
// Lists are compared as multisets. Terraform keeps some lists ordered, but
// the cloud APIs behind the attributes the catalog derives (CIDR lists,
// rule sets, security group IDs, subnet IDs) do not preserve order, and a
// reordering alone is never worth an alert.
//
// The package imports only the standard library.
package normalize

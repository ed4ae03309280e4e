//go:build !e2e

package docs

// Without -tags e2e (make test-short) there is no Terraform: the rows of
// terraform.* keys (terraformRows) still count as documented-and-proved
// for the walk's coverage check, but their observer is nil and the walk
// leaves them to the e2e build (world_terraform_test.go), which make test
// runs.

// reverting needs Terraform; see world_terraform_test.go.
var reverting observer

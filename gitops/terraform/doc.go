// Package terraform runs Terraform (or OpenTofu) for tfdrift's GitOps
// actions, through terraform-exec, in one root module's working directory:
//
//   - Confirm runs `plan -refresh-only -target=ADDR -json` and reads the
//     saved plan's resource_drift: Terraform's own before/after values for
//     every drifted top-level attribute, and whether the object is gone.
//     They are authoritative and replace the values derived from an audit
//     event when both exist.
//   - RefreshOnlyPlan is Confirm's untargeted form for `tfdrift check`:
//     `plan -refresh-only -json` over the whole root module (with
//     Lock(false), -lock=false), reading every resource_drift entry.
//   - PlanClean runs a normal targeted plan after an accept edit; no
//     changes for the address is the proof a reconciliation PR carries.
//     ProvePlan does the same and also renders the plan (`terraform
//     show`), for the PR's check run.
//   - PlanRevert and Revert make the cloud follow the code again: a
//     targeted plan is saved, checked against the guards, rendered, and
//     only then applied. Applying the saved file means Terraform applies
//     exactly what was checked, and refuses if state moved in between.
//
// The guards (see docs/revert.md): the plan may touch only the target
// addresses (*UnexpectedChangesError), never deletes or replaces unless the
// call allows it (*DestructiveChangeError), and every target must exist in
// code or state (*AddressNotFoundError). Failures of Terraform itself come
// back typed where tfdrift can act on them: *LockHeldError, *AuthError,
// *StalePlanError, *VersionError. All are pointers usable with errors.As
// and are wrapped with %w.
//
// A Runner runs one Terraform command at a time (Terraform serialises on
// the state lock anyway); use gitops/workspace to keep two jobs off one
// root module and workspace.
//
// The package imports terraform-exec, terraform-json, go-version, and
// detector/drift and detector/normalize for the shared attribute-change
// type. It must not import app, ticket, the detector engine, or the test
// harness internal/tftest (only its tests do). It reads the process
// environment only as the documented default of the Env option, the way
// os/exec does.
package terraform

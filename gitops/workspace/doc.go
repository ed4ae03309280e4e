// Package workspace gives each tfdrift job (a revert, the proof plan of an
// accept PR, a drift confirmation) its own Terraform working copy, and
// keeps two jobs off one root module and Terraform workspace at a time.
//
// Manager.Open (or TryOpen) takes the lock for (repository, root module
// directory, workspace), then makes a fresh copy of the repository: `git
// worktree add --detach DIR COMMIT` when the repository is a git checkout
// (hooks disabled), otherwise a recursive copy without .terraform
// directories. A snapshot (Spec.Snapshot: a tree at a commit downloaded
// as a tarball, as the GitHub App keeps them) is copied the same way
// and git is never run, so the App needs no git binary. In the copy's root module it writes a Terraform CLI
// configuration of its own (plugin cache, filesystem mirror; the ambient
// TF_CLI_CONFIG_FILE is never used), runs `terraform init`, refuses a
// local state that would live inside the copy (a revert there would fork
// the state), and selects the Terraform workspace. Workspace.Close removes
// the worktree or copy, prunes git's worktree list, and releases the lock.
//
// The lock manager (Locker) is in-process, like Atlantis's: TryLock fails
// at once with *LockedError naming the holder, Lock waits. Several tfdrift
// processes sharing repositories need Terraform's own state locking on
// top, which a remote backend provides.
//
// The package imports gitops/terraform and the standard library, and runs
// the git binary. It must not import app, ticket, the detector, or the
// test harness internal/tftest (only its tests do).
package workspace

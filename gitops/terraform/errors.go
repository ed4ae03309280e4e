package terraform

import (
	"fmt"
	"strings"
)

// UnexpectedChangesError means a revert plan would change addresses other
// than its targets. Terraform adds a target's dependencies to a targeted
// plan, so pending changes upstream of the target (or a -target that
// reaches further than meant) show up here. Nothing was applied.
type UnexpectedChangesError struct {
	// Target is what was asked for.
	Target []string
	// Others are the addresses outside Target that the plan would change,
	// sorted.
	Others []string
}

func (e *UnexpectedChangesError) Error() string {
	return fmt.Sprintf("plan for %s would also change %s", strings.Join(e.Target, ", "), strings.Join(e.Others, ", "))
}

// DestructiveChangeError means a revert plan would delete or replace
// Address and the call did not allow it (AllowDestroy, AllowReplace).
// Nothing was applied. When several addresses are destructive, the
// returned error joins one DestructiveChangeError per address.
type DestructiveChangeError struct {
	Address string
	// Actions are Terraform's, in its order: ["delete"], ["delete",
	// "create"] (replace), ["create", "delete"] (create before destroy),
	// ["forget"].
	Actions []string
	// Because lists the top-level attributes that force a replacement
	// (Terraform's replace_paths), when Terraform says.
	Because []string
}

func (e *DestructiveChangeError) Error() string {
	what := "delete"
	allow := "AllowDestroy"
	switch {
	case isReplace(e.Actions):
		what, allow = "replace", "AllowReplace"
	case len(e.Actions) == 1 && e.Actions[0] == "forget":
		what = "forget (remove from state)"
	}
	msg := fmt.Sprintf("plan would %s %s", what, e.Address)
	if len(e.Because) > 0 {
		msg += fmt.Sprintf(" (%s cannot be updated in place)", strings.Join(e.Because, ", "))
	}
	return msg + "; not allowed without " + allow
}

func isReplace(actions []string) bool {
	return len(actions) == 2 &&
		(actions[0] == "delete" && actions[1] == "create" || actions[0] == "create" && actions[1] == "delete")
}

// AddressNotFoundError means target addresses match nothing in the
// configuration or state, so Terraform would plan nothing for them and a
// clean result would prove nothing. Usually a typo or the wrong root
// module or workspace.
type AddressNotFoundError struct {
	Addresses []string
}

func (e *AddressNotFoundError) Error() string {
	return fmt.Sprintf("no resource %s in this root module's configuration or state", strings.Join(e.Addresses, ", "))
}

// AddressError means a string is not a managed resource (instance)
// address that tfdrift accepts as a target.
type AddressError struct {
	Address string
	Reason  string
}

func (e *AddressError) Error() string {
	return fmt.Sprintf("resource address %q: %s", e.Address, e.Reason)
}

// LockHeldError means Terraform could not acquire the state lock: another
// plan or apply holds it. The fields are Terraform's "Lock Info" as
// printed (empty when the backend did not say). Wait and retry, or raise
// the lock timeout; never force-unlock a lock a running job holds.
type LockHeldError struct {
	ID        string
	Path      string
	Operation string
	Who       string
	Version   string
	Created   string
	Info      string
	// Err is terraform-exec's error, holding Terraform's full output.
	Err error
}

func (e *LockHeldError) Error() string {
	if e.Who == "" && e.ID == "" {
		return "state lock is held by another Terraform process"
	}
	msg := "state lock is held"
	if e.Who != "" {
		msg += " by " + e.Who
	}
	var details []string
	for _, d := range [][2]string{{"lock ID", e.ID}, {"operation", e.Operation}, {"since", e.Created}} {
		if d[1] != "" {
			details = append(details, d[0]+" "+d[1])
		}
	}
	if len(details) > 0 {
		msg += " (" + strings.Join(details, ", ") + ")"
	}
	return msg
}

func (e *LockHeldError) Unwrap() error { return e.Err }

// AuthError means a provider or backend rejected or could not find
// credentials. Detection is best effort: it matches the messages the AWS,
// Google and Azure providers and the S3/GCS/azurerm backends print (see
// authPatterns), so an unusual provider's credential failure comes back as
// a plain error instead.
type AuthError struct {
	// Provider is "aws", "google", "azure", or "" when the message is
	// generic.
	Provider string
	// Match is the pattern that matched; Line is the output line it is in.
	Match string
	Line  string
	Err   error
}

func (e *AuthError) Error() string {
	who := "provider"
	if e.Provider != "" {
		who = e.Provider + " provider"
	}
	return fmt.Sprintf("%s credentials were rejected or not found: %s", who, e.Line)
}

func (e *AuthError) Unwrap() error { return e.Err }

// StalePlanError means Terraform refused to apply a saved plan because the
// state changed after the plan was made (someone applied in between).
// Nothing was applied; plan the revert again.
type StalePlanError struct {
	Err error
}

func (e *StalePlanError) Error() string {
	return "saved plan is stale: the state changed after the plan was made"
}

func (e *StalePlanError) Unwrap() error { return e.Err }

// VersionError means the binary is not a Terraform or OpenTofu that tfdrift
// supports, or did not answer `version` like one.
type VersionError struct {
	Binary string
	// Want is the requirement, e.g. ">= 1.5.0".
	Want string
	// Got is the version the binary reported; empty when it reported none.
	Got string
	// Err is why the version could not be read, if it could not.
	Err error
}

func (e *VersionError) Error() string {
	if e.Got == "" {
		return fmt.Sprintf("%s does not report a version (want %s): %v", e.Binary, e.Want, e.Err)
	}
	return fmt.Sprintf("%s is version %s, tfdrift needs %s", e.Binary, e.Got, e.Want)
}

func (e *VersionError) Unwrap() error { return e.Err }

// WorkspaceNotFoundError means the Terraform workspace does not exist and
// the caller did not ask to create it.
type WorkspaceNotFoundError struct {
	Name     string
	Existing []string
}

func (e *WorkspaceNotFoundError) Error() string {
	return fmt.Sprintf("terraform workspace %q does not exist (have %s)", e.Name, strings.Join(e.Existing, ", "))
}

package reconcile

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/gitops/terraform"
	"github.com/tfdrift/tfdrift/gitops/workspace"
)

// maxErrText bounds the error text quoted in a reply: terraform's output
// may be long, and the server logs keep all of it.
const maxErrText = 3000

// notConfigured is the reply of a command that needs terraform on a
// server without a terraform: block.
func notConfigured(what string) string {
	return what + " is not configured on this server: it has no `terraform:` block, so nothing was run."
}

// failure says in plain words why terraform work stopped (the revert's
// failure kinds, wiring.ClassifyRevert, and the other typed errors of
// gitops), then quotes the error. what is "The revert", "The recheck"….
func failure(what string, err error) string {
	var (
		ae  *terraform.AuthError
		lh  *terraform.LockHeldError
		wl  *workspace.LockedError
		ls  *workspace.LocalStateError
		nf  *terraform.AddressNotFoundError
		wnf *terraform.WorkspaceNotFoundError
		ve  *terraform.VersionError
		sl  *store.LockedError
	)
	var s string
	quote := true
	switch {
	case errors.As(err, &sl):
		quote = false
		s = fmt.Sprintf("%s did not run: another job holds this root module (%s, since %s). Try again when it is done.",
			what, text(sl.Holder), sl.Since.UTC().Format(time.RFC3339))
	case wiring.ClassifyRevert(err) == wiring.RevertRefused:
		s = fmt.Sprintf("%s was refused by a guard, and nothing was applied: the plan would change more than this resource, or delete or replace it. "+
			"To allow deleting or replacing it, comment `/tfdrift revert --allow-destroy` or `/tfdrift revert --allow-replace`.", what)
	case errors.As(err, &wl):
		quote = false
		s = fmt.Sprintf("%s did not run: another job of this server holds this root module (%s, since %s). Try again when it is done.",
			what, text(wl.Holder), wl.Since.UTC().Format(time.RFC3339))
	case errors.As(err, &lh):
		s = fmt.Sprintf("%s stopped: Terraform's state lock is held by another plan or apply, so nothing was applied. Try again when it is released.", what)
	case errors.As(err, &ae):
		s = fmt.Sprintf("%s did not run: Terraform could not authenticate to the cloud for this root module, so the server's credentials for it are missing or expired.", what)
	case wiring.ClassifyRevert(err) == wiring.RevertStalePlan:
		s = fmt.Sprintf("%s applied nothing: the state changed between the plan and the apply. Comment the command again to plan anew.", what)
	case errors.As(err, &ve):
		s = fmt.Sprintf("%s did not run: the server's terraform binary is not a version tfdrift supports.", what)
	case errors.As(err, &ls):
		s = fmt.Sprintf("%s did not run: the root module keeps its state in a local file inside the repository, which is not the real state. Use a remote backend.", what)
	case errors.As(err, &nf):
		s = fmt.Sprintf("%s did not run: Terraform knows no resource %s in this root module's code or state.", what, code(strings.Join(nf.Addresses, ", ")))
	case errors.As(err, &wnf):
		s = fmt.Sprintf("%s did not run: the Terraform workspace %s does not exist.", what, code(wnf.Name))
	default:
		s = what + " failed."
	}
	if !quote {
		return s
	}
	return s + "\n\n" + details("The error", fence("text", clip(err.Error(), maxErrText)))
}

// Package locate is the locate job: where Terraform resources are
// declared (gitops/locate): the module call chain, the file and line of
// the resource block, each attribute's line, lifecycle.ignore_changes.
//
// Exit status (Run's error, see job.Status): 0 every address was found;
// 1 some were not (*NotFoundError, each reported on stderr) or the repo
// could not be read; 2 no address was given (ErrNoAddresses).
//
// It imports app/job and gitops/locate, never another job package.
package locate

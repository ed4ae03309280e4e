// Package accept is the accept job: the opposite of revert. Recorded
// events run through the detector, and for every drifted attribute the
// Terraform code is rewritten (gitops/edit) so that it produces the value
// the cloud now has. With Confirm, terraform itself supplies the values (a
// targeted refresh-only plan in a working copy) and proves the edit: a
// normal plan after it must be clean.
//
// Exit status (Run's error, see job.Status):
//
//	0  every drift was accepted, or there was none
//	1  an error (writing the edit, running terraform, reading events, …);
//	   it takes precedence over 3 and 4, and is always printed
//	3  some drifts or attributes could not be accepted (*NotAcceptedError;
//	   each is explained on stderr)
//	4  with Confirm, the plan after the edit was not clean for some
//	   resource (*ProofError); the repo was still edited
//
// It imports app/job and app/wiring, never another job package or
// app/daemon.
package accept

// Package cloudfile is the fake cloud behind the test provider: one JSON
// file holding every object by kind (the Terraform resource type) and id.
//
// Two processes use it at once: the provider plugin that Terraform starts,
// and the test that edits objects out of band the way a console user would.
// Every operation therefore takes an flock(2) on a sidecar lock file and
// every write replaces the file by rename, so a reader never sees half a
// document. Nothing is cached: each call reads the file afresh, which is
// what makes out-of-band edits visible to the next Terraform refresh.
//
// It imports only the standard library; it is shared by the provider
// (internal/fakeaws) and the test helper (internal/tftest).
package cloudfile

// Package app wires the detector, gitops and ticket packages into the
// jobs the command line runs: replay, serve, accept, revert and check.
//
// It owns the orchestration (inputs, outputs, progress, exit status) and
// nothing else: parsing, matching and rendering live in the packages below
// it. Nothing under detector, gitops or ticket imports app.
package app

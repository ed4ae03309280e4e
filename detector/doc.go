// Package detector turns cloud writes into drift.
//
// An Engine takes one decoded change.Change at a time and runs the steps of
// the drift semantics (docs/ARCHITECTURE.md): drop reads, failed calls and
// Terraform's own writes; find the catalog entry; look the named resources
// up in the state index; derive the values the call set, starting from the
// cloud's values that earlier writes left (the Shadow), and compare them
// with state after normalisation, on the resource that manages each
// attribute (a split resource before its parent's legacy attribute); drop
// ignored attributes; classify with the drift rules; and suppress repeats.
// AWS services' own lifecycle actions (Auto Scaling launching a group's
// instances) are passed over. docs/semantics.md has the rules.
//
// Subpackages hold the parts: change (the event type), decode (input
// formats), catalog (event → resources), state (Terraform state and its
// index), normalize (value equality), rules, ignore, drift (the output
// type). The detector never imports app, gitops or ticket: code locations
// come in through the CodeIndex interface.
package detector

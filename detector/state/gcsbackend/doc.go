// Package gcsbackend reads Terraform state stored by Terraform's "gcs"
// backend, so that tfdrift compares cloud events with the same state the
// teams apply against.
//
// Terraform keeps each workspace's state in its own object,
// <prefix>/<workspace>.tfstate, "default.tfstate" for the default
// workspace. A Backend is one of those objects; Workspaces lists the
// workspaces stored under the prefix and ForWorkspace returns a Backend
// for one of them, sharing the client.
//
// The version Fetch reports is the object's generation. Fetch reads the
// generation first (a metadata request, which is all an unchanged object
// costs) and then reads the body pinned to that generation, so the bytes
// returned are never newer than the version reported with them.
//
// Reads use the JSON API (storage.WithJSONReads): custom endpoints and
// emulators need it, and using it everywhere means production runs the
// code path the tests run.
//
// The package implements state.Backend and imports the Cloud Storage
// client and detector/state only; it must not import other detector
// packages or anything above the detector.
package gcsbackend

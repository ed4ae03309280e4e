// Package refresh keeps a state.Index in step with the Terraform state it
// was loaded from, so that a legitimate apply is not reported as drift and
// a real change is compared with current state.
//
// A Refresher owns a fixed set of state.Backends, one per state object
// (and workspace). LoadAll loads them at start-up; Run then re-checks each
// at least every interval. A check is cheap when nothing changed (a
// conditional GET, an object's metadata or a stat), and only a new version
// is downloaded, parsed and swapped into the index. Nudge asks for an
// immediate check, plus a few follow-ups: the engine calls it when it sees
// Terraform write to the cloud, because the state object is written a
// little after the resources are.
//
// A state that fails to fetch or parse never empties the index: the last
// good snapshot stays in use, the failure is reported through OnError, and
// Status marks the source unhealthy until a good version loads. A broken
// version is reported once, not at every poll. Status and Ready feed the
// daemon's /readyz and metrics.
//
// WithShadow hands each newly loaded version's serial to the detector's
// shadow (Forgetter, which detector.Shadow satisfies), so that what the
// detector learnt from the cloud before that apply is forgotten.
//
// This package imports detector/state and the standard library only. It
// must not import cloud SDKs (backends are passed in), metrics libraries
// or anything above the detector.
package refresh

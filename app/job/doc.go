// Package job holds what every job package under app shares: the
// environment a job runs in (Env), how a job's error becomes an exit
// status (Status, Exit, Reported, Usage), and the flag grammar that the
// command line and the GitHub App's comment commands both use (Parse,
// Fields, ParseLine, StringList).
//
// Every job package (app/replay, app/accept, app/revert, app/serve,
// app/demo, and the coming app/check) has the same shape:
//
//	type Args struct{ … }                           // plain typed fields, one per flag
//	func (a *Args) RegisterFlags(fs *flag.FlagSet)  // every command-line flag, bound to a
//	func (a *Args) RegisterShared(fs *flag.FlagSet) // the flags a "/tfdrift …" comment may carry
//	func Run(ctx context.Context, env job.Env, args Args) error
//
// RegisterShared holds only flags that make sense from a pull-request
// comment: never a path, a binary or a secret of the machine the job runs
// on. cmd/tfdrift registers RegisterFlags (which includes them); the
// GitHub App parses a comment with ParseLine(name, rest, a.RegisterShared),
// so "/tfdrift revert --allow-destroy" and "tfdrift revert
// --allow-destroy" are one definition. Flags may follow arguments in both.
//
// Run's error decides the exit status: nil is 0, a typed error that has
// an ExitCode method (each job defines and documents its own) gives its
// code, anything else 1. A job writes its exit codes in its package doc,
// on Run and in its --help.
//
// The package imports only the standard library. It must not import any
// other tfdrift package: every job imports it.
package job

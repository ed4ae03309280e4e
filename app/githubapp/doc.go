// Package githubapp is the GitHub App's orchestration: webhooks in, work
// out. It sits between the daemon (which mounts its webhook route and
// replays its journal) and the GitHub API layer (gitops/ghapi), and it
// owns what the App knows about the repositories it is installed on.
//
// # Discovery
//
// At start, on installation and installation_repositories webhooks, on a
// push to a repository's default branch and every Options.Relist as a
// fallback, the App lists its installations and their repositories,
// reads .tfdrift.yml at each default branch head and, for a repository
// that has one, fetches the code at that commit with the tarball
// endpoint (ghapi.SnapshotCache: no git binary) and loads every root
// with gitops/locate. A repository without .tfdrift.yml is left alone. A
// .tfdrift.yml (or code) that does not load keeps the previous good one
// and is reported: a failing check run named "tfdrift config" on that
// commit with an annotation at the file and line, a log line and
// tfdrift_github_config_errors_total.
//
// What discovery found is an immutable view swapped in whole, so the
// detector's look-ups (Code, a detector.CodeIndex: repo, root, file,
// lines at a commit) and the issue sink's (Resolve: which repository
// files a drift) never wait for GitHub.
//
// # Which repository files a drift
//
// A root's state: names a state source of the server config (its name,
// s3://…, gs://… or path). A drift belongs to the root that names its
// state (and workspace, when the root says one); that root's
// repository gets its issue when the root has issues: true and the drift
// is at least its min_severity (Wants). A drift no repository claims
// opens no issue: it is logged and counted (Unrouted,
// tfdrift_github_unrouted_total) and `tfdrift app status` lists the
// states no repository claims.
//
// # Webhooks
//
// Handler serves POST /webhooks/github: the body is bounded (25 MB,
// GitHub's own limit), X-Hub-Signature-256 is verified in constant time
// (go-github's ValidatePayloadFromBody) before anything else is read, a
// ping is answered 200 and an event the App does not use 204. What is
// used is reduced to a small task, journaled (Options.Journal, the
// daemon's spool, so a crash loses nothing) and queued; the answer (202)
// goes out in well under GitHub's 10 seconds. A delivery seen a moment
// ago is answered 200 at once; the worker also records each
// X-GitHub-Delivery in the store's event log, so a redelivery to another
// replica, or after a restart, runs nothing twice.
//
// # Lifecycle and commands
//
// A person closing a drift issue the App opened marks its drifts
// ignored; reopening it makes them open again (the drifts are found by
// the receipts). A "/tfdrift <verb> …" line in a comment on an
// issue or pull request the App opened is a command: parsed with
// job.ParseLine over the jobs' RegisterShared flags, allowed by the
// author's permission (ghapi.Permission), acknowledged with reactions
// (eyes, then rocket or confused) and carried out by a Reconciler, which
// app/reconcile implements (serve wires it; NotAvailable answers when a
// caller gives none). A Reconciler that is also a BranchFollower hears
// of every push to a default branch, after discovery.
// Bots' comments (the App's own included) and edits are never executed.
//
// The issue sink it feeds (Sink, over Resolver) is ticket/ghissue's;
// IssuePreview renders the issue it opens, for the demo.
//
// Import direction: githubapp is under app and imports gitops (ghapi,
// locate), ticket (ticket/ghissue), detector, app/config, app/store,
// app/ingest, app/job and the job packages whose shared flags comments
// carry (app/accept, app/revert). It never imports app/daemon,
// app/wiring or app/serve: the serve job hands its parts to the daemon
// and to the wiring.
package githubapp

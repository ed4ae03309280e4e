// Package ghapi is tfdrift's GitHub API layer: authenticated go-github v60
// clients for the GitHub App (through ghinstallation v2.10.0, the release
// built on v60) and for a plain token (the Action's GITHUB_TOKEN), the
// HTTP transport layers every call goes through, typed errors, and the
// few helpers the App needs in a go-github-like shape.
//
// # Clients
//
// NewApp makes the App's client (a JWT per request, ghinstallation's
// AppsTransport) and, on demand, one client per installation whose token
// ghinstallation refreshes a minute before it expires. NewTokenClient
// makes a client for a token. Options.APIURL is github.com's
// "https://api.github.com/" or a GitHub Enterprise Server's
// "https://HOST/api/v3/"; go-github's BaseURL and ghinstallation's
// BaseURL are both set from it.
//
// # Transport layers
//
// Each client's requests pass, outermost first, through:
//
//   - the write pacer (installation and token clients): POST, PATCH, PUT
//     and DELETE requests of one installation go one at a time, at least
//     Pacing.MinGap apart and within Pacing.PerMinute and PerHour — below
//     GitHub's documented budget for content-creating requests (80 a
//     minute, 500 an hour), so a storm of drifts cannot get the App
//     blocked. A write that would wait longer than Pacing.MaxWait, or past
//     its context's deadline, fails at once with a *RateLimitError (Kind
//     Paced).
//   - the rate-limit layer: a primary limit (X-RateLimit-Remaining: 0)
//     holds every later request of that resource until X-RateLimit-Reset;
//     a secondary one (403 or 429 with Retry-After, or the secondary rate
//     limit message without it: at least a minute, doubling while it
//     repeats) holds every request. A held request is not sent.
//   - the ETag cache: a GET repeated with a stored ETag carries
//     If-None-Match, and a 304 is answered from the cache as a 200, so
//     unchanged reads do not spend the rate limit. Memory is bounded
//     (Options.Cache).
//   - authentication (ghinstallation, or the token).
//
// # Waiting: the transport does not sleep by default
//
// A rate limit is returned, not slept through: the outbox (ticket/deliver)
// reschedules a notice by the *RateLimitError's Wait, and a worker blocked
// for an hour would hold its lease and its slot. Options.MaxRateLimitWait
// lets interactive callers (the Action, discovery at start) sleep in the
// transport for waits up to that long instead; the pacer's short waits
// (the gap between writes) are always slept, up to Pacing.MaxWait.
//
// # Errors
//
// Helpers return typed errors (errors.As): *NotFoundError (404, 410),
// *ValidationError (422, with GitHub's messages), *RateLimitError (with the
// time to wait), *StatusError (any other status), *LimitError (a size cap)
// and *ArchiveError (an unsafe or malformed tarball). Wrap turns the errors
// of direct go-github calls into the same types. IsPermanent and RetryAfter
// classify them; the outbox sinks map them onto ticket.PermanentError and
// ticket.RetryAfterError. This package does not import ticket.
//
// # Helpers
//
// One file per area: installations (ListInstallations, ListRepos),
// contents (ReadFile, ResolveRef), snapshots (SnapshotCache: tarball at a
// commit, extracted safely, cached by SHA), gitdata (CommitFiles: blobs →
// tree → commit → branch), issues (ListOpenIssues) and collaborators
// (Permission, role_name-aware).
//
// Import direction: ghapi is under gitops and imports only go-github,
// ghinstallation and the standard library; it never imports app, ticket
// or detector. Its tests use internal/githubfake.
package ghapi

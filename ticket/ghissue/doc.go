// Package ghissue is the GitHub issue sink: one issue per drifted
// resource, on the repository whose code declares it. The GitHub App
// (app/githubapp) delivers through it from the outbox, and `tfdrift check
// --open-issues` from a pipeline; both write the same hidden marker, so
// they share one issue per resource.
//
// # What an issue is
//
// Title, labels and body are pure renderers (Title, Labels, Body, Comment,
// ResolvedComment), golden-tested and used by `make demo`. The body holds
// three hidden markers: the resource (Marker: <!-- tfdrift:resource=
// <state>/<address> -->), the latest delivery (<!-- tfdrift:event=<event_id>
// fingerprint=<fingerprint> -->), and the history of the resource's drifts
// (every attribute drifted so far, the latest value winning, and the
// deliveries already merged), from which any replica brings the table up
// to date.
//
// # How a drift is delivered
//
// The Resolver names the repository. The sink lists the repository's open
// issues labelled tfdrift (the issues list, ETag-cached; never the search
// API, whose index lags and whose limit is 30 a minute) and matches the
// marker:
//
//   - none: a new issue, with labels created once per repository in their
//     colours; at max_open_issues, an entry in the one overflow issue
//     ("tfdrift: drifts over the limit") instead;
//   - one: a comment, then the body's table and the severity label
//     updated;
//   - a resolution: a comment that says why (Notice.Reason), then the
//     issue closed as completed; none open is nothing to do.
//
// Every write is found again on redelivery: the body's history and the
// comments carry the delivery's marker, so an outbox retry after a crash
// between the write and the settle writes nothing twice. The deliveries
// of one repository are serialised (the cap is counted under the lock);
// writes go through the client's pacer (gitops/ghapi).
//
// Errors follow ticket.Sink: rate limits become *ticket.RetryAfterError
// with GitHub's wait, 404 and 422 *ticket.PermanentError, the rest
// transient.
//
// It imports detector/drift, ticket, ticket/cost, gitops/ghapi and
// go-github; never app.
package ghissue

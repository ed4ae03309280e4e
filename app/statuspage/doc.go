// Package statuspage is the read-only web page `tfdrift serve` shows at /:
// the drifts still in the cloud, grouped by severity, then repository and
// account, each with links to its GitHub issue, its pull request and the
// lines of code that declare it; filters in the query string; and a
// drifts-per-day chart drawn on the server as inline SVG.
//
// It is one html/template page with an inline stylesheet and no script
// and no front-end build. Every answer carries a Content-Security-Policy
// that allows that stylesheet (by its hash) and nothing else, plus
// X-Content-Type-Options, Referrer-Policy, X-Frame-Options and
// Cache-Control: no-store. Values from the store, the cloud and the link
// store are escaped by html/template; only absolute http(s) URLs become
// links (a javascript:, data: or scheme-relative URL stays text).
//
// # Query
//
//	status    open|acknowledged|resolved|ignored|all, repeatable (default open and acknowledged)
//	severity  minimum severity: info|low|medium|high|critical
//	repo      owner/name of the code's repository, exact
//	account   AWS account ID or GCP project, exact
//	type      Terraform resource type, exact
//	q         text the address (or, unmanaged, the cloud ID) contains, any case
//	drift     one drift by fingerprint, whatever its status (not combined with the others)
//	cursor    the next page, as the page links it
//
// An unknown parameter or value is answered 400 with a message. Status,
// severity and type are applied by the store; repository, account and
// text by the page over the store's pages, reading at most
// Options.ScanLimit records per request.
//
// # Mounting
//
// The page is behind Options.Auth, which New requires: the serve job
// fills it from the /falco settings (see Auth), so the page is open on a
// loopback listener without a secret and needs the secret everywhere
// else. The handler answers "/" only (other paths 404, methods other than
// GET and HEAD 405), so it can be the mux's catch-all:
//
//	page, err := statuspage.New(st, links, statuspage.Options{
//		BaseURL: cfg.GitHub.WebURL, // "" for https://github.com
//		Auth: statuspage.Auth{
//			Secrets:              falco.Secrets,
//			BearerTokens:         falco.BearerTokens,
//			RequireClientCert:    falco.RequireClientCert,
//			AllowUnauthenticated: falco.AllowUnauthenticated,
//		},
//		Logger: log,
//	})
//	mux.Handle("/", page)
//
// # Imports
//
// statuspage imports app/store (the records it reads), detector/drift,
// detector/change and ticket (for ResourceKey). It must not import
// app/daemon or any job package: serve mounts it, not the other way round.
package statuspage

// Package falcohttp is the http.Handler behind POST /falco: it takes Falco
// http_output alerts and falcosidekick webhook payloads and hands them, as
// raw bytes, to the daemon's pipeline.
//
// One request carries one alert (what Falco and falcosidekick send), a JSON
// array of alerts, or NDJSON; a batch is checked whole before any alert of
// it is taken. The handler does not decode alerts: it checks that each is
// JSON with a "rule" string and an "output_fields" object, reads the
// falcosidekick "uuid" and the cloud event ID (ct.id, or the GCP insertId)
// for de-duplication, and passes the bytes on. Falco does not retry, so the
// work happens after the 202; the answers are:
//
//	202 accepted        the pipeline took the alert(s)
//	200 duplicate       every alert was seen recently; nothing to do
//	400 bad_json, not_alert, empty, read_error (JSON body with the reason)
//	401 unauthorized    no valid secret, bearer token or client certificate
//	404 not_found       a path other than Prefix or Prefix/<secret>
//	405 method_not_allowed
//	413 too_large       body over MaxBodyBytes (after gunzip, too)
//	415 bad_encoding    a Content-Encoding other than gzip
//	503 overloaded      the pipeline is full; Retry-After: 1
//
// Authentication: Falco's http_output sends no headers, so a shared secret
// may travel in the URL path (/falco/<secret>) or query (?token=<secret>);
// falcosidekick can send "Authorization: Bearer <secret>" (BearerTokens
// are accepted there and only there); and with
// RequireClientCert the daemon's TLS listener does mTLS and the handler
// trusts r.TLS.VerifiedChains. Secrets are compared in constant time and
// never logged or echoed; log paths through RedactPath. AllowUnauthenticated
// exists for the loopback quick start and nothing else: the daemon, which
// knows the listen address, decides when to set it.
//
// Mount it for both the prefix and the subtree, without a method in the
// pattern, so that the handler itself answers 404/405 in its JSON shape:
//
//	mux.Handle("/falco", h)
//	mux.Handle("/falco/", h)
//
// There is deliberately no per-IP rate limiting: one Falco instance is one
// IP, and limiting it drops alerts. Overload is answered with 503 and
// counted instead (Stats).
//
// This package imports only app/ingest, internal/jsonscan (the module's one
// validating JSON scanner) and the standard library: never the detector,
// the store or the app.
package falcohttp

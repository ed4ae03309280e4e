package serve

import (
	"log/slog"
	"net/http"

	"github.com/tfdrift/tfdrift/app/ingest/falcohttp"
	"github.com/tfdrift/tfdrift/app/statuspage"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/detector/drift"
)

// statusPage is the page at /, behind /falco's rules (docs/status-page.md):
// open on a loopback listener without a secret, else the /falco secret
// or a client certificate. It is not served when /falco takes nobody (a
// public listener whose only secret is the GitHub webhook's), which is
// logged.
func statusPage(st store.Store, falco falcohttp.Config, base string, log *slog.Logger) http.Handler {
	if closed(falco) {
		log.Warn("the status page is not served at /: this listener faces the network and has no /falco secret (only the GitHub webhook's); set one to read the page here")
		return nil
	}
	page, err := statuspage.New(st, receiptLinks{st}, statuspage.Options{
		BaseURL: base,
		Auth: statuspage.Auth{Secrets: falco.Secrets, BearerTokens: falco.BearerTokens,
			RequireClientCert: falco.RequireClientCert, AllowUnauthenticated: falco.AllowUnauthenticated},
		Logger: log,
	})
	if err != nil {
		log.Warn("the status page is not served at /: set a /falco secret to read it on this listener", "err", err)
		return nil
	}
	return page
}

// resolvedNotices is how the lifecycle's resolutions are announced: the
// notices' resolve notices, or none without notifications.
func resolvedNotices(n *wiring.Notices) func(*drift.Drift, string) []store.NewNotice {
	if n == nil {
		return nil
	}
	return n.Resolved
}

package config

import (
	"strings"

	"github.com/tfdrift/tfdrift/gitops/ghapi"
)

// github checks the github: block. The key's bytes never appear in a
// message: it is a secret, and messages end up in logs.
func (v *validator) github(r *rawGitHub) GitHub {
	if r == nil {
		return GitHub{}
	}
	const path = "github"
	g := GitHub{
		Enabled:        true,
		AppID:          int64(r.AppID),
		PrivateKeyFile: r.PrivateKeyFile,
		PrivateKey:     r.PrivateKey,
		WebhookSecret:  r.WebhookSecret,
		APIURL:         or(r.APIURL, DefaultGitHubAPIURL),
		MaxOpenIssues:  DefaultGitHubMaxOpenIssues,
	}
	if r.AppID <= 0 && !v.unchecked(path+".app_id") {
		if v.has(path + ".app_id") {
			v.errAt(path+".app_id", "%d is not an App ID: the App's settings page shows its positive number", r.AppID)
		} else {
			v.errAt(path+".app_id", "missing: the App's ID (its settings page shows it; tfdrift app setup prints it)")
		}
	}
	fileSet := r.PrivateKeyFile != "" || v.unknownValue(path+".private_key_file")
	keySet := r.PrivateKey != "" || v.unknownValue(path+".private_key")
	switch {
	case fileSet && keySet:
		v.errAt(path+".private_key", "set either private_key_file or private_key (the PEM text), not both")
	case !fileSet && !keySet && !v.unchecked(path+".private_key_file") && !v.unchecked(path+".private_key"):
		v.errAt(path+".private_key_file", "missing: the App's private key, as a file (private_key_file) or as PEM text (private_key: \"${GITHUB_APP_PRIVATE_KEY}\")")
	case keySet && !v.unknownValue(path+".private_key") && !strings.Contains(r.PrivateKey, "-----BEGIN "):
		v.errAt(path+".private_key", "not a PEM private key (it starts with -----BEGIN RSA PRIVATE KEY-----); for a file, use private_key_file")
	}
	v.required(path+".webhook_secret", r.WebhookSecret, "the App's webhook secret, which verifies every delivery to POST /webhooks/github (webhook_secret: \"${GITHUB_WEBHOOK_SECRET}\")")
	if r.APIURL != "" && !v.unknownValue(path+".api_url") {
		if _, err := ghapi.ParseAPIURL(r.APIURL); err != nil {
			v.errAt(path+".api_url", "%s", strings.TrimPrefix(err.Error(), "api_url "))
		}
	}
	if r.MaxOpenIssues != nil && !v.unknownValue(path+".max_open_issues") {
		g.MaxOpenIssues = *r.MaxOpenIssues
		if g.MaxOpenIssues < 1 {
			v.errAt(path+".max_open_issues", "must be at least 1")
			g.MaxOpenIssues = DefaultGitHubMaxOpenIssues
		}
	}
	return g
}

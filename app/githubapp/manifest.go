package githubapp

import (
	"fmt"
	"net/url"
	"strings"
)

// WebhookPath is where serve takes the App's webhooks.
const WebhookPath = "/webhooks/github"

// Permissions are what the App asks for: the code (contents, for
// reconciliation pull requests), issues, pull requests, check runs (the
// "tfdrift config" check), and metadata, which every App has.
var Permissions = map[string]string{
	"contents": "write", "issues": "write", "pull_requests": "write", "checks": "write", "metadata": "read",
}

// Manifest is a GitHub App manifest
// (https://docs.github.com/apps/sharing-github-apps/registering-a-github-app-from-a-manifest).
type Manifest struct {
	Name               string            `json:"name"`
	URL                string            `json:"url"`
	HookAttributes     HookAttributes    `json:"hook_attributes"`
	RedirectURL        string            `json:"redirect_url,omitempty"`
	Description        string            `json:"description"`
	Public             bool              `json:"public"`
	DefaultPermissions map[string]string `json:"default_permissions"`
	DefaultEvents      []string          `json:"default_events"`
}

// HookAttributes is the manifest's webhook.
type HookAttributes struct {
	URL    string `json:"url"`
	Active bool   `json:"active"`
}

// NewManifest is tfdrift's manifest for an App named name whose serve
// answers at base (its webhook is base/webhooks/github). redirect is
// where GitHub sends the browser back with the code ("" for none).
func NewManifest(name, base, redirect string) (Manifest, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return Manifest{}, fmt.Errorf("--url %q: want the absolute http(s) address GitHub reaches tfdrift serve at, such as https://tfdrift.example.com", base)
	}
	if strings.TrimSpace(name) == "" {
		return Manifest{}, fmt.Errorf("--name: empty")
	}
	base = strings.TrimSuffix(u.String(), "/")
	perms := make(map[string]string, len(Permissions))
	for k, v := range Permissions {
		perms[k] = v
	}
	return Manifest{
		Name: name, URL: base, RedirectURL: redirect,
		HookAttributes:     HookAttributes{URL: base + WebhookPath, Active: true},
		Description:        "tfdrift: one issue per resource changed outside Terraform, on the repository that holds its code.",
		DefaultPermissions: perms,
		DefaultEvents:      append([]string(nil), Events...),
	}, nil
}

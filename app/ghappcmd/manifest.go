package ghappcmd

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"

	"github.com/tfdrift/tfdrift/app/githubapp"
	"github.com/tfdrift/tfdrift/app/job"
)

// DefaultName is the App's name when --name does not say. GitHub App
// names are unique across GitHub: an organisation usually picks its own
// ("acme-tfdrift").
const DefaultName = "tfdrift"

// ManifestArgs are the inputs of `tfdrift app manifest`.
type ManifestArgs struct {
	// URL is where GitHub reaches tfdrift serve (the webhook is
	// URL/webhooks/github).
	URL  string
	Name string
}

// RegisterFlags binds every flag of `app manifest` to a.
func (a *ManifestArgs) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&a.URL, "url", "", "the address GitHub reaches tfdrift serve at (https://tfdrift.example.com); the webhook is URL/webhooks/github")
	fs.StringVar(&a.Name, "name", DefaultName, "the App's name (unique across GitHub)")
}

// ErrNoURL is returned without --url.
var ErrNoURL = job.Usage(ExitUsage, "--url is required: the address GitHub reaches tfdrift serve at, such as https://tfdrift.example.com")

// Exit statuses besides 0 and 1.
const (
	ExitUsage    = 2
	ExitProblems = 3
)

// Manifest prints the App's manifest to env.Stdout.
func Manifest(_ context.Context, env job.Env, a ManifestArgs) error {
	env = env.Complete()
	if a.URL == "" {
		return ErrNoURL
	}
	m, err := githubapp.NewManifest(a.Name, a.URL, "")
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(env.Stdout, "%s\n", b)
	return err
}

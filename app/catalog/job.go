package catalog

import (
	"context"
	"flag"

	"github.com/tfdrift/tfdrift/app/job"
	dcatalog "github.com/tfdrift/tfdrift/detector/catalog"
)

// Args are the catalog job's inputs, one field per flag.
type Args struct {
	// Format is text, json or markdown ("" means text).
	Format string
	// Provider keeps only aws or gcp ("" means both).
	Provider string
}

// RegisterFlags binds every command-line flag of catalog to a.
func (a *Args) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&a.Format, "format", "text", "output format: text, json or markdown")
	fs.StringVar(&a.Provider, "provider", "", "only this provider (aws or gcp)")
}

// Run writes the built-in catalog to env.Stdout.
func Run(_ context.Context, env job.Env, a Args) error {
	return Write(env.Complete().Stdout, dcatalog.Default(), a.Format, a.Provider)
}

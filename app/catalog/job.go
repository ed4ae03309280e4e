package catalog

import (
	"context"
	"errors"
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
	// Coverage reports, for the resource types of States, the events
	// that can change each and the types none covers.
	Coverage bool
	// States are the Terraform state files Coverage reads.
	States []string
}

// RegisterFlags binds every command-line flag of catalog to a.
func (a *Args) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&a.Format, "format", "text", "output format: text, json or markdown")
	fs.StringVar(&a.Provider, "provider", "", "only this provider (aws or gcp)")
	fs.BoolVar(&a.Coverage, "coverage", false, "report what the catalog sees of the resource types in --state: the events that can change each, and the types none covers")
	fs.Var((*job.StringList)(&a.States), "state", "Terraform state file for --coverage (repeatable)")
}

// Run writes the built-in catalog to env.Stdout, or with Coverage the
// coverage of the states' resource types.
func Run(ctx context.Context, env job.Env, a Args) error {
	env = env.Complete()
	if a.Coverage {
		return WriteCoverage(ctx, env.Stdout, dcatalog.Default(), a.States, a.Format, a.Provider)
	}
	if len(a.States) > 0 {
		return errors.New("--state is read only with --coverage")
	}
	return Write(env.Stdout, dcatalog.Default(), a.Format, a.Provider)
}

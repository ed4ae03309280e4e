package falcorules

import (
	"context"
	"flag"

	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/detector/change"
)

// Args are the falco-rules job's inputs, one field per flag.
type Args struct {
	// Format is rules, values or eventbridge ("" means rules).
	Format Format
	// URL is the http_output URL in the values ("" means DefaultURL).
	URL string
	// Providers keeps only these providers' rules (none means all).
	Providers []string
}

// RegisterFlags binds every command-line flag of falco-rules to a.
func (a *Args) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar((*string)(&a.Format), "format", string(FormatRules), "output: rules, values or eventbridge")
	fs.StringVar(&a.URL, "url", "", "http_output URL in the values (default "+DefaultURL+")")
	fs.Var((*job.StringList)(&a.Providers), "provider", "only this provider's rules (aws or gcp; repeatable)")
}

// Run writes what a.Format asks for, generated from the built-in catalog,
// to env.Stdout.
func Run(_ context.Context, env job.Env, a Args) error {
	opts := Options{Format: a.Format, URL: a.URL}
	for _, p := range a.Providers {
		opts.Providers = append(opts.Providers, change.Provider(p))
	}
	out, err := Generate(catalog.Default(), opts)
	if err != nil {
		return err
	}
	_, err = env.Complete().Stdout.Write(out)
	return err
}

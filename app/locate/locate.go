package locate

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/tfdrift/tfdrift/app/job"
	code "github.com/tfdrift/tfdrift/gitops/locate"
)

// Args are the locate job's inputs, one field per flag.
type Args struct {
	// Repo is the repository root ("" means "."); Dir the root module
	// inside it.
	Repo, Dir string
	// JSON prints one JSON object per address.
	JSON bool
	// Addresses are the resources to find; instance keys are ignored.
	Addresses []string
}

// RegisterFlags binds every command-line flag of locate to a.
func (a *Args) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&a.Repo, "repo", ".", "repository root")
	fs.StringVar(&a.Dir, "dir", "", "root module directory inside the repo (default: the repo root)")
	fs.BoolVar(&a.JSON, "json", false, "print JSON")
}

// ExitUsage is the status for a call without addresses.
const ExitUsage = 2

// ErrNoAddresses is returned without addresses to find. Exit status 2.
var ErrNoAddresses = job.Usage(ExitUsage, "locate: no resource address given")

// NotFoundError lists the addresses that are declared nowhere in the
// repo; each was reported on stderr. Exit status 1.
type NotFoundError struct{ Addresses []string }

func (e *NotFoundError) Error() string {
	return "locate: not found: " + strings.Join(e.Addresses, ", ")
}

// ExitCode is 1.
func (e *NotFoundError) ExitCode() int { return 1 }

// Run prints where each of a.Addresses is declared to env.Stdout.
func Run(_ context.Context, env job.Env, a Args) error {
	env = env.Complete()
	if len(a.Addresses) == 0 {
		return ErrNoAddresses
	}
	if a.Repo == "" {
		a.Repo = "."
	}
	repo, err := code.Load(a.Repo, a.Dir)
	if err != nil {
		return err
	}
	var missing []string
	for _, addr := range a.Addresses {
		b, err := repo.Find(addr)
		if err != nil {
			fmt.Fprintf(env.Stderr, "tfdrift: %v\n", err)
			missing = append(missing, addr)
			continue
		}
		if a.JSON {
			err = writeJSON(env.Stdout, repo, addr, b)
		} else {
			err = writeText(env.Stdout, repo, addr, b)
		}
		if err != nil {
			return err
		}
	}
	if len(missing) > 0 {
		return job.Reported(&NotFoundError{Addresses: missing})
	}
	return nil
}

func writeJSON(w io.Writer, repo *code.Repo, addr string, b *code.Block) error {
	loc, _ := repo.Location(addr)
	attrs := map[string]int{}
	for name, r := range b.Attributes {
		attrs[name] = r.Start.Line
	}
	return json.NewEncoder(w).Encode(map[string]any{
		"address": addr, "file": loc.File, "line": loc.Line, "module": loc.Module,
		"module_address": loc.ModuleAddress, "remote_source": loc.Remote,
		"attributes": attrs, "ignore_changes": repo.IgnoreChanges(addr),
	})
}

func writeText(w io.Writer, repo *code.Repo, addr string, b *code.Block) error {
	loc, _ := repo.Location(addr)
	fmt.Fprintf(w, "%s\n  file:   %s:%d\n", addr, loc.File, loc.Line)
	if loc.ModuleAddress != "" {
		fmt.Fprintf(w, "  module: %s (%s)\n", loc.ModuleAddress, loc.Module)
	}
	if loc.Remote != "" {
		fmt.Fprintf(w, "  code lives in the module source %s; the line is the module call\n", loc.Remote)
	}
	names := make([]string, 0, len(b.Attributes))
	for n := range b.Attributes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-24s line %d\n", n, b.Attributes[n].Start.Line)
	}
	if ic := repo.IgnoreChanges(addr); len(ic) > 0 {
		_, err := fmt.Fprintf(w, "  lifecycle.ignore_changes: %s\n", strings.Join(ic, ", "))
		return err
	}
	return nil
}

// Command docgen regenerates the parts of README.md and docs/action.md
// that come from action.yml: the inputs and outputs tables, between the
// <!-- action-io:start --> and <!-- action-io:end --> markers. Run it from
// the repository root (make docs does); with -check it changes nothing and
// fails when a file is out of date.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/tfdrift/tfdrift/action/internal/actionyml"
)

// Files holds the tables.
var files = []string{"README.md", "docs/action.md"}

func main() {
	check := flag.Bool("check", false, "fail when a file is out of date instead of writing it")
	flag.Parse()
	if err := run(*check); err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
}

func run(check bool) error {
	a, err := actionyml.Load("action.yml")
	if err != nil {
		return err
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		out, err := actionyml.Replace(string(b), "action-io", a.Tables())
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if out == string(b) {
			continue
		}
		if check {
			return fmt.Errorf("%s is out of date: run make docs", f)
		}
		if err := os.WriteFile(f, []byte(out), 0o644); err != nil {
			return err
		}
	}
	return nil
}

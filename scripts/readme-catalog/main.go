// Command readme-catalog regenerates the supported-events table in
// README.md from the catalog (make docs).
package main

import (
	"fmt"
	"os"

	"github.com/tfdrift/tfdrift/app/catalog"
	dcatalog "github.com/tfdrift/tfdrift/detector/catalog"
)

func main() {
	const path = "README.md"
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out, err := catalog.ReplaceReadme(string(data), dcatalog.Default())
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", path, err)
		os.Exit(1)
	}
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

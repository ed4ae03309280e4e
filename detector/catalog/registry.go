package catalog

import "sync"

// Each service file registers its table from an init function; Default
// builds the catalog from all of them once.
var (
	tables      [][]Entry
	defaultOnce sync.Once
	defaultCat  *Catalog
	defaultErr  error
)

func register(entries []Entry) { tables = append(tables, entries) }

func init() { register(ec2SecurityGroupEntries) }

// Default returns the built-in catalog. It panics if the embedded tables are
// malformed, which the package tests rule out.
func Default() *Catalog {
	defaultOnce.Do(func() { defaultCat, defaultErr = New(tables...) })
	if defaultErr != nil {
		panic(defaultErr)
	}
	return defaultCat
}

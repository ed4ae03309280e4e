// Package docs holds the tests that keep README.md and docs/*.md true to
// the code: the package table of docs/ARCHITECTURE.md matches `go list`
// and the import rules hold; every package has a doc comment; every
// relative link resolves; and every configuration key the docs list
// changes what tfdrift does.
//
// It has no code of its own. Its tests may import any package of the
// module; nothing imports it.
package docs

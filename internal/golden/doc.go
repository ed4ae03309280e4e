// Package golden compares rendered output with files under testdata, and
// rewrites them when the tests run with -update. It is the one -update
// flag of the module: every package's golden tests use it.
//
// Tests only; it imports the standard library and go-cmp.
package golden

// Package golden compares rendered output with files under testdata, and
// rewrites them when the tests run with -update.
//
// It is internal to ticket and used by tests only; it imports only the
// standard library.
package golden

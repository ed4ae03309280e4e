package storetest

import "testing"

// Engine is a store engine a test runs against, and how it gets a fresh,
// empty database of it.
type Engine struct {
	Name string
	DSN  func(testing.TB) string
}

// Engines are the engines a test that covers both runs against: SQLite
// always, and Postgres when the test binary is built with -tags e2e, as
// make test builds it (WithPostgres). Postgres needs initdb and postgres
// (or TFDRIFT_TEST_POSTGRES), so make test-short, which runs without the
// tag, runs the SQLite half alone.
func Engines() []Engine {
	e := []Engine{{"sqlite", SQLite}}
	if WithPostgres {
		e = append(e, Engine{"postgres", Postgres})
	}
	return e
}

//go:build e2e

package storetest

// WithPostgres says whether Engines includes Postgres: true in a test
// binary built with -tags e2e (make test).
const WithPostgres = true

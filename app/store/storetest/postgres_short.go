//go:build !e2e

package storetest

// WithPostgres says whether Engines includes Postgres: false without
// -tags e2e (make test-short), which needs no Postgres binaries.
const WithPostgres = false

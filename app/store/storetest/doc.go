// Package storetest gives tests a database for the store: a SQLite file
// in the test's temp dir, or a fresh database on a real Postgres server —
// an existing one named by TFDRIFT_TEST_POSTGRES, or a throwaway cluster
// it starts itself with the local initdb/postgres binaries (as the
// "postgres" user when running as root), on a unix socket, fsync off.
//
// A package whose tests use Postgres should run them through Main, so one
// server serves the whole test binary:
//
//	func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }
//	…
//	st, err := store.Open(ctx, storetest.Postgres(t))
//
// Without Main, each Postgres call starts and stops its own server.
// When no server can be had, Postgres fails the test (never skips) and
// says how to install one.
//
// Postgres runs only in test binaries built with -tags e2e, as make test
// builds them; without the tag (make test-short) Postgres and Databases
// fail the test, and Engines, which tests covering both engines range
// over, holds SQLite alone.
//
// It is for tests only. It imports the standard library, testing and pgx,
// never tfdrift's own packages, so any package's tests may use it.
package storetest

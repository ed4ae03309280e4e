//go:build e2e

// This file needs a real Postgres (storetest.Postgres), so it runs under
// the e2e tag: make test runs it, make test-short does not
// (docs/ARCHITECTURE.md, Testing).

package serve

import (
	"testing"

	"github.com/tfdrift/tfdrift/app/store/storetest"
)

// TestServeReplicasSeeTheSameCloud: two replicas on one Postgres store,
// each taking some of the edits, build every drift on all the edits before
// it.
func TestServeReplicasSeeTheSameCloud(t *testing.T) {
	alerts, state := sgEdits(t)
	dsn := storetest.Postgres(t)
	a := startServe(t, "--state", state, "--database", dsn)
	b := startServe(t, "--state", state, "--database", dsn)

	a.post(t, alerts[0])
	checkEdit(t, a, 0, 0)
	b.post(t, alerts[1])
	checkEdit(t, b, 0, 1)
	a.post(t, alerts[2])
	checkEdit(t, a, 1, 2)
}

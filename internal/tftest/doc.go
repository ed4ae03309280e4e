// Package tftest gives tests a real, offline Terraform: the pinned
// Terraform v1.5.7 binary, a filesystem mirror holding a test build of
// hashicorp/aws whose "cloud" is a JSON file, and a temporary working
// directory per test. Tests change that cloud file out of band (Cloud) and
// then run refresh-only plans, which is how drift looks in real life.
//
// Typical use:
//
//	env := tftest.New(t, "testdata/basic")
//	tf := env.Tf(t)
//	if err := tf.Init(ctx); err != nil { ... }
//	if err := tf.Apply(ctx); err != nil { ... }
//	env.Cloud(t).Mutate(tftest.KindInstance, id, func(o map[string]any) {
//		o["instance_type"] = "t3.large"
//	})
//	tf.Plan(ctx, tfexec.RefreshOnly(true), tfexec.Out(planFile))
//
// Terraform must be installed first with .ci/install-terraform.sh (CI does
// this before `go test`). A missing or wrong binary fails the test with the
// install command; it never skips, so CI cannot go green without running
// these tests.
//
// The provider (internal/tftest/provider, code in internal/fakeaws) is built
// once per test binary and cached across runs under the tools directory,
// keyed by a hash of its sources, go.mod and go.sum.
//
// This is test infrastructure: only _test.go files may import it. It reads
// the environment (TFDRIFT_TERRAFORM, TFDRIFT_TOOLS, HOME) because locating
// tools is its job; tfdrift's own packages must not copy that habit.
package tftest

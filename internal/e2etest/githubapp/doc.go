// Package githubapp holds no code, only tests: the GitHub App end to end
// through `serve`, with a real listener, webhooks signed with the App's
// secret, the stateful fake GitHub (internal/githubfake), real Terraform
// 1.5.7 with the test provider (internal/tftest) and Falco alerts for the
// drifts: the accept pull request proved and merged, revert, the
// refusals, a count-shared resource, auto_revert, mode: pr and the
// default branch moving on. The tests use exported APIs only; nothing
// imports this package.
package githubapp

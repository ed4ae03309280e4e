// Package action holds the end-to-end tests of the GitHub Action:
// action.yml run for real under nektos/act (host mode) with real
// Terraform, actionlint over the example workflows, and a release built by
// scripts/release.sh installed by the action's install.sh and its chart
// rendered by helm. Tests only.
package action

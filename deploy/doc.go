// Package deploy holds no code: it is the home of tfdrift's deployment
// artefacts and of the tests that keep them working.
//
//   - helm/tfdrift: the Helm chart for `tfdrift serve` (tested with helm lint
//     and helm template in internal/e2etest/deploy; helm is built by
//     .ci/install-helm.sh).
//   - falco: the Falco rules and falcosecurity/falco chart values, generated
//     from the catalog by app/falcorules (whose tests fail when they are
//     stale).
//   - aws: the EventBridge event pattern for the EventBridge → SQS input,
//     generated the same way.
//   - Dockerfile: the static, distroless, non-root image.
//   - systemd: the unit for running without containers.
//
// docs/deploy.md explains each. Nothing imports this package.
package deploy

// Package deploy holds the tests of the Helm chart in deploy/helm:
// helm lint and helm template over its value files, the rendered objects
// checked, unsafe values refused. Tests only; they need the helm that
// .ci/install-helm.sh builds.
package deploy

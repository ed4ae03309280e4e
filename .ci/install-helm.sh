#!/usr/bin/env bash
# Installs Helm v3.19.4, the version deploy/deploy_test.go runs `helm lint`
# and `helm template` with, by building it from source with the Go
# toolchain: no release download, no package registry beyond Go modules.
#
#   .ci/install-helm.sh            # prints the binary's path
#   TFDRIFT_TOOLS=/opt/tools .ci/install-helm.sh
#
# The binary goes to ${TFDRIFT_TOOLS:-$HOME/.cache/tfdrift-tools}/bin, where
# the tests look for it. Idempotent: when the binary there was built from
# helm.sh/helm/v3 v3.19.4 nothing is built. The first build takes a few
# minutes on two cores. It changes nothing outside that directory and sets
# nothing in the caller's environment.
set -euo pipefail

version=v3.19.4
module=helm.sh/helm/v3
bindir="${TFDRIFT_TOOLS:-$HOME/.cache/tfdrift-tools}/bin"
helm="$bindir/helm"

# The module version recorded in the binary's build information is what
# `go install` built; `helm version` alone can print only "v3.19" when the
# release ldflags are missing, so it is not asked.
installed_version() {
	go version -m "$helm" 2>/dev/null | awk -v m="$module" '$1 == "mod" && $2 == m { print $3 }'
}

if [[ -x "$helm" && "$(installed_version)" == "$version" ]]; then
	echo "$helm"
	exit 0
fi

mkdir -p "$bindir"
echo "building helm $version into $bindir (takes a few minutes)..." >&2
# The ldflags give `helm version` the release number a release build
# prints; CGO is off so the binary does not depend on the host's libc.
CGO_ENABLED=0 GOBIN="$bindir" go install \
	-ldflags "-s -w -X $module/internal/version.version=$version" \
	"$module/cmd/helm@$version"

got="$(installed_version)"
if [[ "$got" != "$version" ]]; then
	echo "install-helm: $helm was built from $module '${got}', want $version" >&2
	exit 1
fi
echo "$helm"

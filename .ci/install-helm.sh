#!/usr/bin/env bash
# Installs Helm v3.19.4, the version internal/e2etest/deploy runs `helm lint`
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

# The release Makefile's ldflags: the version `helm version` prints, and the
# Kubernetes version (from the client-go v0.34 that v3.19.4 builds with) that
# `helm template` and `helm lint` assume. Without them helm assumes
# Kubernetes 1.20 and refuses charts that need a newer one.
ldflags="-s -w -X $module/internal/version.version=$version"
for pkg in pkg/chartutil pkg/lint/rules; do
	ldflags+=" -X $module/$pkg.k8sVersionMajor=1 -X $module/$pkg.k8sVersionMinor=34"
done

# The binary's build information records the module version and the
# ldflags `go install` used; asking `helm version` would not show the
# latter.
installed() {
	go version -m "$helm" 2>/dev/null | awk -v m="$module" '
		$1 == "mod" && $2 == m { v = $3 }
		$1 == "build" && $2 ~ /^-ldflags=/ { sub(/^[ \t]*build[ \t]+-ldflags=/, ""); gsub(/^"|"$/, ""); f = $0 }
		END { print v "|" f }'
}

if [[ -x "$helm" && "$(installed)" == "$version|$ldflags" ]]; then
	echo "$helm"
	exit 0
fi

mkdir -p "$bindir"
echo "building helm $version into $bindir (takes a few minutes)..." >&2
# CGO is off so the binary does not depend on the host's libc.
CGO_ENABLED=0 GOBIN="$bindir" go install -ldflags "$ldflags" "$module/cmd/helm@$version"

got="$(installed)"
if [[ "$got" != "$version|$ldflags" ]]; then
	echo "install-helm: $helm was built as '${got}', want '$version|$ldflags'" >&2
	exit 1
fi
echo "$helm"

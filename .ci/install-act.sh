#!/usr/bin/env bash
# Installs nektos/act v0.2.89, the GitHub Actions runner the action's
# end-to-end test (action/act_test.go) executes action.yml with, in host
# mode (-P ubuntu-latest=-self-hosted: no Docker). It is built from source
# with the Go toolchain: no release download, no package registry beyond
# Go modules.
#
#   .ci/install-act.sh            # prints the binary's path
#   TFDRIFT_TOOLS=/opt/tools .ci/install-act.sh
#
# The binary goes to ${TFDRIFT_TOOLS:-$HOME/.cache/tfdrift-tools}/bin, where
# the tests look for it. Idempotent: when the binary there was built from
# github.com/nektos/act v0.2.89 nothing is built. The first build takes a
# few minutes on two cores. It changes nothing outside that directory and
# sets nothing in the caller's environment.
set -euo pipefail

version=v0.2.89
module=github.com/nektos/act
bindir="${TFDRIFT_TOOLS:-$HOME/.cache/tfdrift-tools}/bin"
act="$bindir/act"

# The binary's build information names the module version it was built
# from; `act --version` would print what the ldflags said, which go install
# does not set.
installed() {
	go version -m "$act" 2>/dev/null | awk -v m="$module" '$1 == "mod" && $2 == m { print $3 }'
}

if [[ -x "$act" && "$(installed)" == "$version" ]]; then
	echo "$act"
	exit 0
fi

mkdir -p "$bindir"
echo "building act $version into $bindir (takes a few minutes)..." >&2
CGO_ENABLED=0 GOBIN="$bindir" go install "$module@$version"

got="$(installed)"
if [[ "$got" != "$version" ]]; then
	echo "install-act: $act was built from '${got}', want $version" >&2
	exit 1
fi
echo "$act"

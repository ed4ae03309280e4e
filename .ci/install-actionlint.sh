#!/usr/bin/env bash
# Installs rhysd/actionlint v1.7.12, the linter the action's tests run on
# action.yml's use and on every example workflow (action/lint_test.go). It
# is built from source with the Go toolchain: no release download, no
# package registry beyond Go modules.
#
#   .ci/install-actionlint.sh            # prints the binary's path
#   TFDRIFT_TOOLS=/opt/tools .ci/install-actionlint.sh
#
# The binary goes to ${TFDRIFT_TOOLS:-$HOME/.cache/tfdrift-tools}/bin, where
# the tests look for it. Idempotent: when the binary there was built from
# github.com/rhysd/actionlint v1.7.12 nothing is built (about a minute
# otherwise). It changes nothing outside that directory and sets nothing in
# the caller's environment.
set -euo pipefail

version=v1.7.12
module=github.com/rhysd/actionlint
bindir="${TFDRIFT_TOOLS:-$HOME/.cache/tfdrift-tools}/bin"
bin="$bindir/actionlint"

installed() {
	go version -m "$bin" 2>/dev/null | awk -v m="$module" '$1 == "mod" && $2 == m { print $3 }'
}

if [[ -x "$bin" && "$(installed)" == "$version" ]]; then
	echo "$bin"
	exit 0
fi

mkdir -p "$bindir"
echo "building actionlint $version into $bindir (about a minute)..." >&2
CGO_ENABLED=0 GOBIN="$bindir" go install "$module/cmd/actionlint@$version"

got="$(installed)"
if [[ "$got" != "$version" ]]; then
	echo "install-actionlint: $bin was built from '${got}', want $version" >&2
	exit 1
fi
echo "$bin"

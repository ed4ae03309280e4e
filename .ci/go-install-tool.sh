#!/usr/bin/env bash
# Builds one Go tool from source at a pinned module version into the tools
# directory the tests look in, unless the binary there was already built
# from that version. Shared by install-act.sh and install-actionlint.sh.
#
#   .ci/go-install-tool.sh NAME MODULE PACKAGE VERSION   # prints the binary's path
#
# NAME is the binary's name, MODULE the Go module, PACKAGE the main package
# inside it ("" for the module's root), VERSION the module version. The
# binary goes to ${TFDRIFT_TOOLS:-$HOME/.cache/tfdrift-tools}/bin. The
# version check reads the binary's Go build information, which names the
# module version it was built from; the tools' own --version would print
# what release ldflags said, which `go install` does not set. Nothing
# outside that directory changes and nothing is set in the caller's
# environment. Only the Go module proxy is used.
set -euo pipefail

if [[ $# -ne 4 ]]; then
	echo "usage: $0 NAME MODULE PACKAGE VERSION" >&2
	exit 2
fi
name=$1 module=$2 package=$3 version=$4
bindir="${TFDRIFT_TOOLS:-$HOME/.cache/tfdrift-tools}/bin"
bin="$bindir/$name"

installed() {
	go version -m "$bin" 2>/dev/null | awk -v m="$module" '$1 == "mod" && $2 == m { print $3 }'
}

if [[ -x "$bin" && "$(installed)" == "$version" ]]; then
	echo "$bin"
	exit 0
fi

mkdir -p "$bindir"
echo "building $name $version into $bindir (a minute or more on two cores)..." >&2
# CGO is off so the binary does not depend on the host's libc.
CGO_ENABLED=0 GOBIN="$bindir" go install "$module${package:+/$package}@$version"

got="$(installed)"
if [[ "$got" != "$version" ]]; then
	echo "$0: $bin was built from '${got}', want $module $version" >&2
	exit 1
fi
echo "$bin"

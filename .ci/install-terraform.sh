#!/usr/bin/env bash
# Installs Terraform v1.5.7, the only version tfdrift's real-Terraform
# tests run against (internal/tftest), by building it from source with the Go
# toolchain: no release download, no package registry beyond Go modules.
#
#   .ci/install-terraform.sh            # prints the binary's path
#   TFDRIFT_TOOLS=/opt/tools .ci/install-terraform.sh
#
# The binary goes to ${TFDRIFT_TOOLS:-$HOME/.cache/tfdrift-tools}/bin, where
# the tests look for it. Idempotent: when that binary already reports
# 1.5.7 nothing is built. It changes nothing outside that directory and
# sets nothing in the caller's environment.
set -euo pipefail

version=1.5.7
bindir="${TFDRIFT_TOOLS:-$HOME/.cache/tfdrift-tools}/bin"
tf="$bindir/terraform"

installed_version() {
	# An empty CLI config keeps a stale TF_CLI_CONFIG_FILE from printing
	# warnings; CHECKPOINT_DISABLE keeps `version` off the network.
	TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 "$tf" version -json 2>/dev/null |
		sed -n 's/^ *"terraform_version": *"\([^"]*\)".*/\1/p'
}

if [[ -x "$tf" && "$(installed_version)" == "$version" ]]; then
	echo "$tf"
	exit 0
fi

mkdir -p "$bindir"
echo "building terraform v$version into $bindir (takes a few minutes)..." >&2
GOBIN="$bindir" go install "github.com/hashicorp/terraform@v$version"

got="$(installed_version)"
if [[ "$got" != "$version" ]]; then
	echo "install-terraform: $tf reports version '${got}', want $version" >&2
	exit 1
fi
echo "$tf"

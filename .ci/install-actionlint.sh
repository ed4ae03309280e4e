#!/usr/bin/env bash
# Installs rhysd/actionlint v1.7.12, the linter the action's tests run on
# action.yml's use and on every example workflow (internal/e2etest/action/lint_test.go).
# Built from source with the Go toolchain (about a minute the first time):
# no release download, no package registry beyond Go modules.
#
#   .ci/install-actionlint.sh            # prints the binary's path
#   TFDRIFT_TOOLS=/opt/tools .ci/install-actionlint.sh
#
# The binary goes to ${TFDRIFT_TOOLS:-$HOME/.cache/tfdrift-tools}/bin, where
# the tests look for it. Idempotent: see go-install-tool.sh.
set -euo pipefail
exec bash "$(dirname "$0")/go-install-tool.sh" actionlint github.com/rhysd/actionlint cmd/actionlint v1.7.12

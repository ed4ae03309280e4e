#!/usr/bin/env bash
# Installs nektos/act v0.2.89, the GitHub Actions runner that the action's
# end-to-end test (internal/e2etest/action/act_test.go) executes action.yml with, in host
# mode (-P ubuntu-latest=-self-hosted: no Docker). Built from source with the
# Go toolchain (a few minutes the first time): no release download, no
# package registry beyond Go modules.
#
#   .ci/install-act.sh            # prints the binary's path
#   TFDRIFT_TOOLS=/opt/tools .ci/install-act.sh
#
# The binary goes to ${TFDRIFT_TOOLS:-$HOME/.cache/tfdrift-tools}/bin, where
# the tests look for it. Idempotent: see go-install-tool.sh.
set -euo pipefail
exec bash "$(dirname "$0")/go-install-tool.sh" act github.com/nektos/act "" v0.2.89

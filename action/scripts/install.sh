#!/usr/bin/env bash
# Puts tfdrift on the job's PATH for the composite action (action.yml).
#
# Inputs (environment, set by action.yml):
#   INPUT_INSTALL     "true" (default) or "false": with false, the tfdrift
#                     already on PATH is used and nothing is downloaded.
#   INPUT_VERSION     the tfdrift version; default ACTION_REF, the ref the
#                     workflow named the action by (uses: tfdrift/action@REF).
#   ACTION_PATH       the action's own checkout (github.action_path).
#   ACTION_REF        github.action_ref; ACTION_REPOSITORY github.action_repository.
# From the runner: RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_SERVER_URL,
# GITHUB_PATH.
#
# What it does:
#   - A version that is an exact release tag (v1.2.3, v1.2.3-rc.1): download
#     that release's binary for the runner's OS and architecture and its
#     checksums.txt from GITHUB_SERVER_URL/ACTION_REPOSITORY/releases, and
#     refuse to run the binary unless its SHA-256 is the one checksums.txt
#     lists for it. When that release does not exist (404) and the version
#     is the action's own ref, build instead.
#   - Any other version (a branch, a commit SHA, a moving major tag such as
#     v1, or no ref at all for a local action): no release is pinned to
#     it, so build tfdrift from ACTION_PATH, the action's own source at that
#     ref, with the runner's Go (actions/setup-go, or the Go preinstalled on
#     GitHub-hosted runners). Go modules come from the module proxy,
#     verified against go.sum.
# Nothing unpinned is ever downloaded. Downloads are HTTPS only; plain HTTP
# is accepted for a loopback server, which only tests use.
set -euo pipefail

# Workflow commands are read from stdout.
fail() {
	echo "::error title=tfdrift action::$*"
	exit 1
}

install=${INPUT_INSTALL:-true}
case "$install" in
true) ;;
false)
	command -v tfdrift >/dev/null || fail "install: false, but there is no tfdrift on PATH"
	echo "Using $(command -v tfdrift): $(tfdrift version)"
	exit 0
	;;
*) fail "install: '$install' is not true or false" ;;
esac

version=${INPUT_VERSION:-${ACTION_REF:-}}
bindir="${RUNNER_TEMP:?RUNNER_TEMP is not set}/tfdrift-bin"
mkdir -p "$bindir"

case "${RUNNER_OS:-}" in
Linux) os=linux ;;
macOS) os=darwin ;;
*) fail "runner OS '${RUNNER_OS:-}' is not supported: tfdrift releases are built for Linux and macOS" ;;
esac
case "${RUNNER_ARCH:-}" in
X64) arch=amd64 ;;
ARM64) arch=arm64 ;;
*) fail "runner architecture '${RUNNER_ARCH:-}' is not supported: tfdrift releases are built for X64 and ARM64" ;;
esac

sha256() {
	if command -v sha256sum >/dev/null; then sha256sum "$1" | cut -d' ' -f1; else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

# fetch URL FILE prints the HTTP status; the body goes to FILE.
fetch() {
	local proto='=https'
	case "$1" in http://127.0.0.1:* | http://localhost:*) proto='=http' ;; esac
	curl --silent --show-error --location --proto "$proto" --proto-redir "$proto" --retry 3 \
		--output "$2" --write-out '%{http_code}' "$1"
}

build() {
	command -v go >/dev/null || fail "no tfdrift release for '${version:-this ref}', and no Go on the runner to build it from the action's source: set version to a release (vX.Y.Z), or set up Go (actions/setup-go) before this action"
	[[ -n "${ACTION_PATH:-}" && -f "$ACTION_PATH/go.mod" ]] || fail "no tfdrift release for '${version:-this ref}', and the action's source is not at ACTION_PATH='${ACTION_PATH:-}'"
	echo "Building tfdrift ${version:-(local)} from $ACTION_PATH with $(go version)"
	(cd "$ACTION_PATH" && CGO_ENABLED=0 go build -trimpath \
		-ldflags "-s -w -X main.version=${version:-$(git -C "$ACTION_PATH" describe --tags --always --dirty 2>/dev/null || echo dev)}" \
		-o "$bindir/tfdrift" ./cmd/tfdrift)
}

download() {
	local base="${GITHUB_SERVER_URL:-https://github.com}/${ACTION_REPOSITORY:-tfdrift/action}/releases/download/$version"
	local asset="tfdrift_${os}_${arch}" tmp
	tmp=$(mktemp -d)
	local status
	status=$(fetch "$base/checksums.txt" "$tmp/checksums.txt") || fail "download $base/checksums.txt failed"
	if [[ "$status" == 404 ]]; then
		rm -rf "$tmp"
		return 1
	fi
	[[ "$status" == 200 ]] || fail "download $base/checksums.txt: HTTP $status"
	status=$(fetch "$base/$asset" "$tmp/$asset") || fail "download $base/$asset failed"
	[[ "$status" == 200 ]] || fail "download $base/$asset: HTTP $status"
	local want got
	want=$(awk -v f="$asset" '$2 == f || $2 == "*" f { print $1 }' "$tmp/checksums.txt")
	[[ -n "$want" ]] || fail "checksums.txt of $version lists no $asset"
	got=$(sha256 "$tmp/$asset")
	[[ "$got" == "$want" ]] || fail "$asset of $version has SHA-256 $got, but checksums.txt says $want: refusing to run it"
	install -m 0755 "$tmp/$asset" "$bindir/tfdrift"
	rm -rf "$tmp"
	echo "Downloaded tfdrift $version ($asset), SHA-256 $got verified"
}

if [[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]]; then
	if ! download; then
		[[ "$version" == "${ACTION_REF:-}" ]] || fail "there is no tfdrift release $version"
		echo "No release $version: building from the action's source"
		build
	fi
else
	build
fi
"$bindir/tfdrift" version
echo "$bindir" >>"${GITHUB_PATH:?GITHUB_PATH is not set}"
